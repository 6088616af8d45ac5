import Foundation
import GRDBSQLite

/// One snapshot row as bytes, ready for SQLite.
struct SnapshotRow {
    var side: String
    var id: String
    var updatedAt: Int64
    var hash: Int64
    var payload: [UInt8]
    var identity: String
}

/// Inserts rows with the bare SQLite C API: one prepared statement, one transaction per batch, the
/// settings the store's writer uses. This is the machine's own insert rate for these rows, the
/// yardstick for the store's ingest.
final class RawInsert {
    struct RawInsertError: Error, CustomStringConvertible {
        var description: String
    }

    private var db: OpaquePointer?
    private var statement: OpaquePointer?
    /// Time spent inserting, batch generation excluded.
    private(set) var seconds = 0.0
    private(set) var rows = 0

    /// Opens the SQLite file at `path`, whose `snapshot` table receives the rows.
    init(path: String) throws {
        guard sqlite3_open(path, &db) == SQLITE_OK else { throw RawInsertError(description: "cannot open \(path)") }
        try exec("PRAGMA journal_mode = WAL")
        try exec("PRAGMA synchronous = NORMAL")
        try exec("PRAGMA cache_size = -65536")
        try exec("PRAGMA wal_autocheckpoint = 10000")
        let sql = """
            INSERT INTO snapshot (entity, side, record_id, updated_at, in_scope, hash, payload, identity, seen_run)
            VALUES ('contact', ?, ?, ?, 1, ?, ?, ?, 1)
            """
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK else { throw failure() }
    }

    deinit {
        sqlite3_finalize(statement)
        sqlite3_close(db)
    }

    /// Inserts one batch in one transaction.
    func insert(_ batch: [SnapshotRow]) throws {
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        let start = DispatchTime.now().uptimeNanoseconds
        try exec("BEGIN")
        for row in batch {
            sqlite3_bind_text(statement, 1, row.side, -1, transient)
            sqlite3_bind_text(statement, 2, row.id, -1, transient)
            sqlite3_bind_int64(statement, 3, row.updatedAt)
            sqlite3_bind_int64(statement, 4, row.hash)
            _ = row.payload.withUnsafeBytes { sqlite3_bind_blob(statement, 5, $0.baseAddress, Int32($0.count), transient) }
            sqlite3_bind_text(statement, 6, row.identity, -1, transient)
            guard sqlite3_step(statement) == SQLITE_DONE else { throw failure() }
            sqlite3_reset(statement)
        }
        try exec("COMMIT")
        seconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        rows += batch.count
    }

    private func exec(_ sql: String) throws {
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { throw failure() }
    }

    private func failure() -> RawInsertError { RawInsertError(description: String(cString: sqlite3_errmsg(db))) }
}
