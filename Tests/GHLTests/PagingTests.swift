import Emulation
import Foundation
import GHLClient
import GHLEmulator
import SyncCore
import Testing
import Transport

@Suite struct PagingTests {
    /// 25 000 contacts listed through `POST /contacts/search` while, after every page, one contact
    /// already seen and two not yet seen are updated, one unseen contact is deleted and one is created.
    @Test func pagingTwentyFiveThousandContactsWhileTheyChangeSeesEachOnce() async throws {
        let h = try await Harness.start()
        let summary = await h.emulator.seed(location: Harness.location, contacts: 25_000, perContact: 1)
        #expect(summary.contacts == 25_000)
        let initial = Set(await h.emulator.contactIds(location: Harness.location))
        var rng = SeededGenerator(seed: 9)

        var seen: [String: Int] = [:]
        var changedUnseen: [String: String] = [:]  // id → the city written before it was listed
        var changedSeen = Set<String>()
        var deleted = Set<String>()
        var created = Set<String>()
        var pages = h.client.searchContacts().makeAsyncIterator()
        var pageCount = 0
        while let page = try await pages.next() {
            pageCount += 1
            for contact in page {
                seen[contact.id, default: 0] += 1
                if let city = changedUnseen[contact.id] { #expect(contact.raw["city"]?.stringValue == city) }
            }
            let unseen = initial.subtracting(seen.keys).subtracting(deleted).subtracting(changedUnseen.keys)
            guard unseen.count > 4 else { continue }
            let picks = Array(unseen).sorted().shuffled(using: &rng).prefix(3)
            for id in picks.prefix(2) {
                let city = "Moved \(pageCount)"
                _ = try await h.client.updateContact(id, ["city": .string(city)])
                changedUnseen[id] = city
            }
            let doomed = picks[picks.startIndex + 2]
            #expect(try await h.client.deleteContact(doomed))
            deleted.insert(doomed)
            let seenOne = seen.keys.sorted()[Int(rng.next() % UInt64(seen.count))]
            _ = try await h.client.updateContact(seenOne, ["city": "Seen then moved"])
            changedSeen.insert(seenOne)
            created.insert(try await h.client.createContact(["email": .string("paging+\(pageCount)@example.com")]).id)
        }
        #expect(seen.values.allSatisfy { $0 == 1 }, "a contact was yielded twice")
        #expect(Set(seen.keys).isSuperset(of: initial.subtracting(deleted)), "a contact was missed")
        #expect(Set(seen.keys).isDisjoint(with: deleted))
        #expect(Set(seen.keys).isSuperset(of: created))
        #expect(pages.repeats == changedSeen.count)
        // 25 000 rows at 500 a page, plus the rows that moved behind the cursor: one request per page.
        #expect(pages.requests <= 25_000 / 500 + 3)
        #expect(h.client.counts.byEndpoint["POST /contacts/search"] == pages.requests)
        await h.stop()
    }

    @Test func anIncrementalRunListsOnlyWhatChangedSinceItsMark() async throws {
        let h = try await Harness.start()
        await h.emulator.seed(location: Harness.location, contacts: 1_200, perContact: 0)
        let ids = await h.emulator.contactIds(location: Harness.location).sorted()
        let mark = Int64(Date().timeIntervalSince1970 * 1000) - 1
        for id in ids.prefix(7) { _ = try await h.client.updateContact(id, ["city": "Changed"]) }
        let created = try await h.client.createContact(["email": "incremental+1@example.com"])
        var listed: [String] = []
        for try await page in h.client.searchContacts(updatedSince: mark) { listed += page.map(\.id) }
        #expect(Set(listed) == Set(ids.prefix(7) + [created.id]))
        #expect(h.client.counts.byEndpoint["POST /contacts/search"] == 1)
        await h.stop()
    }

    @Test func theDeprecatedListPagesByDateAddedAndId() async throws {
        let h = try await Harness.start()
        await h.emulator.seed(location: Harness.location, contacts: 250, perContact: 0)
        var listed: [String] = []
        for try await page in h.client.listContacts() {
            #expect(page.count <= 100)
            listed += page.map(\.id)
        }
        #expect(listed.count == 250 && Set(listed).count == 250)
        #expect(h.client.counts.byEndpoint["GET /contacts/"] == 3)
        await h.stop()
    }

    @Test func searchShowsChangesOnlyAfterTheIndexLag() async throws {
        let h = try await Harness.start(settings: .init(
            rateLimit: RateLimit(requests: 1000, interval: .seconds(10), daily: 200_000, concurrency: 8), searchLag: .seconds(10)))
        // The lag is long enough that a loaded machine still searches before it has passed.
        let contact = try await h.client.createContact(["email": "lag+1@example.com"])
        var first: [String] = []
        for try await page in h.client.searchContacts() { first += page.map(\.id) }
        #expect(first.isEmpty)
        #expect(try await h.client.contact(contact.id).email == "lag+1@example.com")
        var later: [String] = []
        for _ in 0..<80 where later.isEmpty {
            try await Task.sleep(for: .milliseconds(250))
            for try await page in h.client.searchContacts() { later += page.map(\.id) }
        }
        #expect(later == [contact.id])
        await h.stop()
    }
}
