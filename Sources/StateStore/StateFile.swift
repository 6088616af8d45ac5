import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opening the state file: what is checked before SQLite may write to it, how a new one is created,
/// and the connection settings.
///
/// An existing file is never deleted, renamed, truncated or initialised again: a lost state means
/// every record is matched again, and those without an identity value are created twice. So a file
/// that is empty, not ours, newer than this build, or damaged is refused with the reason.
enum StateFile {
    /// Files up to this size (main file and WAL) get a `PRAGMA quick_check` when opened.
    ///
    /// quick_check reads every page. Measured here on a 1 GB state file: 0.64 s with the file in the
    /// page cache, 11.9 s cold. Paying that on every open of a large store (`status`, `conflicts`)
    /// is too much, and damage in a large file still surfaces: every later read maps SQLITE_CORRUPT
    /// and undecodable values to `.corrupt`, and `StateStore.verify()` runs the full check on demand.
    static let quickCheckLimit: Int64 = 64 << 20

    /// Opens (or creates) the state file at `path`, migrated to the latest schema.
    static func open(path: String, quickCheckLimit: Int64) throws(StateStoreError) -> DatabasePool {
        checking: while true {
            switch try inspect(path) {
            case .nothing:
                if try create(path) { break checking }
                // Another process created the file meanwhile: check theirs.
            case .file(let size):
                try probe(path, size: size, quickCheckLimit: quickCheckLimit)
                break checking
            }
        }
        do {
            let pool = try DatabasePool(path: path, configuration: configuration)
            try Schema.migrator.migrate(pool)
            return pool
        } catch {
            throw .from(error, path: path, doing: "opening")
        }
    }

    /// Settings of every connection.
    static var configuration: Configuration {
        var config = Configuration()
        config.label = "espo-ghl-sync state"
        config.foreignKeysEnabled = true
        // Another process writing (a second run, a `conflicts resolve`) makes us wait this long, then `.busy`.
        config.busyMode = .timeout(5)
        config.prepareDatabase { db in
            // A DatabasePool runs in WAL mode. synchronous=NORMAL with WAL: a commit is appended to the
            // WAL and synced only at checkpoints, so a crash of this process loses nothing committed and
            // a power cut can lose only the last commits, never corrupt the file (ordering is kept, the
            // WAL is append-only). The one commit whose loss would cost more than a re-plan is the
            // executor's `complete()`, which syncs the WAL itself (see `StateStore.durableWrite`).
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            if !db.configuration.readonly {
                // The writer upserts snapshot rows in the APIs' order, which is random in key order: a
                // 64 MiB page cache and a checkpoint every ~40 MiB of WAL instead of 4 MiB took ingest of
                // 2 × 300 000 rows from 45 000 to 59 000 rows/s here. Readers keep SQLite's 2 MiB: a larger
                // cache made `plan` slower (first-touch cost of the memory outweighs the reads it saves).
                try db.execute(sql: "PRAGMA cache_size = -65536")
                try db.execute(sql: "PRAGMA wal_autocheckpoint = 10000")
            }
        }
        return config
    }

    // MARK: - Before SQLite

    enum Found {
        case nothing
        case file(size: Int64)
    }

    /// What is at `path`, refusing what can never be a state file without asking SQLite.
    static func inspect(_ path: String) throws(StateStoreError) -> Found {
        func fail(_ kind: StateStoreError.Kind) -> StateStoreError { StateStoreError(path: path, kind: kind) }
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            var link = stat()
            if code == ENOENT, lstat(path, &link) == 0 {
                throw fail(.notAStateFile(reason: "a symbolic link to a missing file"))
            }
            if code == ENOENT { return .nothing }
            throw fail(.database(detail: "cannot read the file: \(systemMessage(code))"))
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw fail(.notAStateFile(reason: "it is a folder"))
        default: throw fail(.notAStateFile(reason: "it is not a regular file"))
        }
        let size = Int64(info.st_size)
        guard size > 0 else { throw fail(.emptyFile) }
        let header = try readHeader(path)
        guard header.count >= 16, header.prefix(16).elementsEqual(Array("SQLite format 3\0".utf8)) else {
            throw fail(.notAStateFile(reason: "not an SQLite database"))
        }
        guard header.count == 100 else {
            throw fail(.corrupt(detail: "the file is only \(size) bytes, shorter than an SQLite header: truncated"))
        }
        if let expected = expectedSize(header), size < expected, walSize(path) == 0 {
            throw fail(.corrupt(detail: "the file is \(size) bytes but its header says \(expected): truncated"))
        }
        return .file(size: size)
    }

    /// The first 100 bytes (fewer when the file is shorter).
    private static func readHeader(_ path: String) throws(StateStoreError) -> [UInt8] {
        let fd = openFile(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw StateStoreError(path: path, kind: .database(detail: "cannot read the file: \(systemMessage(errno))"))
        }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 100)
        var count = 0
        while count < bytes.count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, 100 - count) }
            if n <= 0 { break }
            count += n
        }
        return Array(bytes.prefix(count))
    }

    /// The size the header gives the database (page size × page count), when that field is valid.
    ///
    /// Only meaningful without a WAL: a checkpoint interrupted by a crash may leave page 1 ahead of the
    /// pages it counts, and the WAL replays them. Without a WAL the file must hold every page.
    private static func expectedSize(_ header: [UInt8]) -> Int64? {
        func uint32(_ offset: Int) -> UInt32 {
            header[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
        }
        let rawPageSize = Int64(header[16]) << 8 | Int64(header[17])
        let pageSize = rawPageSize == 1 ? 65_536 : rawPageSize
        let changeCounter = uint32(24)
        let pageCount = Int64(uint32(28))
        let validFor = uint32(92)
        guard pageSize >= 512, pageCount > 0, validFor == changeCounter else { return nil }
        return pageSize * pageCount
    }

    private static func walSize(_ path: String) -> Int64 {
        var info = stat()
        return stat(path + "-wal", &info) == 0 ? Int64(info.st_size) : 0
    }

    // MARK: - Asking SQLite, read-only

    /// Checks an existing file through a read-only connection, which never writes the main file.
    static func probe(_ path: String, size: Int64, quickCheckLimit: Int64) throws(StateStoreError) {
        func fail(_ kind: StateStoreError.Kind) -> StateStoreError { StateStoreError(path: path, kind: kind) }
        var config = Configuration()
        config.readonly = true
        config.label = "espo-ghl-sync state probe"
        do {
            let queue = try DatabaseQueue(path: path, configuration: config)
            defer { try? queue.close() }
            try queue.read { db in
                let applicationID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
                let userVersion = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                let tables = try String.fetchSet(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
                if applicationID != Schema.applicationID && (applicationID != 0 || !tables.isEmpty) {
                    throw fail(.notAStateFile(reason: "another program's database"))
                }
                let applied = tables.contains("grdb_migrations") ? try Schema.migrator.appliedIdentifiers(db) : []
                let unknown = applied.subtracting(Schema.migrator.migrations)
                if userVersion > Schema.version || !unknown.isEmpty {
                    let named = unknown.compactMap { Int($0.dropFirst()) }.max() ?? 0
                    throw fail(.newerSchema(found: max(userVersion, named, Schema.version + 1), supported: Schema.version))
                }
                if size + walSize(path) <= quickCheckLimit {
                    try quickCheck(db, path: path)
                }
            }
        } catch {
            throw .from(error, path: path, doing: "opening")
        }
    }

    /// Runs `PRAGMA quick_check`; throws `.corrupt` with SQLite's first findings.
    static func quickCheck(_ db: Database, path: String) throws {
        let findings = try String.fetchAll(db, sql: "PRAGMA quick_check(5)")
        if findings != ["ok"] {
            throw StateStoreError(path: path, kind: .corrupt(detail: "quick_check: " + findings.joined(separator: "; ")))
        }
    }

    // MARK: - Creating

    /// Creates a state file at `path` without ever replacing one: the schema is built in a temporary
    /// file beside it (mode 0600 from the start: tokens live here), which is then hard-linked to
    /// `path`. A crash leaves either nothing at `path` or a complete state file, never an empty one.
    /// Returns false when something appeared at `path` meanwhile.
    private static func create(_ path: String) throws(StateStoreError) -> Bool {
        func fail(_ kind: StateStoreError.Kind) -> StateStoreError { StateStoreError(path: path, kind: kind) }
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var info = stat()
        guard stat(folder, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { throw fail(.missingFolder(folder)) }
        let temporary = folder + "/." + url.lastPathComponent + ".creating-\(getpid())-\(UInt32.random(in: .min ... .max))"
        let fd = openFile(temporary, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw fail(.database(detail: "cannot create a file in \(folder): \(systemMessage(errno))"))
        }
        close(fd)
        defer {
            for suffix in ["", "-wal", "-shm"] { unlink(temporary + suffix) }
        }
        do {
            var config = configuration
            config.journalMode = .wal
            let queue = try DatabaseQueue(path: temporary, configuration: config)
            try Schema.migrator.migrate(queue)
            try queue.close()
        } catch {
            throw .from(error, path: path, doing: "creating the state file")
        }
        if link(temporary, path) != 0 {
            let code = errno
            if code == EEXIST { return false }
            // File systems without hard links: rename, after checking nothing appeared.
            guard code == EPERM || code == ENOTSUP || code == EOPNOTSUPP || code == ENOSYS, access(path, F_OK) != 0,
                  rename(temporary, path) == 0
            else {
                throw fail(.database(detail: "cannot create the state file: \(systemMessage(code))"))
            }
        }
        let dir = openFile(folder, O_RDONLY | O_CLOEXEC)
        if dir >= 0 {
            fsync(dir)
            close(dir)
        }
        return true
    }

    static func systemMessage(_ code: Int32) -> String { String(cString: strerror(code)) }
}

/// `open(2)`, named apart from `StateFile.open`.
private func openFile(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 {
    #if canImport(Glibc)
    Glibc.open(path, flags, mode)
    #else
    Darwin.open(path, flags, mode)
    #endif
}
