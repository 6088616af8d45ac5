import Engine
import Foundation
import StateStore
import SyncCore
import Testing
import TestSupport

/// Generated worlds of contacts with children, night after night against two in-memory sides (GHL's
/// children listed per contact and deleted with it, as GHL does): no child is ever created without its
/// parent, every night converges, and the night after writes nothing.
@Suite struct ChildWorldTests {
    static let contact = """
        { "entity": "contact", "ghl": { "object": "contact", "updatedAt": "updatedAt" },
          "espo": { "object": "contact", "updatedAt": "updatedAt" },
          "identity": [{ "field": "email", "match": "email" }],
          "fields": { "email": { "ghl": "email", "espo": "email" }, "name": { "ghl": "name", "espo": "name" } } }
        """
    static let item = """
        { "entity": "item", "parent": "contact",
          "ghl": { "object": "item", "updatedAt": "updatedAt" }, "espo": { "object": "item", "updatedAt": "updatedAt" },
          "identity": [{ "allOf": [{ "field": "contact", "match": "exact" }, { "field": "title", "match": "text" }] }],
          "fields": { "contact": { "type": "reference", "entity": "contact", "ghl": "contactId", "espo": "parentId" },
                      "title": { "ghl": "title", "espo": "name" }, "done": { "type": "bool", "ghl": "done", "espo": "done" } } }
        """

    struct World {
        let folder: TemporaryFolder
        let ghl = FakeSide(.ghl, objects: ["contact", "item"], perParent: ["item": "contactId"],
                           cascade: ["contact": [(object: "item", key: "contactId")]])
        let espo = FakeSide(.espo, objects: ["contact", "item"])
        let mappings: [Mapping]
        /// Children a person made, by side: only these may lack a parent (EspoCRM keeps a deleted contact's).
        var madeByPeople = PerSide<Set<String>>(ghl: [], espo: [])
        /// Contacts a person deleted: EspoCRM keeps their children, and so does the sync.
        var deletedByPeople = PerSide<Set<String>>(ghl: [], espo: [])

        init() throws {
            folder = try TemporaryFolder(prefix: "children")
            mappings = [
                try Mapping.parse(Array(ChildWorldTests.item.utf8), file: "items.json"),
                try Mapping.parse(Array(ChildWorldTests.contact.utf8), file: "contacts.json"),
            ]
        }

        func side(_ side: Side) -> FakeSide { side == .ghl ? ghl : espo }
        func parentKey(_ side: Side) -> String { side == .ghl ? "contactId" : "parentId" }

        func run(full: Bool = false) async throws -> RunSummary {
            let (lock, store) = try Engine.open(statePath: folder.file("state.sqlite"))
            var settings = Engine.Settings()
            settings.maxDeletes = 1000
            let engine = Engine(lock: lock, store: store, mappings: mappings, connectors: PerSide(ghl: ghl, espo: espo), settings: settings)
            return try await engine.run(RunOptions(mode: .sync, full: full))
        }
    }

    @Test(arguments: Array(UInt64(1)...UInt64(12)))
    func nightsOfRandomEditsConvergeAndNoChildIsCreatedWithoutItsParent(seed: UInt64) async throws {
        var rng = SeededGenerator(seed: seed)
        func roll(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
        var w = try World()
        var serial = 0
        func addChild(_ side: Side, parent: String) {
            serial += 1
            let id = w.side(side).insert("item", [w.parentKey(side): .string(parent), (side == .ghl ? "title" : "name"): .string("Item \(serial)"), "done": .bool(roll(2) == 0)])
            w.madeByPeople[side].insert(id)
        }
        // The first night's world: contacts on both sides, on one, and children anywhere.
        for n in 0..<8 {
            let where_ = roll(3)
            let email = JSON.string("p\(n)@x.com")
            let ghlId = where_ != 2 ? w.ghl.insert("contact", ["email": email, "name": "P"]) : nil
            let espoId = where_ != 1 ? w.espo.insert("contact", ["email": email, "name": "P"]) : nil
            for _ in 0..<roll(3) { if let ghlId { addChild(.ghl, parent: ghlId) } }
            for _ in 0..<roll(3) { if let espoId { addChild(.espo, parent: espoId) } }
        }
        for night in 0..<4 {
            // Full nights: children added to an unchanged contact wait for its day of the notes sweep
            // otherwise (a separate test covers the sweep).
            let summary = try await w.run(full: true)
            #expect(summary.failureCount == 0, "seed \(seed) night \(night): \(summary.entities.flatMap(\.failures).map(\.message))")
            // No child the sync made lacks its parent on its side.
            for side in Side.allCases {
                let contacts = Set(w.side(side).records("contact").keys)
                for (id, child) in w.side(side).records("item") where !w.madeByPeople[side].contains(id) {
                    let parent = child[w.parentKey(side)]?.stringValue
                    if let parent, w.deletedByPeople[side].contains(parent) { continue }
                    #expect(parent.map(contacts.contains) == true, "seed \(seed) night \(night): \(side) child \(id) without its parent \(parent ?? "none")")
                }
            }
            // Every contact on both sides holds the same children.
            let ghlByEmail = Dictionary(w.ghl.records("contact").map { ($0.value["email"]!.stringValue!, $0.key) }, uniquingKeysWith: { a, _ in a })
            for (espoId, contact) in w.espo.records("contact") {
                guard let ghlId = ghlByEmail[contact["email"]!.stringValue!] else { continue }
                let left = w.ghl.records("item").values.filter { $0["contactId"]?.stringValue == ghlId }.map { "\($0["title"]!.stringValue!)|\($0["done"]!)" }.sorted()
                let right = w.espo.records("item").values.filter { $0["parentId"]?.stringValue == espoId }.map { "\($0["name"]!.stringValue!)|\($0["done"]!)" }.sorted()
                #expect(Set(left) == Set(right), "seed \(seed) night \(night): children of \(contact["email"]!) differ: \(left) vs \(right)")
            }
            // The night after writes nothing.
            let before = (w.ghl.log().count, w.espo.log().count)
            let quiet = try await w.run()
            let written = (w.ghl.log().dropFirst(before.0) + w.espo.log().dropFirst(before.1))
                .filter { !$0.hasPrefix("list") && !$0.hasPrefix("find") }
            #expect(written.isEmpty, "seed \(seed) night \(night): the quiet night wrote \(Array(written)): \(quiet.entities.flatMap(\.plan.writes).map { "\($0.action) \($0.target!) \($0.ghlId ?? "-") \($0.espoId ?? "-") \($0.fields.map { "\($0.field)=\($0.to)" })" })\nGHL items \(w.ghl.records("item"))\nEspo items \(w.espo.records("item"))")
            #expect(quiet.failureCount == 0)
            // A person's day: edits, completions, new children, deleted children, deleted contacts.
            for side in Side.allCases {
                let fake = w.side(side)
                let items = fake.records("item").keys.sorted()
                let contacts = fake.records("contact").keys.sorted()
                for id in items where roll(6) == 0 { fake.edit("item", id: id, [(side == .ghl ? "title" : "name"): .string("Edited \(night) \(id)")]) }
                for id in items where roll(8) == 0 { fake.edit("item", id: id, ["done": .bool(roll(2) == 0)]) }
                for id in items where roll(10) == 0 { fake.remove("item", id: id) }
                for id in contacts where roll(5) == 0 { addChild(side, parent: id) }
                if let doomed = contacts.first, roll(3) == 0 {
                    fake.remove("contact", id: doomed)
                    w.deletedByPeople[side].insert(doomed)
                }
            }
        }
    }
}

/// The rotating sweep of children listed per parent (GHL notes).
@Suite struct SweepTests {
    @Test func dailyRunsReadEveryParentWithinTheSweepAndMissedNightsCatchUp() {
        let ids = (0..<500).map { "contact\($0)" }
        var read = Set<String>()
        for day in 101...107 {
            let buckets = Engine.sweepBuckets(lastDay: day - 1, today: day, days: 7)
            #expect(buckets.count == 1)
            read.formUnion(ids.filter { buckets.contains(Engine.sweepBucket(of: $0, days: 7)) })
        }
        #expect(read.count == ids.count, "a week of nightly runs reads every contact's children")
        // A second run the same day reads no share again; three missed nights are caught up at once.
        #expect(Engine.sweepBuckets(lastDay: 200, today: 200, days: 7).isEmpty)
        #expect(Engine.sweepBuckets(lastDay: 200, today: 204, days: 7).count == 4)
        #expect(Engine.sweepBuckets(lastDay: 200, today: 230, days: 7).count == 7)
        // The share is about a seventh.
        let share = ids.filter { Engine.sweepBucket(of: $0, days: 7) == 3 }.count
        #expect(share > 40 && share < 110)
    }
}

extension ChildWorldTests {
    @Test func theNightAfterALoadReadsNoNotesForTheContactsItOnlyWrote() async throws {
        let w = try World()
        w.ghl.honorSince()
        w.espo.honorSince()
        for n in 0..<5 {
            let id = w.ghl.insert("contact", ["email": .string("p\(n)@x.com"), "name": "P"])
            w.ghl.insert("item", ["contactId": .string(id), "title": .string("Item \(n)"), "done": false])
        }
        // A later contact: the next listing starts an overlap before it and lists it again, unchanged.
        w.ghl.advance(seconds: 1_000)
        w.ghl.insert("contact", ["email": "late@x.com", "name": "L"])
        let first = try await w.run()
        #expect(first.failureCount == 0)
        #expect(w.espo.records("item").count == 5)
        // A night later: nothing changed but what the load wrote into EspoCRM, which is listed again.
        w.ghl.advance(seconds: 86_400)
        w.espo.advance(seconds: 86_400)
        let before = w.ghl.log().count
        let second = try await w.run()
        #expect(second.failureCount == 0)
        let reads = w.ghl.log().dropFirst(before).filter { $0.hasPrefix("list item") }
        #expect(reads == ["list item of 0"], "neither the five the load wrote nor the one the overlap listed again: \(reads)")
        // A person's edit of one of those contacts makes it a change again: its notes are read.
        let espoId = try #require(w.espo.records("contact").first?.key)
        w.espo.edit("contact", id: espoId, ["name": "Pat"])
        let third = w.ghl.log().count
        _ = try await w.run()
        #expect(w.ghl.log().dropFirst(third).filter { $0.hasPrefix("list item") } == ["list item of 1"])
        // An EspoCRM edit of a child travels to GHL; the nights after, whose reads do not include its
        // contact, must not take GHL's old copy for an edit and write it back.
        w.espo.advance(seconds: 86_400)
        w.ghl.advance(seconds: 86_400)
        let item = try #require(w.espo.records("item").first { $0.value["name"]?.stringValue == "Item 4" }?.key)
        w.espo.edit("item", id: item, ["name": "Item 4, edited"])
        _ = try await w.run()
        #expect(w.ghl.records("item").values.contains { $0["title"]?.stringValue == "Item 4, edited" })
        for _ in 0..<2 {
            w.espo.advance(seconds: 86_400)
            w.ghl.advance(seconds: 86_400)
            let marks = (w.ghl.log().count, w.espo.log().count)
            _ = try await w.run()
            let writes = (w.ghl.log().dropFirst(marks.0) + w.espo.log().dropFirst(marks.1)).filter { !$0.hasPrefix("list") }
            #expect(writes.isEmpty, "a later night wrote \(Array(writes))")
        }
        #expect(w.espo.records("item")[item]?["name"]?.stringValue == "Item 4, edited")
    }
}
