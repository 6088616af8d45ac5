import Engine
import Foundation
import StateStore
import SyncCore
import Testing
import TestSupport

/// The engine in process against two in-memory sides: reference order, references resolved at
/// execution time, per-entity reconciliation, deletes that stay deleted.
@Suite struct EngineTests {
    static let company = """
        { "entity": "company", "ghl": { "object": "company", "updatedAt": "updatedAt" },
          "espo": { "object": "company", "updatedAt": "updatedAt" },
          "identity": [{ "field": "name", "match": "text" }],
          "fields": { "name": { "ghl": "name", "espo": "name" } } }
        """
    static let person = """
        { "entity": "person", "ghl": { "object": "person", "updatedAt": "updatedAt" },
          "espo": { "object": "person", "updatedAt": "updatedAt" },
          "identity": [{ "field": "email", "match": "email" }],
          "fields": { "email": { "ghl": "email", "espo": "email" }, "city": { "ghl": "city", "espo": "city" },
                      "company": { "type": "reference", "entity": "company", "ghl": "companyId", "espo": "accountId" } } }
        """

    struct World {
        let folder: TemporaryFolder
        let ghl: FakeSide
        let espo = FakeSide(.espo, objects: ["company", "person"])
        let mappings: [Mapping]

        init(ghlBatched: [String: Set<String>] = [:]) throws {
            ghl = FakeSide(.ghl, objects: ["company", "person"], batched: ghlBatched)
            folder = try TemporaryFolder(prefix: "engine")
            // Named so that "company" sorts after "a-person": order must come from the references.
            mappings = [
                try Mapping.parse(Array(EngineTests.person.utf8), file: "a-person.json"),
                try Mapping.parse(Array(EngineTests.company.utf8), file: "company.json"),
            ]
        }

        func run(_ mode: RunSummary.Mode = .sync, full: Bool = false, allowMassDelete: Bool = false) async throws -> RunSummary {
            let (lock, store) = try Engine.open(statePath: folder.file("state.sqlite"))
            let engine = Engine(lock: lock, store: store, mappings: mappings, connectors: PerSide(ghl: ghl, espo: espo))
            return try await engine.run(RunOptions(mode: mode, full: full, allowMassDelete: allowMassDelete))
        }
    }

    static func entity(_ summary: RunSummary, _ name: String) -> RunSummary.Entity? {
        summary.entities.first { $0.plan.entity == name }
    }

    @Test func aChildOfAParentCreatedInTheSameRunIsCreatedUnderIt() async throws {
        let w = try World()
        let acme = w.ghl.insert("company", ["name": "Acme"])
        w.ghl.insert("person", ["email": "ann@x.com", "companyId": .string(acme)])
        let first = try await w.run()
        #expect(first.entities.map(\.plan.entity) == ["company", "person"])
        #expect(first.failureCount == 0)
        let espoAcme = try #require(w.espo.records("company").values.first?["id"]?.stringValue)
        let ann = try #require(w.espo.records("person").values.first)
        #expect(ann["accountId"]?.stringValue == espoAcme)
        let second = try await w.run(.plan)
        #expect(!second.hasPendingChanges, "\(second.entities.map(\.plan.operations))")
    }

    @Test func aChildWhoseParentIsNotLinkedIsSkippedNeverCreatedParentless() async throws {
        let w = try World()
        // The company cannot be created in EspoCRM: the person pointing at it must wait.
        w.espo.shared.state.withLock { $0.failing = ["create"] }
        let acme = w.ghl.insert("company", ["name": "Acme"])
        w.ghl.insert("person", ["email": "ann@x.com", "companyId": .string(acme)])
        let first = try await w.run()
        let person = try #require(Self.entity(first, "person"))
        #expect(person.plan.skipped.map(\.reason) == [.parentNotLinked(field: "company", entity: "company")])
        #expect(w.espo.records("person").isEmpty)
        // Once the company travels, so does the person, under it.
        w.espo.shared.state.withLock { $0.failing = [] }
        _ = try await w.run()
        let espoAcme = try #require(w.espo.records("company").values.first?["id"]?.stringValue)
        #expect(w.espo.records("person").values.map { $0["accountId"]?.stringValue } == [espoAcme])
        #expect(!(try await w.run(.plan)).hasPendingChanges)
    }

    @Test func aLaterEntitysLostCreatesAreLookedUpNotCreatedAgain() async throws {
        let w = try World()
        for n in 0..<3 { w.ghl.insert("person", ["email": .string("p\(n)@x.com")]) }
        w.espo.shared.state.withLock { $0.loseCreateAnswers = ["person"] }
        let first = try await w.run()
        #expect(first.failureCount == 3)
        #expect(w.espo.records("person").count == 3)
        w.espo.shared.state.withLock { $0.loseCreateAnswers = [] }
        // The company entity runs (and reconciles) first; it must not close the person entries.
        let second = try await w.run()
        #expect(second.failureCount == 0)
        #expect(w.espo.records("person").count == 3, "\(w.espo.log())")
        #expect(w.espo.log().filter { $0.hasPrefix("find person") }.count == 3)
        #expect(!(try await w.run(.plan)).hasPendingChanges)
    }

    @Test(arguments: [Side.ghl, .espo])
    func aDeletedRecordNeverComesBackOnTheNightsAfter(deletedOn side: Side) async throws {
        let w = try World()
        for n in 0..<5 { w.ghl.insert("person", ["email": .string("p\(n)@x.com"), "city": "Austin"]) }
        _ = try await w.run()
        let (gone, other) = side == .ghl ? (w.ghl, w.espo) : (w.espo, w.ghl)
        let victim = try #require(gone.records("person").keys.sorted().first)
        gone.remove("person", id: victim)
        // Sunday: the full listing sees the delete and propagates it.
        let sunday = try await w.run(full: true)
        #expect(Self.entity(sunday, "person")?.plan.count(.delete, on: side.other) == 1)
        #expect(other.records("person").count == 4)
        // Monday and the nights after, plain and full: nothing comes back on either side.
        for full in [false, false, true, false] {
            let night = try await w.run(full: full)
            #expect(night.entities.allSatisfy { $0.plan.writes.isEmpty }, "full \(full): \(night.entities.map(\.plan.writes))")
            #expect(w.ghl.records("person").count == 4 && w.espo.records("person").count == 4)
        }
    }

    @Test func aMassDeleteAllowedOnceStaysDone() async throws {
        let w = try World()
        for n in 0..<30 { w.espo.insert("person", ["email": .string("p\(n)@x.com")]) }
        _ = try await w.run()
        for id in w.espo.records("person").keys.sorted().prefix(20) { w.espo.remove("person", id: id) }
        await #expect(throws: EngineError.self) { try await w.run(full: true) }
        #expect(w.ghl.records("person").count == 30)
        _ = try await w.run(full: true, allowMassDelete: true)
        #expect(w.ghl.records("person").count == 10)
        for full in [false, true, false] {
            let night = try await w.run(full: full)
            #expect(night.entities.allSatisfy { $0.plan.writes.isEmpty })
        }
        #expect(w.ghl.records("person").count == 10 && w.espo.records("person").count == 10)
    }

    @Test func aClearTravelsAndAnAbsentKeyOfAWholeRecordIsAClear() async throws {
        let w = try World()
        w.ghl.insert("person", ["email": "ann@x.com", "city": "Austin"])
        _ = try await w.run()
        let id = try #require(w.ghl.records("person").keys.first)
        w.ghl.edit("person", id: id, ["city": .null])
        let run = try await w.run()
        #expect(Self.entity(run, "person")?.plan.count(.update, on: .espo) == 1)
        #expect(w.espo.records("person").values.first?["city"] == nil)
        #expect(!(try await w.run(.plan)).hasPendingChanges)
    }

    @Test func anObjectNoAdapterServesIsAnErrorListingTheSupportedOnes() async throws {
        let w = try World()
        var mapping = try Mapping.parse(Array(EngineTests.company.utf8), file: "widgets.json")
        mapping.sides.ghl.object = "widget"
        let (lock, store) = try Engine.open(statePath: w.folder.file("state.sqlite"))
        let engine = Engine(lock: lock, store: store, mappings: [mapping], connectors: PerSide(ghl: w.ghl, espo: w.espo))
        do {
            _ = try await engine.run(RunOptions(mode: .plan))
            Issue.record("an unsupported object was accepted")
        } catch {
            #expect(error.description.contains("widgets.json"))
            #expect(error.description.contains("\"widget\""))
            #expect(error.description.contains("\"company\", \"person\""))
        }
    }

    @Test func aFullListingWithAnUnreadableRowInfersNoDelete() async throws {
        let w = try World()
        for n in 0..<3 { w.ghl.insert("person", ["email": .string("p\(n)@x.com")]) }
        _ = try await w.run()
        let broken = try #require(w.espo.records("person").keys.sorted().first)
        w.espo.shared.state.withLock { $0.unreadable = ["person": [broken]] }
        let run = try await w.run(full: true)
        let person = try #require(Self.entity(run, "person"))
        #expect(person.unreadable.map(\.id) == [broken])
        #expect(run.unreadableCount == 1)
        #expect(person.plan.writes.isEmpty, "\(person.plan.writes)")
        #expect(w.ghl.records("person").count == 3)
        // Readable again: nothing was lost, nothing is to do.
        w.espo.shared.state.withLock { $0.unreadable = [:] }
        let next = try await w.run(full: true)
        #expect(next.unreadableCount == 0)
        #expect(next.entities.allSatisfy { $0.plan.writes.isEmpty })
        #expect(w.ghl.records("person").count == 3 && w.espo.records("person").count == 3)
    }

    /// A company written many records a call (GHL's bulk business): after the creates, in batches;
    /// a failed batch is retried the next night, and then nothing flips.
    @Test func batchedReferencesFollowTheirCreatesAndAFailedBatchIsRetried() async throws {
        let w = try World(ghlBatched: ["person": ["companyId"]])
        let acme = w.espo.insert("company", ["name": "Acme"])
        for n in 0..<3 { w.espo.insert("person", ["email": .string("p\(n)@x.com"), "accountId": .string(acme)]) }
        w.ghl.shared.state.withLock { $0.failing = ["updateMany"] }
        let first = try await w.run()
        // The creates went through; the company of each failed with its batch, reported on the create.
        #expect(w.ghl.records("person").count == 3)
        #expect(w.ghl.records("person").values.allSatisfy { $0["companyId"] == nil })
        #expect(first.failureCount == 3)
        #expect(Self.entity(first, "person")?.failures.allSatisfy { $0.operation.action == .create } == true)
        w.ghl.shared.state.withLock { $0.failing = [] }
        let second = try await w.run()
        #expect(second.failureCount == 0)
        let ghlAcme = try #require(w.ghl.records("company").keys.first)
        #expect(w.ghl.records("person").values.allSatisfy { $0["companyId"]?.stringValue == ghlAcme })
        // Two calls for three people at two a call; no record is written one by one.
        let calls = w.ghl.log().filter { $0.hasPrefix("updateMany person") }
        #expect(calls.count == 2 + 2, "\(calls)")   // the first night's failed pair, this night's pair
        #expect(!w.ghl.log().contains { $0.hasPrefix("update person") })
        for full in [false, true, false] {
            let night = try await w.run(full: full)
            #expect(night.entities.allSatisfy { $0.plan.writes.isEmpty }, "full \(full): \(night.entities.map(\.plan.writes))")
        }
    }
}
