import Engine
import Foundation
import StateStore
import Synchronization
import SyncCore
import Testing
import TestSupport

/// `serve`'s passes: the engine run over the records events name, with the batch's journal, base and
/// guards, and nothing else touched.
@Suite struct FocusTests {
    typealias World = EngineTests.World

    func pass(_ w: World, _ focus: Focus) async throws -> RunSummary {
        let (lock, store) = try Engine.open(statePath: w.folder.file("state.sqlite"))
        let engine = Engine(lock: lock, store: store, mappings: w.mappings, connectors: PerSide(ghl: w.ghl, espo: w.espo))
        return try await engine.run(focus: focus)
    }

    func focus(_ id: String, on side: Side, entity: String = "person") -> Focus {
        var focus = Focus()
        focus.add(id, of: entity, on: side)
        return focus
    }

    func synced(_ count: Int) async throws -> (World, [String]) {
        let w = try World()
        let ids = (0..<count).map { w.ghl.insert("person", ["email": .string("p\($0)@x.com"), "city": "Austin"]) }
        _ = try await w.run()
        return (w, ids)
    }

    func espoId(of ghlId: String, _ w: World) throws -> String {
        let email = try #require(w.ghl.records("person")[ghlId]?["email"]?.stringValue)
        return try #require(w.espo.records("person").values.first { $0["email"]?.stringValue == email }?["id"]?.stringValue)
    }

    @Test func aNamedEditTravelsAndNothingElseIsTouched() async throws {
        let (w, ids) = try await synced(3)
        w.ghl.edit("person", id: ids[0], ["city": "Boston"])
        // Edited too, but no event names it: a pass leaves it to its own event or the batch.
        w.ghl.edit("person", id: ids[1], ["city": "Dallas"])
        let summary = try await pass(w, focus(ids[0], on: .ghl))
        #expect(summary.failureCount == 0)
        #expect(w.espo.records("person")[try espoId(of: ids[0], w)]?["city"]?.stringValue == "Boston")
        #expect(w.espo.records("person")[try espoId(of: ids[1], w)]?["city"]?.stringValue == "Austin")
        // The batch afterwards: only the other edit; the first is settled.
        let night = try await w.run()
        #expect(EngineTests.entity(night, "person")?.plan.writes.count == 1)
        #expect(!(try await w.run(.plan)).hasPendingChanges)
    }

    @Test func anAnswerThatStopsAPassStopsThatPassAloneNotTheProcessRunningIt() async throws {
        let (w, _) = try await synced(1)
        let newcomer = w.ghl.insert("person", ["email": "new@x.com", "city": "Austin"])
        w.espo.shared.state.withLock { $0.failing = ["create:forbidden"] }
        let serving = StopSignal()
        let (lock, store) = try Engine.open(statePath: w.folder.file("state.sqlite"))
        let engine = Engine(lock: lock, store: store, mappings: w.mappings, connectors: PerSide(ghl: w.ghl, espo: w.espo), stop: serving)
        let summary = try await engine.run(focus: focus(newcomer, on: .ghl))
        #expect(summary.stoppedBy?.contains("403") == true, "\(summary.stoppedBy ?? "not stopped")")
        #expect(summary.interrupted && summary.failureCount == 1)
        // serve's own signal is untouched: its worker goes on to the next pass, which applies the create.
        #expect(!serving.isSet)
        w.espo.shared.state.withLock { $0.failing = [] }
        let next = try await engine.run(focus: focus(newcomer, on: .ghl))
        #expect(next.stoppedBy == nil && next.failureCount == 0)
        #expect(w.espo.records("person").values.contains { $0["email"]?.stringValue == "new@x.com" })
    }

    @Test func theEchoOfOurOwnWriteWritesNothing() async throws {
        let (w, ids) = try await synced(2)
        w.espo.edit("person", id: try espoId(of: ids[0], w), ["city": "Boston"])
        let first = try await pass(w, focus(try espoId(of: ids[0], w), on: .espo))
        #expect(EngineTests.entity(first, "person")?.applied == 1)
        #expect(w.ghl.records("person")[ids[0]]?["city"]?.stringValue == "Boston")
        // GHL's webhook for that write comes back: read again, it holds what we wrote.
        let before = w.ghl.log().count + w.espo.log().count
        let echo = try await pass(w, focus(ids[0], on: .ghl))
        #expect(echo.entities.allSatisfy { $0.plan.writes.isEmpty }, "\(echo.entities.map(\.plan.writes))")
        let calls = w.ghl.log().count + w.espo.log().count - before
        #expect(calls <= 2, "the echo only reads the record and its pair: \(w.ghl.log().suffix(3)) \(w.espo.log().suffix(3))")
    }

    @Test func aRepeatedOrLateEventCannotMakeAnOlderValueWin() async throws {
        let (w, ids) = try await synced(1)
        w.ghl.edit("person", id: ids[0], ["city": "Boston"])
        _ = try await pass(w, focus(ids[0], on: .ghl))
        w.ghl.edit("person", id: ids[0], ["city": "Chicago"])
        _ = try await pass(w, focus(ids[0], on: .ghl))
        // The first event delivered again, ten minutes late: the record is read, not the event.
        let late = try await pass(w, focus(ids[0], on: .ghl))
        #expect(late.entities.allSatisfy { $0.plan.writes.isEmpty })
        #expect(w.espo.records("person")[try espoId(of: ids[0], w)]?["city"]?.stringValue == "Chicago")
    }

    @Test(arguments: [Side.ghl, .espo])
    func aDeleteAnEventNamesTravelsAndStaysDone(on side: Side) async throws {
        let (w, ids) = try await synced(4)
        let espo = try espoId(of: ids[0], w)
        let (gone, other, id) = side == .ghl ? (w.ghl, w.espo, ids[0]) : (w.espo, w.ghl, espo)
        gone.remove("person", id: id)
        let summary = try await pass(w, focus(id, on: side))
        #expect(EngineTests.entity(summary, "person")?.plan.count(.delete, on: side.other) == 1)
        #expect(other.records("person").count == 3)
        // The nights after, plain and full: nothing comes back.
        for full in [false, true] {
            let night = try await w.run(full: full)
            #expect(night.entities.allSatisfy { $0.plan.writes.isEmpty }, "\(night.entities.map(\.plan.writes))")
            #expect(w.ghl.records("person").count == 3 && w.espo.records("person").count == 3)
        }
    }

    @Test func aRecordThatCannotBeReadIsNeverTakenForDeleted() async throws {
        let (w, ids) = try await synced(2)
        w.ghl.shared.state.withLock { $0.failing = ["read"] }
        let summary = try await pass(w, focus(ids[0], on: .ghl))
        #expect(summary.unreadableCount == 1)
        #expect(summary.entities.allSatisfy { $0.plan.writes.isEmpty })
        #expect(w.espo.records("person").count == 2)
    }

    @Test func aNewRecordAnEventNamesIsCreatedOnTheOtherSideOnce() async throws {
        let (w, _) = try await synced(1)
        let id = w.ghl.insert("person", ["email": "new@x.com", "city": "Reno"])
        _ = try await pass(w, focus(id, on: .ghl))
        _ = try await pass(w, focus(id, on: .ghl))
        #expect(w.espo.records("person").values.filter { $0["email"]?.stringValue == "new@x.com" }.count == 1)
        #expect(!(try await w.run(.plan)).hasPendingChanges)
    }

    @Test func aPollListsFromTheHighWaterMarkAndAppliesWhatChanged() async throws {
        let (w, ids) = try await synced(3)
        w.ghl.shared.state.withLock { $0.honorsSince = true }
        w.ghl.edit("person", id: ids[2], ["city": "Denver"])
        var focus = Focus()
        focus.polled["person"] = [.ghl]
        focus.polled["company"] = [.ghl]
        _ = try await pass(w, focus)
        #expect(w.espo.records("person")[try espoId(of: ids[2], w)]?["city"]?.stringValue == "Denver")
        #expect(!(try await w.run(.plan)).hasPendingChanges)
    }

    @Test func aBurstOfDeletesIsHeldByTheMassDeleteGuard() async throws {
        let (w, ids) = try await synced(30)
        var focus = Focus()
        for id in ids.prefix(20) {
            w.ghl.remove("person", id: id)
            focus.add(id, of: "person", on: .ghl)
        }
        let summary = try await pass(w, focus)
        #expect(EngineTests.entity(summary, "person")?.plan.massDeleteGuard != nil)
        #expect(w.espo.records("person").count == 30)
    }
}

/// The run lock between a batch and `serve`'s worker.
@Suite struct RunLockTests {
    @Test func aBatchWaitsForServesWorkerButNotForAnotherBatch() async throws {
        let folder = try TemporaryFolder(prefix: "lock")
        let path = folder.file("state.sqlite")
        let worker = Mutex<RunLock?>(try RunLock(statePath: path, as: .serve, waitingFor: []))
        // Released from a thread of its own: the batch's wait blocks the thread it runs on.
        let released = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            usleep(300_000)
            worker.withLock { $0 = nil }
            released.signal()
        }
        // The batch finds the worker holding the lock and waits for its pass to end.
        let batch = try RunLock(statePath: path, maxWait: 30)
        released.wait()
        #expect(worker.withLock { $0 == nil })
        // While the batch holds it, the worker and a second batch are told at once.
        #expect(throws: EngineError.self) { _ = try RunLock(statePath: path, as: .serve, waitingFor: []) }
        #expect(throws: EngineError.self) { _ = try RunLock(statePath: path, maxWait: 30) }
        withExtendedLifetime(batch) {}
    }
}
