import Foundation
import GRDB
import SyncCore

extension StateStore {
    /// Journals `operations` of `entity` in `run` as pending, in one transaction; returns their ids in order.
    public func journal(run: Int64, entity: String, operations: [Plan.Operation]) throws(StateStoreError) -> [Int64] {
        try write("journaling \(operations.count) operations of \(entity)") { db in
            let now = Stored.millis(Date())
            let statement = try db.cachedStatement(sql: """
                INSERT INTO journal (run, entity, action, target, ghl_id, espo_id, operation, status, attempts, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?)
                """)
            var ids: [Int64] = []
            ids.reserveCapacity(operations.count)
            for operation in operations {
                statement.setUncheckedArguments([
                    run, entity, operation.action.rawValue, operation.target?.rawValue, operation.ghlId, operation.espoId,
                    operation.journalJSON.serialized(), now,
                ])
                try statement.execute()
                ids.append(db.lastInsertedRowID)
            }
            return ids
        }
    }

    /// Marks `entry` in flight and counts an attempt: call it just before the API call.
    public func markStarted(_ entry: Int64) throws(StateStoreError) {
        try write("starting journal entry \(entry)") { db in
            try db.execute(
                sql: """
                    UPDATE journal SET status = 'in-flight', attempts = attempts + 1, updated_at = ?
                    WHERE id = ? AND status <> 'applied'
                    """,
                arguments: [Stored.millis(Date()), entry])
            if db.changesCount == 0 { try requireUnapplied(entry, db) }
        }
    }

    /// The executor's commit point: marks `entry` applied (with the id of a created record) and applies
    /// its effect to links and base, in one transaction synced to disk.
    ///
    /// - link: a new link with the operation's base, or a paused one resumed with the base merged
    /// - create: the new link, its base the operation's base (`createdId` is the new record's id; a
    ///   create that replaces a link deletes that one first)
    /// - update, rebase: the operation's base merged into the link's base (replacing it when `replacesBase`)
    /// - unlink: the link is paused, kept as a marker
    /// - forget, delete: the link is gone
    ///
    /// Snapshots are left alone (the next fetch refreshes them), but for a forget or delete, which drops
    /// both records' rows and tombstones them. Completing an applied entry again does nothing.
    /// `base`, when given, replaces the operation's base (see `completeEntry`).
    ///
    /// A create that made a new record (`createdNew`) puts it in the snapshot as written, and the
    /// defaults it wrote back (`wroteBack`) into its source's row, so a later run that does not list
    /// them (notes of a contact not read that night) still sees what they hold.
    public func complete(
        _ entry: Int64, createdId: String?, base: FieldValues? = nil, createdNew: Bool = true, wroteBack: Bool = true
    ) throws(StateStoreError) {
        try durableWrite("completing journal entry \(entry)") { db in
            try completeEntry(entry, createdId: createdId, base: base, createdNew: createdNew, wroteBack: wroteBack, db)
        }
    }

    /// `complete` for many entries in one transaction: the commit point for operations that call no API
    /// (links, unlinks, rebases), which a first run can hold by the ten thousand.
    public func complete(_ entries: [Int64]) throws(StateStoreError) {
        guard !entries.isEmpty else { return }
        try durableWrite("completing \(entries.count) journal entries") { db in
            for entry in entries { try completeEntry(entry, createdId: nil, base: nil, createdNew: false, wroteBack: false, db) }
        }
    }

    /// `base`, when given, replaces the operation's base: a create answered with an existing record
    /// links to it with only the values both records agree on.
    private func completeEntry(
        _ entry: Int64, createdId: String?, base: FieldValues?, createdNew: Bool, wroteBack: Bool, _ db: Database
    ) throws {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT entity, operation, status, run FROM journal WHERE id = ?", arguments: [entry])
        else {
            throw StateStoreError(path: path, kind: .unknownJournalEntry(id: entry))
        }
        if row[2] == JournalEntry.Status.applied.rawValue { return }
        var operation = try Plan.Operation(journalJSON: JSON(parsing: row[1] as String))
        if let base { operation.base = base }
        try applyEffect(of: operation, createdId: createdId, entity: row[0], db)
        try Self.recordWrite(of: operation, createdId: createdId, createdNew: createdNew, wroteBack: wroteBack, entity: row[0], run: row[3], db)
        try db.execute(
            sql: "UPDATE journal SET status = 'applied', created_id = ?, updated_at = ? WHERE id = ?",
            arguments: [createdId, Stored.millis(Date()), entry])
    }

    /// Records that `entry`'s call failed: "unknown" when it may have changed the record anyway, else "failed".
    public func fail(_ entry: Int64, error: String, outcomeUnknown: Bool) throws(StateStoreError) {
        let status: JournalEntry.Status = outcomeUnknown ? .unknown : .failed
        try write("recording the failure of journal entry \(entry)") { db in
            try db.execute(
                sql: "UPDATE journal SET status = ?, last_error = ?, updated_at = ? WHERE id = ? AND status <> 'applied'",
                arguments: [status.rawValue, error, Stored.millis(Date()), entry])
            if db.changesCount == 0 { try requireUnapplied(entry, db) }
        }
    }

    /// Entries not applied nor superseded (pending, in flight, unknown, failed), of `entity` or of all
    /// entities; oldest first.
    public func unfinished(entity: String?) throws(StateStoreError) -> [JournalEntry] {
        try read("reading the journal") { db in
            let rows = try Row.fetchCursor(
                db, sql: """
                    SELECT id, run, entity, operation, status, attempts, last_error, created_id FROM journal
                    WHERE status NOT IN ('applied', 'superseded') AND (?1 IS NULL OR entity = ?1) ORDER BY id
                    """,
                arguments: [entity])
            var entries: [JournalEntry] = []
            while let row = try rows.next() {
                let status: String = row[4]
                guard let parsed = JournalEntry.Status(rawValue: status) else {
                    throw StoredValueError("journal.status holds \"\(status)\"")
                }
                entries.append(JournalEntry(
                    id: row[0], run: row[1], entity: row[2],
                    operation: try Plan.Operation(journalJSON: JSON(parsing: row[3] as String)),
                    status: parsed, attempts: row[5], lastError: row[6], createdId: row[7]))
            }
            return entries
        }
    }

    /// Throws the reason an update of `entry` changed nothing: it does not exist, or it is applied.
    private func requireUnapplied(_ entry: Int64, _ db: Database) throws {
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM journal WHERE id = ?", arguments: [entry]) != nil else {
            throw StateStoreError(path: path, kind: .unknownJournalEntry(id: entry))
        }
        throw invalid("journal entry \(entry) is already applied")
    }

    /// Marks every unfinished entry of `entity` of runs before `run` superseded: call it once the new
    /// run has reconciled that entity's entries (outcome-unknown creates looked up) and is about to plan
    /// it from the current state. Returns how many entries it closed.
    public func supersedeUnfinished(entity: String, before run: Int64) throws(StateStoreError) -> Int {
        try write("closing the journal entries of earlier runs") { db in
            try db.execute(
                sql: """
                    UPDATE journal SET status = 'superseded', updated_at = ?
                    WHERE entity = ? AND run < ? AND status NOT IN ('applied', 'superseded')
                    """,
                arguments: [Stored.millis(Date()), entity, run])
            return db.changesCount
        }
    }

    /// The ids of `entity` on `side` that the last sync before `run` wrote (created or updated): their
    /// next listing shows that write again.
    public func writtenByLastSync(before run: Int64, entity: String, side: Side) throws(StateStoreError) -> Set<String> {
        try read("reading what the last sync wrote to \(entity)") { db in
            guard let last = try Int64.fetchOne(
                db, sql: "SELECT max(id) FROM run WHERE mode = 'sync' AND id < ?", arguments: [run]) else { return [] }
            let column = side == .ghl ? "ghl_id" : "espo_id"
            let ids = try String?.fetchAll(
                db, sql: """
                    SELECT CASE WHEN action = 'create' THEN created_id ELSE \(column) END FROM journal
                    WHERE run = ? AND entity = ? AND target = ? AND status = 'applied' AND action IN ('create', 'update')
                    """,
                arguments: [last, entity, side.rawValue])
            return Set(ids.compactMap { $0 })
        }
    }

    /// The entries of `run` that failed (certainly or possibly), for `status` and the run summary.
    public func failures(run: Int64) throws(StateStoreError) -> [JournalEntry] {
        try read("reading the failures of run \(run)") { db in
            let rows = try Row.fetchCursor(
                db, sql: """
                    SELECT id, run, entity, operation, status, attempts, last_error, created_id FROM journal
                    WHERE run = ? AND status IN ('failed', 'unknown', 'in-flight') ORDER BY id
                    """,
                arguments: [run])
            var entries: [JournalEntry] = []
            while let row = try rows.next() {
                let status: String = row[4]
                entries.append(JournalEntry(
                    id: row[0], run: row[1], entity: row[2],
                    operation: try Plan.Operation(journalJSON: JSON(parsing: row[3] as String)),
                    status: JournalEntry.Status(rawValue: status) ?? .failed, attempts: row[5], lastError: row[6],
                    createdId: row[7]))
            }
            return entries
        }
    }
}

extension StateStore {
    /// Deletes the settled (applied or superseded) journal entries of all but the last `runs` runs, so
    /// the journal does not grow without end; unfinished entries and the runs themselves are kept.
    /// Returns how many entries it deleted.
    @discardableResult
    public func pruneJournal(keepingRuns runs: Int) throws(StateStoreError) -> Int {
        try write("pruning the journal") { db in
            guard let oldestKept = try Int64.fetchOne(
                db, sql: "SELECT id FROM run ORDER BY id DESC LIMIT 1 OFFSET ?", arguments: [max(runs, 1) - 1])
            else { return 0 }
            try db.execute(
                sql: "DELETE FROM journal WHERE run < ? AND status IN ('applied', 'superseded')", arguments: [oldestKept])
            return db.changesCount
        }
    }
}
