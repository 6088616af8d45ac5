import Foundation
import GRDB
import StateStore
import SyncCore
import Testing
import TestSupport

@Suite struct InboxTests {
    static func event(_ source: InboxEvent.Source, key: String?, id: String = "r1") -> InboxEvent {
        let side: Side = source == .espo ? .espo : .ghl
        return InboxEvent(
            source: source, dedupeKey: key, event: source == .espo ? "Contact.update" : "ContactUpdate",
            object: source == .espo ? "Contact" : "contact", side: side, recordId: id)
    }

    @Test func aRequestIsStoredInOneTransaction() throws {
        let folder = try TemporaryFolder()
        let store = try StateStore(path: folder.file())
        // Another connection to the file makes the third insert fail: none of the request's rows may stay.
        let other = try DatabaseQueue(path: folder.file())
        try other.write { db in
            try db.execute(sql: """
                CREATE TRIGGER poison BEFORE INSERT ON inbox WHEN NEW.record_id = 'poison'
                BEGIN SELECT RAISE(ABORT, 'poisoned'); END
                """)
        }
        let events = [Self.event(.ghl, key: "ghl:a", id: "r1"), Self.event(.ghl, key: "ghl:b", id: "r2"), Self.event(.ghl, key: "ghl:c", id: "poison")]
        #expect(throws: StateStoreError.self) { try store.acceptInbox(events, at: Date()) }
        #expect(try store.inboxStatus().depth == 0)
        try other.write { db in try db.execute(sql: "DROP TRIGGER poison") }
        #expect(try store.acceptInbox(Array(events.prefix(2)), at: Date()) == InboxAcceptance(new: 2, duplicates: 0, full: false))
        try other.close()
    }

    @Test func duplicatesAreCountedAndNotStoredAgain() throws {
        let folder = try TemporaryFolder()
        let store = try StateStore(path: folder.file())
        let first = try store.acceptInbox([Self.event(.ghl, key: "ghl:1"), Self.event(.ghl, key: "ghl:2"), Self.event(.ghl, key: "ghl:1")], at: Date())
        #expect(first == InboxAcceptance(new: 2, duplicates: 1, full: false))
        let again = try store.acceptInbox([Self.event(.ghl, key: "ghl:2"), Self.event(.ghl, key: "ghl:3")], at: Date())
        #expect(again == InboxAcceptance(new: 1, duplicates: 1, full: false))
        // Rows without a key are never duplicates.
        let unkeyed = try store.acceptInbox([Self.event(.poll, key: nil), Self.event(.poll, key: nil)], at: Date())
        #expect(unkeyed == InboxAcceptance(new: 2, duplicates: 0, full: false))
        #expect(try store.inboxStatus().depth == 5)
    }

    @Test func pendingEventsComeOldestFirstUntilApplied() throws {
        let folder = try TemporaryFolder()
        let store = try StateStore(path: folder.file())
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        _ = try store.acceptInbox([Self.event(.ghl, key: "ghl:a", id: "a")], at: t0)
        _ = try store.acceptInbox([Self.event(.espo, key: "espo:b", id: "b"), Self.event(.poll, key: "poll:c", id: "c")], at: t0.addingTimeInterval(5))
        let pending = try store.pendingInbox(limit: 10)
        #expect(pending.map(\.event.recordId) == ["a", "b", "c"])
        #expect(pending[0].receivedAt == t0)
        #expect(pending[1].event == Self.event(.espo, key: "espo:b", id: "b"))
        #expect(try store.inboxStatus() == InboxStatus(depth: 3, oldest: t0))
        #expect(try store.pendingInbox(limit: 2).count == 2)

        try store.markInboxFailed(ids: [pending[0].id], error: "GHL answered 503")
        try store.markInboxFailed(ids: [pending[0].id], error: "GHL answered 502")
        let failed = try store.pendingInbox(limit: 1)[0]
        #expect(failed.attempts == 2)
        #expect(failed.lastError == "GHL answered 502")

        try store.markInboxApplied(ids: [pending[0].id, pending[1].id], at: t0.addingTimeInterval(10))
        #expect(try store.pendingInbox(limit: 10).map(\.event.recordId) == ["c"])
        #expect(try store.inboxStatus() == InboxStatus(depth: 1, oldest: t0.addingTimeInterval(5)))
        try store.markInboxApplied(ids: [pending[2].id], at: t0.addingTimeInterval(10))
        #expect(try store.inboxStatus() == InboxStatus(depth: 0, oldest: nil))
    }

    @Test func ghlKeysAreKeptAfterApplyUntilPrunedAndTheOthersAreReleased() throws {
        let folder = try TemporaryFolder()
        let store = try StateStore(path: folder.file())
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let events = [Self.event(.ghl, key: "ghl:w1"), Self.event(.espo, key: "espo:x"), Self.event(.poll, key: "poll:y")]
        _ = try store.acceptInbox(events, at: t0)
        // While pending, every key dedupes.
        #expect(try store.acceptInbox(events, at: t0) == InboxAcceptance(new: 0, duplicates: 3, full: false))
        try store.markInboxApplied(ids: try store.pendingInbox(limit: 10).map(\.id), at: t0.addingTimeInterval(1))
        // Applied: GHL's replay is still a duplicate; EspoCRM's and the poll's item can come again.
        #expect(try store.acceptInbox(events, at: t0.addingTimeInterval(2)) == InboxAcceptance(new: 2, duplicates: 1, full: false))
        #expect(try store.pendingInbox(limit: 10).map(\.event.source) == [.espo, .poll])

        // A day later the applied rows are pruned, and with them the replay key.
        #expect(try store.pruneInbox(appliedBefore: t0.addingTimeInterval(1)) == 0)
        #expect(try store.pruneInbox(appliedBefore: t0.addingTimeInterval(86_400)) == 3)
        #expect(try store.inboxStatus().depth == 2)
        #expect(try store.acceptInbox([events[0]], at: t0.addingTimeInterval(86_401)).new == 1)
    }

    @Test func anEspoItemArrivingAgainWhileAPassAppliesItIsStoredAnew() throws {
        let folder = try TemporaryFolder()
        let store = try StateStore(path: folder.file())
        _ = try store.acceptInbox([Self.event(.espo, key: "espo:k"), Self.event(.ghl, key: "ghl:k")], at: Date())
        // Pending: the same item is a duplicate.
        #expect(try store.acceptInbox([Self.event(.espo, key: "espo:k")], at: Date()).duplicates == 1)
        // A pass takes both: EspoCRM's key is released (its record may change again while it is read),
        // GHL's webhookId is kept against replays.
        let taken = try store.pendingInbox(limit: 10).map(\.id)
        try store.releaseInboxKeys(ids: taken)
        #expect(try store.acceptInbox([Self.event(.espo, key: "espo:k"), Self.event(.ghl, key: "ghl:k")], at: Date())
            == InboxAcceptance(new: 1, duplicates: 1, full: false))
    }

    @Test func aFullInboxStoresNothing() throws {
        let folder = try TemporaryFolder()
        let store = try StateStore(path: folder.file())
        #expect(try store.acceptInbox([Self.event(.ghl, key: "a"), Self.event(.ghl, key: "b")], at: Date(), capacity: 2).new == 2)
        #expect(try store.acceptInbox([Self.event(.ghl, key: "c")], at: Date(), capacity: 2) == InboxAcceptance(new: 0, duplicates: 0, full: true))
        #expect(try store.inboxStatus().depth == 2)
        try store.markInboxApplied(ids: [try store.pendingInbox(limit: 1)[0].id], at: Date())
        #expect(try store.acceptInbox([Self.event(.ghl, key: "c")], at: Date(), capacity: 2).new == 1)
    }

    @Test func anotherProcesssWriteLockMakesItBusyAfterAShortWaitAndNothingIsStored() throws {
        let folder = try TemporaryFolder()
        let store = try StateStore(path: folder.file())
        let other = try DatabaseQueue(path: folder.file())
        let holding = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let holder = Thread {
            try? other.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    holding.signal()
                    release.wait()
                    return .commit
                }
            }
        }
        holder.start()
        holding.wait()
        let started = Date()
        do {
            _ = try store.acceptInbox([Self.event(.ghl, key: "k")], at: Date(), waitingAtMost: .milliseconds(200))
            Issue.record("stored while another connection held the write lock")
        } catch {
            #expect(error.kind == .busy)
        }
        #expect(Date().timeIntervalSince(started) < 4, "waited for the long busy timeout instead of the short one")
        release.signal()
        // The short wait was for that call only: the next waits its turn and succeeds.
        #expect(try store.acceptInbox([Self.event(.ghl, key: "k")], at: Date()).new == 1)
        try other.close()
    }

    @Test func twoProcessesWritingTheFileAtOnceLoseNothing() async throws {
        let folder = try TemporaryFolder()
        let receiver = try StateStore(path: folder.file())
        let batch = try StateStore(path: folder.file())
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for n in 0..<200 { _ = try receiver.acceptInbox([Self.event(.ghl, key: "ghl:\(n)", id: "r\(n)")], at: Date()) }
            }
            group.addTask {
                for n in 0..<200 {
                    try batch.saveToken(Array("sealed \(n)".utf8), name: "t\(n % 7)", keyId: "test-key")
                    _ = try batch.acceptInbox([Self.event(.poll, key: "poll:\(n)", id: "p\(n)")], at: Date())
                }
            }
            try await group.waitForAll()
        }
        #expect(try receiver.inboxStatus().depth == 400)
        #expect(Set(try receiver.pendingInbox(limit: 1000).map(\.event.recordId)).count == 400)
    }
}
