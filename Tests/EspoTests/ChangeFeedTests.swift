import EspoClient
import EspoEmulator
import Synchronization
import Testing
import SyncCore
import Transport

@Suite struct ChangeFeedTests {
    /// 25 000 contacts, 250 per second of `modifiedAt` (so every page boundary falls inside a run of
    /// equal timestamps), edited, created and deleted while the feed pages through them.
    @Test func pagingAcross25000ContactsWithEditsSeesEachOnce() async throws {
        let plan = SeedPlan(contacts: 25_000, seed: 7, start: 1_767_225_600, perSecond: 250)
        let world = try await EspoWorld.start(seed: plan, clock: ManualClock(1_767_225_600 + 10_000))
        defer { Task { await world.stop() } }
        let client = world.client
        let initial = world.emulator.ids("Contact")
        var random = SeededGenerator(seed: 99)

        var seen: [String: Int] = [:]
        var values: [String: Espo.Contact] = [:]
        var editedAhead: Set<String> = []
        var editedBehind: [String: String] = [:]
        var created: Set<String> = []
        var deletedAhead: Set<String> = []
        var pages = 0
        var heldBack = 0
        var lastCursor: String?
        var totals: [Int] = []
        for try await page in client.changes(Espo.Contact.self, since: nil) {
            pages += 1
            totals.append(page.total)
            heldBack += page.heldBack
            #expect(page.failures.isEmpty)
            for contact in page.records {
                seen[contact.id, default: 0] += 1
                values[contact.id] = contact
            }
            lastCursor = page.cursor
            guard pages % 5 == 0, seen.count < initial.count - 1_000 else { continue }
            // Edit two records not reached yet, one already delivered, create one, delete one ahead.
            world.clock.advance(by: 1)
            let ahead = initial.filter { seen[$0] == nil && !deletedAhead.contains($0) && !editedAhead.contains($0) }
            for id in [ahead[Int(random.next() % UInt64(ahead.count))], ahead[Int(random.next() % UInt64(ahead.count))]] {
                _ = try await client.update(Espo.Contact.self, id: id, ["firstName": .string("Edited\(pages)")])
                editedAhead.insert(id)
            }
            let behind = seen.keys.sorted()[Int(random.next() % UInt64(seen.count))]
            if editedBehind[behind] == nil {
                #expect(world.emulator.edit("Contact", id: behind, ["addressCity": .string("Moved\(pages)")]))
                editedBehind[behind] = world.emulator.record("Contact", id: behind)?["modifiedAt"]?.stringValue ?? ""
            }
            let fresh = try #require(try await client.create(Espo.Contact.self, [
                "firstName": "New", "lastName": .string("Person\(pages)"), "emailAddress": .string("new+\(pages)@example.com"),
            ]).created)
            created.insert(fresh.id)
            if let doomed = ahead.last, !editedAhead.contains(doomed) {
                try await client.delete(.contact, id: doomed)
                deletedAhead.insert(doomed)
            }
        }

        let live = Set(world.emulator.ids("Contact"))
        // Only the first request counts; the others send X-No-Total (-1: more follow, -2: last page).
        #expect(totals.first == 25_000)
        #expect(totals.dropFirst().dropLast().allSatisfy { $0 == -1 })
        #expect(totals.last == -2)
        #expect(seen.values.allSatisfy { $0 == 1 }, "no record delivered twice")
        #expect(Set(seen.keys) == live, "every live record delivered, deleted ones not")
        #expect(live.count == 25_000 + created.count - deletedAhead.count)
        #expect(created.isSubset(of: Set(seen.keys)))
        #expect(editedAhead.count > 40)
        for id in editedAhead { #expect(values[id]?.firstName?.hasPrefix("Edited") == true, "met after its edit") }
        // Records changed after delivery wait for the next pull: the cursor does not pass them.
        #expect(heldBack == editedBehind.count)
        let cursor = try #require(lastCursor)
        for (_, modifiedAt) in editedBehind { #expect(modifiedAt >= cursor) }
        let delivered = values.mapValues { $0.modifiedAt }
        let next = try await drain(client.changes(Espo.Contact.self, since: cursor, alreadyHave: { id, modifiedAt in
            delivered[id] == modifiedAt
        }))
        #expect(Set(next.records.map(\.id)) == Set(editedBehind.keys))
        // Keyset paging: one list request per 200 rows (plus the last partial page), no per-record reads.
        let listRequests = client.counts.byEndpoint["GET /Contact"] ?? 0
        #expect(pages == listRequests - (next.records.isEmpty ? 0 : 1) || pages == listRequests - 1)
        #expect(pages <= (live.count + editedAhead.count) / 200 + 2)
        #expect(client.counts.byEndpoint["GET /Contact/{id}"] == nil)
        await world.stop()
    }

    @Test func anIncrementalPullReturnsExactlyWhatChanged() async throws {
        let plan = SeedPlan(contacts: 600, accounts: 3, seed: 11, start: 1_767_225_600, perSecond: 20)
        let clock = ManualClock(1_767_225_600 + 100)
        let world = try await EspoWorld.start(seed: plan, clock: clock)
        defer { Task { await world.stop() } }
        let client = world.client

        var snapshot: [String: String] = [:]
        var cursor: String?
        for try await page in client.changes(Espo.Contact.self, since: nil) {
            for contact in page.records { snapshot[contact.id] = contact.modifiedAt }
            cursor = page.cursor
        }
        #expect(snapshot.count == 600)
        let since = try #require(cursor)

        clock.advance(by: 60)
        let ids = snapshot.keys.sorted()
        var changed: Set<String> = []
        for id in ids.prefix(7) {
            _ = try await client.update(Espo.Contact.self, id: id, ["description": "changed"])
            changed.insert(id)
        }
        // A PATCH that changes nothing still moves modifiedAt on a real server (FACTS §15), so the
        // feed reports it as a change.
        let unchangedId = ids[100]
        let current = try await client.read(Espo.Contact.self, id: unchangedId)
        _ = try await client.update(Espo.Contact.self, id: unchangedId, ["lastName": .string(current.lastName ?? "")])
        changed.insert(unchangedId)
        clock.advance(by: 1)
        for number in 0..<3 {
            let made = try #require(try await client.create(Espo.Contact.self, [
                "lastName": .string("Fresh\(number)"), "phoneNumber": .string("+4930123456\(number)"),
            ]).created)
            changed.insert(made.id)
        }
        let known = snapshot
        let pull = try await drain(client.changes(Espo.Contact.self, since: since, alreadyHave: { id, modifiedAt in
            known[id] == modifiedAt
        }))
        #expect(Set(pull.records.map(\.id)) == changed)
        #expect(pull.records.count == changed.count)
        let newCursor = try #require(pull.last?.cursor)
        #expect(newCursor == Timestamp.naive(clock.now))
        // Nothing changed since: the next pull finds only versions it already has.
        var after = known
        for contact in pull.records { after[contact.id] = contact.modifiedAt }
        let latest = after
        let empty = try await drain(client.changes(Espo.Contact.self, since: newCursor, alreadyHave: { id, modifiedAt in
            latest[id] == modifiedAt
        }))
        #expect(empty.records.isEmpty)
        await world.stop()
    }
}
