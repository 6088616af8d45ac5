import Foundation
import GRDB
import SyncCore

/// `serve`'s durable inbox (table `inbox`, schema v5). The receiver writes each request's events in one
/// transaction before it answers; the worker reads them oldest first and marks them applied or failed.
/// Another process (a nightly `sync`) may write the same file meanwhile: SQLite's write lock, with a
/// short wait for the receiver, keeps both correct.
extension StateStore {
    /// Stores one request's events in one transaction, skipping those whose dedupe key a row already
    /// holds. With `capacity`, stores nothing (and says `full`) when that many events are unapplied.
    /// Waits at most `wait` for another process's write lock, then throws `.busy`.
    public func acceptInbox(
        _ events: [InboxEvent], at date: Date, capacity: Int? = nil, waitingAtMost wait: Duration = .seconds(1)
    ) throws(StateStoreError) -> InboxAcceptance {
        let millis = Int(wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000)
        do {
            return try pool.writeWithoutTransaction { db in
                let previous = try Int.fetchOne(db, sql: "PRAGMA busy_timeout") ?? 5000
                try db.execute(sql: "PRAGMA busy_timeout = \(max(millis, 0))")
                defer { try? db.execute(sql: "PRAGMA busy_timeout = \(previous)") }
                var acceptance = InboxAcceptance(new: 0, duplicates: 0, full: false)
                try db.inTransaction(.immediate) {
                    if let capacity, try Self.inboxDepth(db) >= capacity {
                        acceptance.full = true
                        return .commit
                    }
                    let insert = try db.cachedStatement(sql: """
                        INSERT INTO inbox (source, dedupe_key, event, object, side, record_id, parent_id, deleted, received_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (dedupe_key) DO NOTHING
                        """)
                    for event in events {
                        try insert.execute(arguments: [
                            event.source.rawValue, event.dedupeKey, event.event, event.object, event.side.rawValue,
                            event.recordId, event.parentId, event.deleted ? 1 : 0, Stored.millis(date),
                        ])
                        if db.changesCount > 0 { acceptance.new += 1 } else { acceptance.duplicates += 1 }
                    }
                    return .commit
                }
                return acceptance
            }
        } catch {
            throw .from(error, path: path, doing: "storing \(events.count) webhook events in the inbox")
        }
    }

    /// Up to `limit` unapplied events, oldest first.
    public func pendingInbox(limit: Int) throws(StateStoreError) -> [InboxEntry] {
        try read("reading the inbox") { db in
            let rows = try Row.fetchAll(
                db, sql: """
                    SELECT id, source, dedupe_key, event, object, side, record_id, parent_id, deleted, received_at,
                           attempts, last_error
                    FROM inbox WHERE applied_at IS NULL ORDER BY id LIMIT ?
                    """,
                arguments: [limit])
            return try rows.map { row in
                let sourceText: String = row["source"]
                guard let source = InboxEvent.Source(rawValue: sourceText) else {
                    throw StoredValueError("inbox.source holds \"\(sourceText)\", not a source")
                }
                guard let side = try Stored.side(row["side"], column: "inbox.side") else {
                    throw StoredValueError("inbox.side is NULL")
                }
                let event = InboxEvent(
                    source: source, dedupeKey: row["dedupe_key"], event: row["event"], object: row["object"], side: side,
                    recordId: row["record_id"], parentId: row["parent_id"], deleted: (row["deleted"] as Int) != 0)
                return InboxEntry(
                    id: row["id"], event: event, receivedAt: Stored.date(millis: row["received_at"]), attempts: row["attempts"],
                    lastError: row["last_error"])
            }
        }
    }

    /// Marks events applied. GHL events keep their key (a replay stays a duplicate until pruned); the
    /// others' keys are released, so the same item can be accepted again.
    public func markInboxApplied(ids: [Int64], at date: Date) throws(StateStoreError) {
        try write("marking \(ids.count) inbox events applied") { db in
            let update = try db.cachedStatement(sql: """
                UPDATE inbox SET applied_at = ?, last_error = NULL,
                    dedupe_key = CASE WHEN source = 'ghl' THEN dedupe_key ELSE NULL END
                WHERE id = ?
                """)
            for id in ids { try update.execute(arguments: [Stored.millis(date), id]) }
        }
    }

    /// Releases the keys of events a pass is about to apply (GHL's stay): an identical EspoCRM item
    /// arriving while the pass reads its record may carry a change the read missed, so it is stored
    /// anew rather than taken for a duplicate.
    public func releaseInboxKeys(ids: [Int64]) throws(StateStoreError) {
        try write("releasing \(ids.count) inbox keys") { db in
            let update = try db.cachedStatement(sql: "UPDATE inbox SET dedupe_key = NULL WHERE id = ? AND source <> 'ghl'")
            for id in ids { try update.execute(arguments: [id]) }
        }
    }

    /// Counts a failed attempt on events, which stay pending.
    public func markInboxFailed(ids: [Int64], error: String) throws(StateStoreError) {
        try write("marking \(ids.count) inbox events failed") { db in
            let update = try db.cachedStatement(sql: "UPDATE inbox SET attempts = attempts + 1, last_error = ? WHERE id = ? AND applied_at IS NULL")
            for id in ids { try update.execute(arguments: [error, id]) }
        }
    }

    /// How many events are unapplied, and when the oldest of them arrived.
    public func inboxStatus() throws(StateStoreError) -> InboxStatus {
        try read("reading the inbox") { db in
            let row = try Row.fetchOne(db, sql: "SELECT count(*), min(received_at) FROM inbox WHERE applied_at IS NULL")
            return InboxStatus(depth: row?[0] ?? 0, oldest: (row?[1] as Int64?).map(Stored.date(millis:)))
        }
    }

    /// Deletes the events applied before `date` (GHL's replay keys with them); returns how many.
    @discardableResult
    public func pruneInbox(appliedBefore date: Date) throws(StateStoreError) -> Int {
        try write("pruning the inbox") { db in
            try db.execute(sql: "DELETE FROM inbox WHERE applied_at IS NOT NULL AND applied_at < ?", arguments: [Stored.millis(date)])
            return db.changesCount
        }
    }

    private static func inboxDepth(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM inbox WHERE applied_at IS NULL") ?? 0
    }
}
