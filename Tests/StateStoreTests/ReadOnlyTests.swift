import Foundation
import Testing
import TestSupport
@testable import StateStore
import SyncCore

/// Opening the state file for reading only (`doctor`): nothing created, nothing migrated, no write.
@Suite struct ReadOnlyTests {
    @Test func nothingIsCreatedWhereNoFileIs() throws {
        let folder = try TemporaryFolder()
        #expect(try StateStore.openReadOnly(path: folder.file()) == nil)
        #expect(folder.names().isEmpty)
    }

    @Test func aFileIsReadButNeverWritten() throws {
        let folder = try TemporaryFolder()
        let path = folder.file()
        do {
            let store = try StateStore(path: path)
            try store.saveToken([1, 2, 3], name: "ghl", keyId: "0123456789abcdef")
        }
        let before = bytes(path)
        let store = try #require(try StateStore.openReadOnly(path: path))
        #expect(try store.fileSchemaVersion() == StateStore.schemaVersion)
        #expect(try store.token(name: "ghl") == [1, 2, 3])
        #expect(stateError { () throws(StateStoreError) in try store.saveToken([9], name: "ghl", keyId: "0123456789abcdef") } != nil, "writes fail")
        #expect(bytes(path) == before)
        #expect(!folder.names().contains { $0.hasSuffix(".lock") })
    }

    @Test func aNewerFileIsRefusedAsForARun() throws {
        let folder = try TemporaryFolder()
        let path = folder.file()
        do { _ = try StateStore(path: path) }
        var header = bytes(path)
        header[60...63] = [0, 0, 0, 42]
        write(header, to: path)
        let error = stateError { () throws(StateStoreError) in try StateStore.openReadOnly(path: path) }
        #expect(error?.kind == .newerSchema(found: 42, supported: StateStore.schemaVersion))
        #expect(bytes(path) == header)
    }
}
