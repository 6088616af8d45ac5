import Emulation
import Foundation
@testable import GHLClient
import GHLEmulator
import SyncCore
import Testing
import Transport

/// The shapes the emulator answers contacts in, held against FACTS §7.1.
@Suite struct ContactShapeTests {
    private func searchRow(_ id: String, _ client: GHLClient) async throws -> Contact? {
        var rows: [Contact] = []
        for try await page in client.searchContacts() { rows += page }
        return rows.first { $0.id == id }
    }

    @Test func searchRowsCarryTheStreetAsAddressWhileAReadCarriesAddress1() async throws {
        let h = try await Harness.start()
        let created = try await h.client.createContact(["email": "street+1@example.com", "address1": "12 Elm St", "city": "Oslo"])
        #expect(created.raw["address1"] == "12 Elm St")
        let read = try await h.client.contact(created.id)
        #expect(read.raw["address1"] == "12 Elm St" && read.raw["address"] == nil)
        let row = try #require(try await searchRow(created.id, h.client))
        #expect(row.raw["address"] == "12 Elm St")
        #expect(row.raw["address1"] == nil, "search rows say `address`, not `address1` (FACTS §7.1)")
        #expect(row.raw["city"] == "Oslo")
        var listed: [Contact] = []
        for try await page in h.client.listContacts() { listed += page }
        #expect(listed.first?.raw["address"] == "12 Elm St")
        await h.stop()
    }

    @Test func aFieldClearedWithNullOrAnEmptyStringVanishesFromReadsAndRows() async throws {
        let h = try await Harness.start()
        let created = try await h.client.createContact([
            "email": "clear+1@example.com", "address1": "3 Oak Rd", "city": "Bergen", "website": "example.com",
            "phone": "+14155550111",
        ])
        let updated = try await h.client.updateContact(created.id, ["address1": nil, "city": "", "phone": ""])
        for key in ["address1", "city", "phone"] { #expect(updated.raw[key] == nil, "\(key) in the PUT answer") }
        let read = try await h.client.contact(created.id)
        for key in ["address1", "city", "phone"] { #expect(read.raw[key] == nil, "\(key) in GET") }
        #expect(read.raw["website"] == "example.com")
        let row = try #require(try await searchRow(created.id, h.client))
        for key in ["address", "address1", "city", "phone"] { #expect(row.raw[key] == nil, "\(key) in a search row") }
        #expect(!read.raw.values.contains(.null) && !row.raw.values.contains(.null), "no answer carries a null")
        await h.stop()
    }

    @Test func tagsAreAddedAndRemovedAsSentAndMoveDateUpdated() async throws {
        let h = try await Harness.start()
        let created = try await h.client.createContact(["email": "tags+1@example.com", "tags": ["lead"]])
        let before = try await h.client.contact(created.id)
        #expect(try await h.client.addTags(["Trade Show 2026", "lead", "LEAD"], to: created.id) == ["lead", "Trade Show 2026"])
        let added = try await h.client.contact(created.id)
        #expect(added.tags == ["lead", "Trade Show 2026"])
        #expect((added.dateUpdatedMilliseconds ?? 0) > (before.dateUpdatedMilliseconds ?? 0))
        #expect(try await searchRow(created.id, h.client)?.tags == ["lead", "Trade Show 2026"])

        #expect(try await h.client.removeTags(["trade show 2026"], from: created.id) == ["lead"])
        let removed = try await h.client.contact(created.id)
        #expect(removed.tags == ["lead"])
        #expect((removed.dateUpdatedMilliseconds ?? 0) > (added.dateUpdatedMilliseconds ?? 0))
        await h.stop()
    }
}
