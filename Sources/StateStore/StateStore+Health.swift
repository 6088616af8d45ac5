import Foundation
import GRDB
import SyncCore

extension StateStore {
    /// What the state file says about the sync's health, read in one transaction, for the metrics.
    public struct HealthReading: Sendable, Equatable {
        /// Conflicts waiting for a person (`conflict.status = 'open'`).
        public var openConflicts: Int
        /// Journal entries that failed, certainly or possibly (`failed`, `unknown`), not yet superseded
        /// by a later run.
        public var pendingFailures: Int
        /// Finished sync runs in a row, newest first, that ended with failed operations (see
        /// `failureStreak(_:)`).
        public var runsWithFailures: Int
        /// Inbox events not applied yet.
        public var inboxDepth: Int
        /// When the oldest of them was received; nil when the inbox holds none.
        public var oldestInboxEvent: Date?
        /// Per entity, the end of the last run in which it synced with no failure and no unreadable row.
        public var lastSuccess: [String: Date]

        public init(
            openConflicts: Int = 0, pendingFailures: Int = 0, runsWithFailures: Int = 0, inboxDepth: Int = 0,
            oldestInboxEvent: Date? = nil, lastSuccess: [String: Date] = [:]
        ) {
            self.openConflicts = openConflicts
            self.pendingFailures = pendingFailures
            self.runsWithFailures = runsWithFailures
            self.inboxDepth = inboxDepth
            self.oldestInboxEvent = oldestInboxEvent
            self.lastSuccess = lastSuccess
        }
    }

    /// Reads the conflicts and failures pending, the inbox backlog and each entity's last success.
    public func health() throws(StateStoreError) -> HealthReading {
        try read("reading the sync's health") { db in
            var reading = HealthReading()
            reading.openConflicts = try Int.fetchOne(db, sql: "SELECT count(*) FROM conflict WHERE status = 'open'") ?? 0
            reading.pendingFailures = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM journal WHERE status IN ('failed', 'unknown')") ?? 0
            let inbox = try Row.fetchOne(
                db, sql: "SELECT count(*), min(received_at) FROM inbox WHERE applied_at IS NULL")
            reading.inboxDepth = inbox?[0] ?? 0
            reading.oldestInboxEvent = (inbox?[1] as Int64?).map(Stored.date(millis:))
            let rows = try Row.fetchCursor(db, sql: "SELECT entity, last_success_at FROM entity_health")
            while let row = try rows.next() { reading.lastSuccess[row[0]] = Stored.date(millis: row[1]) }
            reading.runsWithFailures = try Self.failureStreak(db)
            return reading
        }
    }

    /// Records that each of `entities` synced with no failure at `date` (a later date replaces an
    /// earlier one, never the other way round), in one transaction.
    public func recordSuccess(of entities: [String], at date: Date) throws(StateStoreError) {
        guard !entities.isEmpty else { return }
        try write("recording the entities that synced") { db in
            let statement = try db.cachedStatement(sql: """
                INSERT INTO entity_health (entity, last_success_at) VALUES (?, ?)
                ON CONFLICT (entity) DO UPDATE SET last_success_at = max(last_success_at, excluded.last_success_at)
                """)
            for entity in entities {
                try statement.execute(arguments: [entity, Stored.millis(date)])
            }
        }
    }

    /// Finished sync runs in a row, newest first, whose summary counts failed operations; stops at the
    /// first that had none. Runs that stopped before their summary (failed, aborted) or are still
    /// running neither count nor break the streak; at most 100 runs are read.
    private static func failureStreak(_ db: Database) throws -> Int {
        let rows = try Row.fetchCursor(
            db, sql: """
                SELECT status, summary FROM run
                WHERE mode = 'sync' AND status IN ('ok', 'partial', 'interrupted') ORDER BY id DESC LIMIT 100
                """)
        var streak = 0
        while let row = try rows.next() {
            let summary: String? = row[1]
            guard row[0] != "ok", let summary, failedOperations(inSummary: summary) > 0 else { break }
            streak += 1
        }
        return streak
    }

    /// The failed operations a run's stored summary counts (`entities.*.failed`); 0 when it cannot be read.
    private static func failedOperations(inSummary text: String) -> Int {
        guard let json = try? JSON(parsing: text), case .object(let entities)? = json["entities"] else { return 0 }
        return entities.values.reduce(0) { $0 + Int($1["failed"]?.numberValue ?? 0) }
    }
}
