import Foundation
import GRDB
import Testing
import TestSupport
@testable import StateStore
import SyncCore

/// The id of the key that sealed each token (schema v6), and re-sealing every token in one transaction.
@Suite struct TokenKeyTests {
    let folder: TemporaryFolder
    let store: StateStore

    init() throws {
        folder = try TemporaryFolder()
        store = try StateStore(path: folder.file())
    }

    /// Three tokens saved with key "old", in name order.
    func saveThree() throws -> [StoredToken] {
        for name in ["espo.webhook.contact-create", "espo.webhook.contact-update", "ghl.location.L1"] {
            try store.saveToken(Array("sealed \(name) by old".utf8), name: name, keyId: "old")
        }
        return try store.tokens()
    }

    func replacements(_ tokens: [StoredToken]) -> [TokenReplacement] {
        tokens.map { TokenReplacement(name: $0.name, was: $0.sealed, sealed: Array("sealed \($0.name) by new".utf8), keyId: "new") }
    }

    @Test func everySaveRecordsItsKeyId() throws {
        try store.saveToken([1, 2, 3], name: "ghl.location.L1", keyId: "aaaa")
        #expect(try store.tokenKeyId(name: "ghl.location.L1") == "aaaa")
        try store.saveToken([4, 5], name: "ghl.location.L1", keyId: "bbbb")
        #expect(try store.tokenKeyId(name: "ghl.location.L1") == "bbbb")
        #expect(try store.tokenKeyId(name: "never-saved") == nil)
        let listed = try store.tokens()
        #expect(listed.map(\.name) == ["ghl.location.L1"] && listed.first?.sealed == [4, 5] && listed.first?.keyId == "bbbb")
    }

    @Test func resealingReplacesEveryTokenAndKeepsWhenEachWasSaved() throws {
        let before = try saveThree()
        try store.resealTokens(replacements(before))
        let after = try store.tokens()
        #expect(after.map(\.name) == before.map(\.name))
        #expect(after.allSatisfy { $0.keyId == "new" && String(decoding: $0.sealed, as: UTF8.self).hasSuffix("by new") })
        #expect(after.map(\.updatedAt) == before.map(\.updatedAt), "re-sealing is not a refresh")
    }

    /// The last row changed since it was read: the rows already written in the transaction are rolled back.
    @Test func aTokenSavedAgainMeanwhileChangesNothing() throws {
        let before = try saveThree()
        try store.saveToken(Array("refreshed".utf8), name: "ghl.location.L1", keyId: "old")
        var written = 0
        let error = stateError { () throws(StateStoreError) in try store.resealTokens(replacements(before)) { written = $0 } }
        guard case .changedMeanwhile(let detail)? = error?.kind else { Issue.record("\(String(describing: error))"); return }
        #expect(detail.contains("ghl.location.L1"))
        #expect(written == 2, "the first two rows were written inside the transaction")
        #expect(error?.description.contains("nothing was changed") == true)
        let after = try store.tokens()
        #expect(after.allSatisfy { $0.keyId == "old" })
        #expect(after.map(\.sealed) == [before[0].sealed, before[1].sealed, Array("refreshed".utf8)])
    }

    @Test func aTokenAddedMeanwhileChangesNothing() throws {
        let before = try saveThree()
        try store.saveToken([9], name: "espo.webhook.task-delete", keyId: "old")
        let error = stateError { () throws(StateStoreError) in try store.resealTokens(replacements(before)) }
        guard case .changedMeanwhile(let detail)? = error?.kind else { Issue.record("\(String(describing: error))"); return }
        #expect(detail.contains("espo.webhook.task-delete"))
        #expect(try store.tokens().allSatisfy { $0.keyId == "old" })
    }

    /// A file as v5 left it, its token written by plain SQL as an old build would: after the v6
    /// migration the token reads back byte for byte with its time, its key id not known yet.
    @Test func aV5FileKeepsItsTokensReadable() throws {
        let folder = try TemporaryFolder()
        let path = folder.file()
        let sealed: [UInt8] = [0, 255, 7] + Array(repeating: 0x5A, count: 200)
        do {
            let queue = try DatabaseQueue(path: path)
            try Schema.migrator.migrate(queue, upTo: "v5")
            try queue.write { db in
                try db.execute(
                    sql: "INSERT INTO token (name, sealed, updated_at) VALUES ('ghl.location.L1', ?, 1700000000123)",
                    arguments: [Data(sealed)])
            }
            #expect(try queue.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") } == 5)
        }
        let store = try StateStore(path: path)
        #expect(try store.token(name: "ghl.location.L1") == sealed)
        #expect(try store.tokens() == [StoredToken(
            name: "ghl.location.L1", sealed: sealed, keyId: nil, updatedAt: Date(timeIntervalSince1970: 1_700_000_000.123))])
        #expect(try DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") } == 6)
        // A rotation records the key from then on.
        let row = try #require(try store.tokens().first)
        try store.resealTokens([TokenReplacement(name: row.name, was: row.sealed, sealed: [1], keyId: "new")])
        #expect(try store.tokenKeyId(name: "ghl.location.L1") == "new")
    }
}
