import Foundation
import Testing
import TestSupport
@testable import StateStore
import SyncCore

/// Runs, watermarks and sealed tokens.
@Suite struct RunAndTokenTests {
    let folder: TemporaryFolder
    let store: StateStore

    init() throws {
        folder = try TemporaryFolder()
        store = try StateStore(path: folder.file())
    }

    @Test func runsAreListedNewestFirst() throws {
        let first = try store.beginRun(mode: "sync", at: epoch)
        try store.finishRun(first, status: "ok", at: epoch.addingTimeInterval(61.5),
                            summary: ["created": 3, "entities": ["contact"], "note": "ünïcode"])
        let second = try store.beginRun(mode: "dry-run", at: epoch.addingTimeInterval(3600))
        let runs = try store.recentRuns(limit: 10)
        #expect(runs == [
            RunRecord(id: second, mode: "dry-run", startedAt: epoch.addingTimeInterval(3600), finishedAt: nil,
                      status: "running", summary: nil),
            RunRecord(id: first, mode: "sync", startedAt: epoch, finishedAt: epoch.addingTimeInterval(61.5), status: "ok",
                      summary: ["created": 3, "entities": ["contact"], "note": "ünïcode"]),
        ])
        #expect(try store.recentRuns(limit: 1).map(\.id) == [second])
        #expect(stateError { () throws(StateStoreError) in
            try store.finishRun(99, status: "ok", at: epoch, summary: [:])
        }?.kind == .unknownRun(id: 99))
    }

    @Test func watermarksArePerEntityAndSide() throws {
        #expect(try store.watermark(entity: "contact", side: .ghl) == nil)
        try store.setWatermark("1700000000000", entity: "contact", side: .ghl)
        try store.setWatermark("2024-05-01 10:00:00", entity: "contact", side: .espo)
        try store.setWatermark("1700000009999", entity: "contact", side: .ghl)
        #expect(try store.watermark(entity: "contact", side: .ghl) == "1700000009999")
        #expect(try store.watermark(entity: "contact", side: .espo) == "2024-05-01 10:00:00")
        #expect(try store.watermark(entity: "task", side: .ghl) == nil)
    }

    @Test func tokensAreSavedReplacedAndDeleted() throws {
        let sealed: [UInt8] = [0, 0, 7, 255, 128, 0] + Array(repeating: 0xAB, count: 300)
        #expect(try store.token(name: "ghl-oauth") == nil)
        try store.saveToken(sealed, name: "ghl-oauth", keyId: "test-key")
        #expect(try store.token(name: "ghl-oauth") == sealed)
        try store.saveToken([1, 2, 3], name: "ghl-oauth", keyId: "test-key")
        #expect(try store.token(name: "ghl-oauth") == [1, 2, 3])
        try store.saveToken([], name: "empty", keyId: "test-key")
        #expect(try store.token(name: "empty") == [])
        try store.deleteToken(name: "ghl-oauth")
        try store.deleteToken(name: "never-saved")
        #expect(try store.token(name: "ghl-oauth") == nil)
    }
}
