import Foundation
import GRDB
import Testing
import TestSupport
@testable import StateStore
import SyncCore

/// Opening and creating the state file, and what is refused.
@Suite struct OpeningTests {
    @Test func createsTheFileWithMode0600InWALMode() throws {
        let folder = try TemporaryFolder()
        let path = folder.file()
        let store = try StateStore(path: path)
        _ = try store.beginRun(mode: "sync", at: epoch)
        #expect(mode(path) == 0o600)
        for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            #expect(mode(path + suffix) == 0o600, "\(suffix) must not be readable by others: tokens live here")
        }
        let header = bytes(path)
        #expect(header[18] == 2 && header[19] == 2, "file format bytes 18-19 are 2 in WAL mode")
        #expect(!folder.names().contains { $0.contains(".creating-") }, "the temporary file is gone")
        #expect(StateStore.schemaVersion == Schema.version)
        #expect(Schema.migrator.migrations.count == Schema.version)
    }

    @Test func everyTableSurvivesAReopen() throws {
        let folder = try TemporaryFolder()
        let path = folder.file()
        let mapping = try testMapping()
        let record = SideRecord(id: "g1", updatedAt: epoch, values: ["email": .string("a+b@x.com"), "tags": .list(["crm"])])
        let conflict = Conflict(
            link: LinkKey(ghlId: "g1", espoId: "e1"), field: "city", base: .string("Oslo"), ghl: .string("Lima"),
            espo: .empty, policy: .manual, resolution: .queued)
        let pending = Plan.Operation(action: .update, target: .espo, ghlId: "g1", espoId: "e1",
                                fields: [FieldChange(field: "city", from: nil, to: .string("Lima"))], base: ["city": .string("Lima")])
        var run: Int64 = 0
        do {
            let store = try StateStore(path: path)
            run = try store.beginRun(mode: "sync", at: epoch)
            try store.finishRun(run, status: "ok", at: epoch.addingTimeInterval(5), summary: ["created": 1])
            try store.setWatermark("2024-01-01T00:00:00Z", entity: "contact", side: .ghl)
            try store.save([record], side: .ghl, mapping: mapping, run: run)
            try store.apply(Plan.Operation(action: .link, ghlId: "g1", espoId: "e1", base: ["email": .string("a+b@x.com")]), run: run)
            _ = try store.journal(run: run, entity: "contact", operations: [pending])
            try store.queueConflicts([conflict], entity: "contact", run: run)
            try store.saveToken([0, 1, 2, 255], name: "ghl", keyId: "test-key")
        }
        let store = try StateStore(path: path)
        #expect(try store.recentRuns(limit: 5) == [RunRecord(
            id: run, mode: "sync", startedAt: epoch, finishedAt: epoch.addingTimeInterval(5), status: "ok", summary: ["created": 1])])
        #expect(try store.watermark(entity: "contact", side: .ghl) == "2024-01-01T00:00:00Z")
        #expect(try store.snapshotRecord(entity: "contact", side: .ghl, id: "g1") == record)
        #expect(try store.links(entity: "contact") == [Link(ghlId: "g1", espoId: "e1", base: ["email": .string("a+b@x.com")])])
        #expect(try store.unfinished(entity: nil).map(\.operation) == [pending])
        #expect(try store.openConflicts(entity: "contact").map(\.conflict) == [conflict])
        #expect(try store.token(name: "ghl") == [0, 1, 2, 255])
    }

    @Test func aV1FileOpensWithItsDataIntact() throws {
        let folder = try TemporaryFolder()
        let path = folder.file()
        // A file as the v1 migration left it, filled with plain SQL as an old build would have.
        do {
            let queue = try DatabaseQueue(path: path)
            try Schema.migrator.migrate(queue, upTo: "v1")
            let (bytes, hash) = CanonicalEncoding.encode(["email": .string("old@x.com")])
            try queue.write { db in
                try db.execute(sql: "INSERT INTO run (id, mode, started_at, status) VALUES (1, 'sync', 0, 'ok')")
                try db.execute(
                    sql: "INSERT INTO link (entity, ghl_id, espo_id, base, base_hash) VALUES ('contact', 'g', 'e', ?, ?)",
                    arguments: [Data(bytes), Int64(bitPattern: hash)])
                try db.execute(sql: """
                    INSERT INTO journal (run, entity, action, target, ghl_id, espo_id, operation, status, attempts, updated_at)
                    VALUES (1, 'contact', 'delete', 'ghl', 'g', 'e', ?, 'unknown', 1, 0)
                    """, arguments: [Plan.Operation(action: .delete, target: .ghl, ghlId: "g", espoId: "e").journalJSON.serialized()])
            }
        }
        let store = try StateStore(path: path)
        #expect(try store.links(entity: "contact") == [Link(ghlId: "g", espoId: "e", base: ["email": .string("old@x.com")])])
        #expect(try store.recentRuns(limit: 1).map(\.id) == [1])
        // v2 rebuilt the journal: the old entry is kept, and can now be superseded.
        #expect(try store.unfinished(entity: "contact").map(\.status) == [.unknown])
        #expect(try store.supersedeUnfinished(entity: "contact", before: 2) == 1)
        #expect(try store.unfinished(entity: "contact").isEmpty)
        let version = try DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") }
        #expect(version == StateStore.schemaVersion)
    }

    @Test(arguments: ["PRAGMA user_version = 7", "INSERT INTO grdb_migrations (identifier) VALUES ('v9')"])
    func aNewerFileIsRefusedAndLeftAlone(change: String) throws {
        let folder = try TemporaryFolder()
        let path = folder.file()
        _ = try StateStore(path: path)
        try DatabaseQueue(path: path).write { db in try db.execute(sql: change) }
        let before = bytes(path)
        let error = stateError { () throws(StateStoreError) in try StateStore(path: path) }
        let found = change.hasPrefix("PRAGMA") ? 7 : 9
        #expect(error?.kind == .newerSchema(found: found, supported: StateStore.schemaVersion))
        #expect(error?.description.contains(path) == true)
        #expect(error?.description.contains("upgrade espo-ghl-sync") == true)
        #expect(bytes(path) == before)
    }

    @Test func anEmptyFileIsRefusedAndStaysEmpty() throws {
        let folder = try TemporaryFolder()
        let path = folder.file()
        write([], to: path)
        let error = stateError { () throws(StateStoreError) in try StateStore(path: path) }
        #expect(error?.kind == .emptyFile)
        #expect(error?.description.contains(path) == true)
        #expect(bytes(path).isEmpty)
        #expect(folder.names() == ["state.sqlite"])
    }

    @Test func randomBytesAreNotAStateFile() throws {
        let folder = try TemporaryFolder()
        let path = folder.file()
        var generator = SystemRandomNumberGenerator()
        let noise = (0..<10_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        write(noise, to: path)
        let error = stateError { () throws(StateStoreError) in try StateStore(path: path) }
        #expect(error?.kind == .notAStateFile(reason: "not an SQLite database"))
        #expect(error?.description.contains(path) == true)
        #expect(bytes(path) == noise)
    }

    @Test func anotherProgramsDatabaseIsNotAStateFile() throws {
        let folder = try TemporaryFolder()
        let path = folder.file()
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('hi')")
        }
        let before = bytes(path)
        let error = stateError { () throws(StateStoreError) in try StateStore(path: path) }
        #expect(error?.kind == .notAStateFile(reason: "another program's database"))
        #expect(error?.description.contains(path) == true)
        #expect(bytes(path) == before)
    }

    @Test func aFolderIsNotAStateFile() throws {
        let folder = try TemporaryFolder()
        let error = stateError { () throws(StateStoreError) in try StateStore(path: folder.path) }
        #expect(error?.kind == .notAStateFile(reason: "it is a folder"))
    }

    @Test func aMissingFolderIsNamed() throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/missing/state.sqlite"
        let error = stateError { () throws(StateStoreError) in try StateStore(path: path) }
        #expect(error?.kind == .missingFolder(folder.path + "/missing"))
        #expect(error?.description.contains(path) == true)
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/missing"))
    }

    /// A store of `count` snapshot rows, closed, so the main file holds every page.
    private func filledStore(at path: String, count: Int) throws {
        let mapping = try testMapping()
        let store = try StateStore(path: path)
        let run = try store.beginRun(mode: "sync", at: epoch)
        let records = (0..<count).map { i in
            SideRecord(id: "g\(i)", values: ["email": .string("user\(i)@example.com"), "lastName": .string("Person \(i)")])
        }
        try store.save(records, side: .ghl, mapping: mapping, run: run)
    }

    @Test func aTruncatedFileIsCorrupt() throws {
        let folder = try TemporaryFolder()
        let path = folder.file()
        try filledStore(at: path, count: 3000)
        let whole = bytes(path)
        write(Array(whole.prefix(whole.count / 2)), to: path)
        let error = stateError { () throws(StateStoreError) in try StateStore(path: path) }
        guard case .corrupt? = error?.kind else {
            Issue.record("expected .corrupt, got \(String(describing: error))")
            return
        }
        #expect(error?.description.contains(path) == true)
        #expect(bytes(path).count == whole.count / 2)
    }

    /// Overwrites one page in the middle of a multi-page store; `quickCheckLimit` 0 skips the check on open.
    @Test(arguments: [StateFile.quickCheckLimit, 0])
    func aDamagedPageIsCorruptNeverAnEmptyStore(quickCheckLimit: Int64) throws {
        let folder = try TemporaryFolder()
        let path = folder.file()
        try filledStore(at: path, count: 3000)
        var file = bytes(path)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal") || bytes(path + "-wal").isEmpty)
        let pageSize = Int(file[16]) << 8 | Int(file[17])
        let pages = file.count / pageSize
        #expect(pages > 20)
        let start = pageSize * (pages / 2)
        for i in start..<start + pageSize { file[i] = 0xA5 }
        write(file, to: path)
        let mapping = try testMapping()
        let error = stateError { () throws(StateStoreError) in
            let store = try StateStore(path: path, quickCheckLimit: quickCheckLimit)
            _ = try store.snapshotCount(entity: "contact", side: .ghl)
            _ = try store.plan(mapping: mapping, options: PlanOptions(),
                               listings: PerSide(ghl: .full(count: 3000), espo: .full(count: 0)))
            for i in 0..<3000 { _ = try store.snapshotRecord(entity: "contact", side: .ghl, id: "g\(i)") }
        }
        guard case .corrupt? = error?.kind else {
            Issue.record("expected .corrupt, got \(String(describing: error))")
            return
        }
        #expect(error?.description.contains(path) == true)
    }

    @Test func verifyFindsADamagedPage() throws {
        let folder = try TemporaryFolder()
        let path = folder.file()
        try filledStore(at: path, count: 3000)
        var file = bytes(path)
        let pageSize = Int(file[16]) << 8 | Int(file[17])
        let start = pageSize * (file.count / pageSize / 2)
        for i in start..<start + pageSize { file[i] = 0xA5 }
        write(file, to: path)
        let store = try StateStore(path: path, quickCheckLimit: 0)
        let error = stateError { () throws(StateStoreError) in try store.verify() }
        guard case .corrupt? = error?.kind else {
            Issue.record("expected .corrupt, got \(String(describing: error))")
            return
        }
    }
}
