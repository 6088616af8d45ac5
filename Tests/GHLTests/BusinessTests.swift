import Emulation
import Foundation
@testable import GHLClient
import GHLEmulator
import SyncCore
import Testing
import Transport

@Suite struct BusinessTests {
    @Test func aBusinessRoundTripsThroughEveryBusinessEndpoint() async throws {
        let h = try await Harness.start()
        let client = h.client
        let created = try await client.createBusiness([
            "name": "Acme Corp", "email": "info@acme.example", "phone": "+1 415-555-0142", "website": "acme.example",
            "address": "1 Market St", "city": "San Francisco", "country": "united states",
        ])
        #expect(created.name == "Acme Corp" && created.locationId == Harness.location)
        #expect(created.phone == "+14155550142")
        #expect(created.address == "1 Market St" && created.country == "united states")
        #expect(created.id.count == 24 && created.id.allSatisfy(\.isHexDigit))
        #expect(created.createdAt != nil && created.updatedAt == created.createdAt)
        #expect(created.raw["description"] == nil && created.raw["postalCode"] == nil, "unset members are left out, never null")

        let read = try await client.business(created.id)
        #expect(read.raw == created.raw)

        let updated = try await client.updateBusiness(created.id, ["description": "Anvils", "city": "", "website": ""])
        #expect(updated.description == "Anvils" && updated.name == "Acme Corp")
        #expect(updated.raw["city"] == nil && updated.raw["website"] == nil, "a cleared member vanishes")
        #expect((updated.updatedAtMilliseconds ?? 0) > (created.updatedAtMilliseconds ?? 0))
        #expect(updated.createdAt == created.createdAt)
        let again = try await client.updateBusiness(created.id, [:])
        #expect((again.updatedAtMilliseconds ?? 0) > (updated.updatedAtMilliseconds ?? 0), "every write moves updatedAt")
        #expect(try await client.business(created.id).raw["city"] == nil)

        var listed: [Business] = []
        for try await page in client.businesses() { listed += page }
        #expect(listed.map(\.id) == [created.id])

        #expect(try await client.deleteBusiness(created.id))
        let gone = await apiError { try await client.business(created.id) }
        #expect(gone?.kind == .notFound && gone?.status == 404)
        let notThere = await apiError { try await client.updateBusiness(created.id, ["name": "Again"]) }
        #expect(notThere?.kind == .notFound)
        let deletedTwice = await apiError { try await client.deleteBusiness(created.id) }
        #expect(deletedTwice?.kind == .notFound)
        await h.stop()
    }

    @Test func membersTheBusinessDTOsLackAreRefusedBeforeSendingAndByTheEmulator() async throws {
        // Not recorded: it sends bodies that break the spec on purpose.
        let h = try await Harness.start(record: false)
        let client = h.client
        let local = await apiError { try await client.createBusiness(["name": "X", "industry": "Tools"]) }
        #expect(local?.kind == .rejected && local?.attempts == 0 && local?.message.contains("`industry`") == true)
        let id = try await client.createBusiness(["name": "Y"]).id
        let noLocation = await apiError { try await client.updateBusiness(id, ["locationId": .string(Harness.location)]) }
        #expect(noLocation?.attempts == 0, "UpdateBusinessDto has no locationId")
        #expect(client.counts.byEndpoint["PUT /businesses/{businessId}"] == nil)

        // Sent anyway (past the client's check), the emulator answers as GHL does.
        let unknown = await apiError {
            try await client.call(client.request(.put, "/businesses/\(id)", endpoint: "PUT /businesses/{businessId}",
                                                 body: ["industry": "Tools"]))
        }
        #expect(unknown?.status == 422 && unknown?.message == "property industry should not exist")
        let nameless = await apiError {
            try await client.call(client.request(.post, "/businesses/", endpoint: "POST /businesses/",
                                                 body: ["locationId": .string(Harness.location)]))
        }
        #expect(nameless?.status == 422 && nameless?.message.contains("name") == true)
        await h.stop()
    }

    @Test func theListingPagesThroughEveryBusinessOfTheLocation() async throws {
        let h = try await Harness.start()
        var seeded: [String] = []
        for n in 0..<250 { seeded.append(await h.emulator.seedBusiness(location: Harness.location, ["name": .string("Company \(n)")])) }
        await h.emulator.seedBusiness(location: "otherLocation", ["name": "Elsewhere"])
        var pages: [[Business]] = []
        for try await page in h.client.businesses() { pages.append(page) }
        #expect(pages.map(\.count) == [100, 100, 50])
        #expect(pages.flatMap { $0 }.map(\.id) == seeded)
        #expect(h.client.counts.byEndpoint["GET /businesses/"] == 3)
        #expect(BusinessPages.pageSize == 100)
        await h.stop()
    }

    @Test func aCreateWhoseAnswerIsLostIsOutcomeUnknownAndNotRepeated() async throws {
        let h = try await Harness.start(faults: Faults(lostAnswerRate: 1))
        let error = await apiError { try await h.client.createBusiness(["name": "Lost Inc"]) }
        #expect(error?.kind == .outcomeUnknown)
        #expect(h.client.counts.byEndpoint["POST /businesses/"] == 1)
        #expect(await h.emulator.businessIds(location: Harness.location).count == 1)
        await h.stop()
    }

    @Test func bulkBusinessSetsAndClearsTheContactsBusiness() async throws {
        let h = try await Harness.start()
        let client = h.client
        let business = try await client.createBusiness(["name": "Globex"])
        var ids: [String] = []
        for n in 0..<3 { ids.append(try await client.createContact(["email": .string("member+\(n)@example.com")]).id) }
        let before = try await client.contact(ids[0])
        #expect(before.businessId == nil && before.raw["businessId"] == nil)

        #expect(try await client.setBusiness(business.id, contacts: ids).sorted() == ids.sorted())
        let after = try await client.contact(ids[0])
        #expect(after.businessId == business.id)
        #expect((after.dateUpdatedMilliseconds ?? 0) > (before.dateUpdatedMilliseconds ?? 0))
        #expect(try await client.contacts(ofBusiness: business.id).map(\.id).sorted() == ids.sorted())
        var rows: [Contact] = []
        for try await page in client.searchContacts() { rows += page }
        #expect(rows.count == 3 && rows.allSatisfy { $0.businessId == business.id })

        #expect(try await client.setBusiness(nil, contacts: [ids[1]]) == [ids[1]])
        #expect(try await client.contact(ids[1]).raw["businessId"] == nil)
        rows = []
        for try await page in client.searchContacts() { rows += page }
        #expect(rows.first { $0.id == ids[1] }?.raw["businessId"] == nil, "search rows leave an unset businessId out")
        #expect(try await client.contacts(ofBusiness: business.id).map(\.id).sorted() == [ids[0], ids[2]].sorted())

        let unknown = await apiError { try await client.setBusiness("63771dcac1116f0e21de8e12", contacts: [ids[0]]) }
        #expect(unknown?.status == 422)
        await h.stop()
    }

    @Test func bulkBusinessSendsAtMostTheBatchSizePerCall() async throws {
        let h = try await Harness.start()
        let business = await h.emulator.seedBusiness(location: Harness.location, ["name": "Initech"])
        var ids: [String] = []
        for n in 0..<(GHLClient.maxContactsPerBusinessCall + 20) {
            ids.append(await h.emulator.insertContact(location: Harness.location, ["email": .string("bulk+\(n)@example.com")]))
        }
        #expect(try await h.client.setBusiness(business, contacts: ids).count == ids.count)
        #expect(h.client.counts.byEndpoint["POST /contacts/bulk/business"] == 2)
        #expect(try await h.client.contacts(ofBusiness: business).count == ids.count)
        #expect(try await h.client.setBusiness(business, contacts: []).isEmpty)
        #expect(h.client.counts.byEndpoint["POST /contacts/bulk/business"] == 2, "no ids, no call")
        await h.stop()
    }

    @Test func deletingABusinessDetachesItsContacts() async throws {
        let h = try await Harness.start()
        let business = try await h.client.createBusiness(["name": "Umbrella"])
        let contact = try await h.client.createContact(["email": "umbrella+1@example.com"])
        try await h.client.setBusiness(business.id, contacts: [contact.id])
        try await h.client.deleteBusiness(business.id)
        #expect(try await h.client.contact(contact.id).businessId == nil)
        await h.stop()
    }
}
