import Foundation
import GRDB
import SyncCore

/// The sync's memory: one SQLite file holding runs, watermarks, both snapshots, links with their base,
/// the journal of operations, the conflict queue and sealed tokens.
///
/// Every method that changes something is one transaction. Reads see one consistent snapshot of the
/// file. The store is a `DatabasePool` (WAL): a long read such as `plan` never blocks the executor's
/// commits, and reads run in parallel with a write.
public final class StateStore: Sendable {
    /// The state file.
    public let path: String
    /// The schema version this build writes and reads.
    public static let schemaVersion: Int = Schema.version

    let pool: DatabasePool

    /// Opens the state file, creating it only when nothing exists at `path`.
    public convenience init(path: String) throws(StateStoreError) {
        try self.init(path: path, quickCheckLimit: StateFile.quickCheckLimit)
    }

    /// Opens the state file, running `PRAGMA quick_check` when it is at most `quickCheckLimit` bytes.
    init(path: String, quickCheckLimit: Int64) throws(StateStoreError) {
        self.path = path
        self.pool = try StateFile.open(path: path, quickCheckLimit: quickCheckLimit)
    }

    /// A store over a pool opened elsewhere (read-only, `openReadOnly`).
    init(path: String, pool: DatabasePool) {
        self.path = path
        self.pool = pool
    }

    /// Reads every page (`PRAGMA quick_check`): `.corrupt` when SQLite finds damage.
    ///
    /// Opening checks only files up to 64 MiB (a 1 GB file takes 0.6 to 12 s); call this before a run
    /// that may delete on the strength of what the file says.
    public func verify() throws(StateStoreError) {
        try read("checking the file") { db in try StateFile.quickCheck(db, path: path) }
    }

    // MARK: - Access

    /// Runs `body` in a read transaction: one consistent view of the file.
    func read<T>(_ doing: @autoclosure () -> String, _ body: (Database) throws -> T) throws(StateStoreError) -> T {
        do {
            return try pool.read(body)
        } catch {
            throw .from(error, path: path, doing: doing())
        }
    }

    /// Runs `body` in one write transaction.
    func write<T>(_ doing: @autoclosure () -> String, _ body: (Database) throws -> T) throws(StateStoreError) -> T {
        do {
            return try pool.write(body)
        } catch {
            throw .from(error, path: path, doing: doing())
        }
    }

    /// Runs `body` in one write transaction whose commit is synced to disk before returning
    /// (`synchronous=FULL`), so that not even a power cut can undo it.
    ///
    /// For the executor's commit point: losing a `complete()` after the API call succeeded would leave a
    /// created record unlinked. One fsync of the WAL (0.14 ms here) is nothing next to the API call.
    func durableWrite<T>(_ doing: @autoclosure () -> String, _ body: (Database) throws -> T) throws(StateStoreError) -> T {
        do {
            return try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                defer { try? db.execute(sql: "PRAGMA synchronous = NORMAL") }
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        } catch {
            throw .from(error, path: path, doing: doing())
        }
    }

    /// The typed error for a broken rule of the API, naming this file.
    func invalid(_ detail: String) -> StateStoreError {
        StateStoreError(path: path, kind: .invalidOperation(detail))
    }
}
