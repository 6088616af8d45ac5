import Foundation
import GRDB
import SyncCore

extension StateStore {
    /// Records the start of a run; returns its id.
    public func beginRun(mode: String, at date: Date) throws(StateStoreError) -> Int64 {
        try write("recording the start of a run") { db in
            try db.execute(
                sql: "INSERT INTO run (mode, started_at, status) VALUES (?, ?, 'running')",
                arguments: [mode, Stored.millis(date)])
            return db.lastInsertedRowID
        }
    }

    /// Records the end of run `id`, its final status and summary.
    public func finishRun(_ id: Int64, status: String, at date: Date, summary: JSON) throws(StateStoreError) {
        try write("recording the end of run \(id)") { db in
            try db.execute(
                sql: "UPDATE run SET finished_at = ?, status = ?, summary = ? WHERE id = ?",
                arguments: [Stored.millis(date), status, summary.serialized(), id])
            if db.changesCount == 0 { throw StateStoreError(path: path, kind: .unknownRun(id: id)) }
        }
    }

    /// When the last run of `mode` finished with status ok or partial; nil when none has.
    public func lastFinishedRun(mode: String) throws(StateStoreError) -> Date? {
        try read("reading runs") { db in
            try Int64.fetchOne(
                db, sql: "SELECT MAX(finished_at) FROM run WHERE mode = ? AND status IN ('ok', 'partial')",
                arguments: [mode]).map { Stored.date(millis: $0) }
        }
    }

    /// The last `limit` runs, newest first.
    /// `mode`: only runs of that mode; `excludingMode`: none of that mode (`serve`'s passes).
    public func recentRuns(limit: Int, mode: String? = nil, excludingMode: String? = nil) throws(StateStoreError) -> [RunRecord] {
        try read("reading runs") { db in
            let rows = try Row.fetchAll(
                db, sql: """
                    SELECT id, mode, started_at, finished_at, status, summary FROM run
                    WHERE (?1 IS NULL OR mode = ?1) AND (?2 IS NULL OR mode <> ?2)
                    ORDER BY id DESC LIMIT ?3
                    """,
                arguments: [mode, excludingMode, limit])
            return try rows.map { row in
                let summary: String? = row[5]
                return RunRecord(
                    id: row[0], mode: row[1], startedAt: Stored.date(millis: row[2]),
                    finishedAt: (row[3] as Int64?).map(Stored.date(millis:)), status: row[4],
                    summary: try summary.map { (text) throws(JSONSyntaxError) in try JSON(parsing: text) })
            }
        }
    }

    /// Deletes the finished runs of `mode` that ended before `date` and that nothing refers to (no
    /// journal entry, failed ones included, and no conflict was found by them); returns how many.
    /// `serve` records a run per pass, about 2 900 a day: its old ones are history `status` never shows.
    public func pruneRuns(mode: String, finishedBefore date: Date) throws(StateStoreError) -> Int {
        try write("pruning the runs of \(mode)") { db in
            try db.execute(
                sql: """
                    DELETE FROM run WHERE mode = ? AND finished_at IS NOT NULL AND finished_at < ?
                    AND NOT EXISTS (SELECT 1 FROM journal WHERE journal.run = run.id)
                    AND NOT EXISTS (SELECT 1 FROM conflict WHERE conflict.detected_run = run.id)
                    """,
                arguments: [mode, Stored.millis(date)])
            return db.changesCount
        }
    }

    // MARK: - Watermarks

    /// The high-water mark of the last incremental fetch of `entity` on `side`, nil before the first.
    public func watermark(entity: String, side: Side) throws(StateStoreError) -> String? {
        try read("reading the \(side) watermark of \(entity)") { db in
            try String.fetchOne(
                db, sql: "SELECT value FROM watermark WHERE entity = ? AND side = ?", arguments: [entity, side.rawValue])
        }
    }

    /// Sets the high-water mark for the next incremental fetch of `entity` on `side`.
    public func setWatermark(_ value: String, entity: String, side: Side) throws(StateStoreError) {
        try write("saving the \(side) watermark of \(entity)") { db in
            try db.execute(
                sql: """
                    INSERT INTO watermark (entity, side, value, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (entity, side) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                    """,
                arguments: [entity, side.rawValue, value, Stored.millis(Date())])
        }
    }
}
