import Foundation
import Testing
import TestSupport
@testable import StateStore
import SyncCore

/// Saving, overwriting, pruning and reading snapshot rows.
@Suite struct SnapshotTests {
    @Test func canonicalValuesSurviveExactly() throws {
        let folder = try TemporaryFolder()
        let store = try StateStore(path: folder.file())
        let mapping = try testMapping()
        let run = try store.beginRun(mode: "sync", at: epoch)
        let records = [
            SideRecord(id: "g-unicode", updatedAt: Date(timeIntervalSince1970: 1_700_000_000.123), values: [
                "firstName": .string("Zoë 🚀"), "lastName": .string("e\u{301}"), "city": .string("é"),
                "email": .string("first+tag@example.com"),
            ]),
            SideRecord(id: "g-numbers", inScope: false, values: [
                "score": .number(0.1), "a": .number(-0.0), "b": .number(1e300), "c": .number(42), "d": .number(-7.25),
                "vip": .bool(true), "opt": .bool(false),
            ]),
            SideRecord(id: "g-empties", values: [
                "tags": .list(["crm", "vip", "ü"]), "cleared": .empty, "blank": .string(""), "none": .list([]),
            ]),
            SideRecord(id: "g-nothing", values: [:]),
            SideRecord(id: "id with spaces/and+plus", values: ["email": .string("x")]),
        ]
        try store.save(records, side: .ghl, mapping: mapping, run: run)
        for record in records {
            let stored = try store.snapshotRecord(entity: "contact", side: .ghl, id: record.id)
            #expect(stored == record)
        }
        // Byte-exact: a decomposed "é" stays decomposed (Swift's == would call both forms equal).
        let stored = try #require(try store.snapshotRecord(entity: "contact", side: .ghl, id: "g-unicode"))
        #expect(stored.values["lastName"]?.stringValue.map { Array($0.utf8) } == [0x65, 0xCC, 0x81])
        #expect(stored.values["city"]?.stringValue.map { Array($0.utf8) } == [0xC3, 0xA9])
        let numbers = try #require(try store.snapshotRecord(entity: "contact", side: .ghl, id: "g-numbers"))
        guard case .number(let zero)? = numbers.values["a"] else { throw CocoaError(.coderValueNotFound) }
        #expect(zero.sign == .minus, "-0.0 keeps its sign")
        #expect(stored.values["absent"] == nil)
        #expect(try store.snapshotRecord(entity: "contact", side: .espo, id: "g-unicode") == nil)
        #expect(try store.snapshotRecord(entity: "task", side: .ghl, id: "g-unicode") == nil)
    }

    @Test func saveOverwritesAndPruneDropsWhatTheFullListingMissed() throws {
        let folder = try TemporaryFolder()
        let store = try StateStore(path: folder.file())
        let mapping = try testMapping()
        let first = try store.beginRun(mode: "sync", at: epoch)
        let records = ["a", "b", "c"].map { SideRecord(id: $0, values: ["email": .string("\($0)@x.com")]) }
        try store.save(records, side: .ghl, mapping: mapping, run: first)
        try store.save(records, side: .espo, mapping: mapping, run: first)
        #expect(try store.snapshotCount(entity: "contact", side: .ghl) == 3)

        let second = try store.beginRun(mode: "sync", at: epoch)
        let changed = SideRecord(id: "a", updatedAt: epoch, inScope: false, values: ["email": .string("new@x.com")])
        try store.save([changed, records[2]], side: .ghl, mapping: mapping, run: second)
        #expect(try store.snapshotCount(entity: "contact", side: .ghl) == 3)
        #expect(try store.snapshotRecord(entity: "contact", side: .ghl, id: "a") == changed)

        #expect(try store.pruneSnapshot(entity: "contact", side: .ghl, notSeenIn: second) == 1)
        #expect(try store.snapshotCount(entity: "contact", side: .ghl) == 2)
        #expect(try store.snapshotRecord(entity: "contact", side: .ghl, id: "b") == nil)
        // The other side and other entities are untouched.
        #expect(try store.snapshotCount(entity: "contact", side: .espo) == 3)
        #expect(try store.pruneSnapshot(entity: "contact", side: .ghl, notSeenIn: second) == 0)
        #expect(try store.snapshotCount(entity: "task", side: .ghl) == 0)
    }
}
