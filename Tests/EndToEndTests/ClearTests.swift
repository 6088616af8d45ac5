import Foundation
import SyncCore
import Testing
import Transport

/// A value someone empties on one side is emptied on the other, and stays empty the nights after.
@Suite(.serialized) struct ClearTests {
    /// One mapped contact field: its GHL key, its EspoCRM attribute.
    struct Field: Sendable, CustomStringConvertible {
        var ghl: String
        var espo: String
        var description: String { ghl }
    }

    /// Every mapped contact field but `lastName` (EspoCRM requires it: it cannot be emptied there).
    /// `email` and `phone` are identities and GHL needs one of them: each is cleared with the other kept.
    static let fields: [Field] = [
        Field(ghl: "firstName", espo: "firstName"), Field(ghl: "email", espo: "emailAddress"),
        Field(ghl: "phone", espo: "phoneNumber"), Field(ghl: "address1", espo: "addressStreet"),
        Field(ghl: "city", espo: "addressCity"), Field(ghl: "state", espo: "addressState"),
        Field(ghl: "postalCode", espo: "addressPostalCode"), Field(ghl: "country", espo: "addressCountry"),
    ]

    static let ghlFull: JSONObject = ["address1": "1 Main St", "state": "TX", "postalCode": "78701", "country": "US"]
    static let espoFull: JSONObject = ["addressStreet": "1 Main St", "addressState": "TX", "addressPostalCode": "78701", "addressCountry": "US"]

    @Test(arguments: fields)
    func aFieldClearedInGHLIsClearedInEspo(field: Field) async throws {
        let h = try await Harness()
        let pairs = try await h.pairs(0..<2, ghl: Self.ghlFull, espo: Self.espoFull)
        #expect(try await h.run(["sync"]).code == 0)
        let before = try #require(h.sandbox.espo.record("Contact", id: pairs[0].espo))
        #expect(!isBlank(before[field.espo]), "the test's person has no \(field.espo)")

        _ = try await h.ghlClient.updateContact(pairs[0].ghl, [field.ghl: .null])
        #expect(isBlank(await h.ghlContact(id: pairs[0].ghl)?[field.ghl]), "the emulator kept \(field.ghl)")
        let sync = try await h.run(["sync", "--json"])
        #expect(sync.code == 0, "\(sync)")
        let espo = try #require(h.sandbox.espo.record("Contact", id: pairs[0].espo))
        #expect(isBlank(espo[field.espo]), "EspoCRM still has \(field.espo) = \(String(describing: espo[field.espo]))\n\(sync)")
        // The other person is untouched, and the cleared one stays cleared.
        #expect(!isBlank(h.sandbox.espo.record("Contact", id: pairs[1].espo)?[field.espo]))
        try await h.expectQuietNight("after clearing \(field.ghl) in GHL")
        #expect(isBlank(await h.ghlContact(id: pairs[0].ghl)?[field.ghl]), "\(field.ghl) came back in GHL")
        #expect(try await h.run(["sync", "--full"]).code == 0)
        #expect(isBlank(await h.ghlContact(id: pairs[0].ghl)?[field.ghl]), "\(field.ghl) came back in GHL after a full sync")
        #expect(isBlank(h.sandbox.espo.record("Contact", id: pairs[0].espo)?[field.espo]), "\(field.espo) came back in EspoCRM")
        await h.stop()
    }

    @Test(arguments: fields)
    func aFieldClearedInEspoIsClearedInGHL(field: Field) async throws {
        let h = try await Harness()
        let pairs = try await h.pairs(0..<2, ghl: Self.ghlFull, espo: Self.espoFull)
        #expect(try await h.run(["sync"]).code == 0)
        #expect(!isBlank(await h.ghlContact(id: pairs[0].ghl)?[field.ghl]), "the test's person has no \(field.ghl)")

        #expect(h.sandbox.espo.edit("Contact", id: pairs[0].espo, [field.espo: .null]), "EspoCRM refused to clear \(field.espo)")
        #expect(isBlank(h.sandbox.espo.record("Contact", id: pairs[0].espo)?[field.espo]))
        let sync = try await h.run(["sync", "--json"])
        #expect(sync.code == 0, "\(sync)")
        let ghl = try #require(await h.ghlContact(id: pairs[0].ghl))
        #expect(ghl[field.ghl] == nil, "GHL still has \(field.ghl) = \(String(describing: ghl[field.ghl]))\n\(sync)")
        #expect(!isBlank(await h.ghlContact(id: pairs[1].ghl)?[field.ghl]))
        try await h.expectQuietNight("after clearing \(field.espo) in EspoCRM")
        #expect(try await h.run(["sync", "--full"]).code == 0)
        #expect(isBlank(await h.ghlContact(id: pairs[0].ghl)?[field.ghl]), "\(field.ghl) came back in GHL after a full sync")
        #expect(isBlank(h.sandbox.espo.record("Contact", id: pairs[0].espo)?[field.espo]), "\(field.espo) came back in EspoCRM")
        await h.stop()
    }

    @Test func theCompanyLinkClearedOnEitherSideIsClearedOnTheOther() async throws {
        let h = try await Harness()
        let account = try #require(h.sandbox.espo.seedAccount(name: "Acme Corp"))
        let pairs = try await h.pairs(0..<3, espo: ["accountId": .string(account)])
        #expect(try await h.run(["sync"]).code == 0)
        let business = try #require(await h.sandbox.ghl.businessIds(location: h.sandbox.locationId).first, "no business in GHL")
        for pair in pairs {
            #expect(await h.ghlContact(id: pair.ghl)?["businessId"]?.stringValue == business)
        }

        await h.sandbox.ghl.setBusiness(nil, contact: pairs[0].ghl, location: h.sandbox.locationId)
        #expect(h.sandbox.espo.edit("Contact", id: pairs[1].espo, ["accountId": .null]))
        let sync = try await h.run(["sync", "--json"])
        #expect(sync.code == 0, "\(sync)")
        #expect(isBlank(h.sandbox.espo.record("Contact", id: pairs[0].espo)?["accountId"]), "cleared in GHL, still linked in EspoCRM\n\(sync)")
        #expect(await h.ghlContact(id: pairs[1].ghl)?["businessId"] == nil, "cleared in EspoCRM, still linked in GHL\n\(sync)")
        #expect(h.sandbox.espo.record("Contact", id: pairs[2].espo)?["accountId"]?.stringValue == account)
        #expect(await h.ghlContact(id: pairs[2].ghl)?["businessId"]?.stringValue == business)
        try await h.expectQuietNight("after clearing the company")
        #expect(try await h.run(["sync", "--full"]).code == 0)
        #expect(isBlank(h.sandbox.espo.record("Contact", id: pairs[0].espo)?["accountId"]), "came back after a full sync")
        #expect(await h.ghlContact(id: pairs[1].ghl)?["businessId"] == nil, "came back after a full sync")
        await h.stop()
    }

    /// A search row cannot tell a cleared key from one it leaves out: only the contact with a
    /// cleared key is read again (`GET /contacts/{id}`); an edited one is not.
    @Test func onlyAClearedContactCostsAnExtraRead() async throws {
        let h = try await Harness()
        let pairs = try await h.pairs(0..<4, ghl: Self.ghlFull, espo: Self.espoFull)
        #expect(try await h.run(["sync"]).code == 0)
        _ = try await h.ghlClient.updateContact(pairs[0].ghl, ["city": "Denver"])
        _ = try await h.ghlClient.updateContact(pairs[1].ghl, ["city": .null])
        #expect(h.sandbox.espo.edit("Contact", id: pairs[2].espo, ["firstName": "Robin"]))
        await h.resetRequestLogs()
        let sync = try await h.run(["sync", "--json"])
        #expect(sync.code == 0, "\(sync)")
        let reads = await h.sandbox.ghlServer.log.countsByEndpoint["GET /contacts/{contactId}"] ?? 0
        #expect(reads == 1, "GET /contacts/{id} was sent \(reads) times; expected once, for the cleared contact")
        #expect(h.sandbox.espo.record("Contact", id: pairs[0].espo)?["addressCity"]?.stringValue == "Denver")
        #expect(isBlank(h.sandbox.espo.record("Contact", id: pairs[1].espo)?["addressCity"]))
        #expect(await h.ghlContact(id: pairs[2].ghl)?["firstName"]?.stringValue == "Robin")
        try await h.expectQuietNight("after the clear")
        await h.stop()
    }
}
