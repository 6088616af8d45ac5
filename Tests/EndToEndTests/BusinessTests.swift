import Foundation
import SyncCore
import Testing
import Transport

/// GHL businesses ↔ EspoCRM Accounts (identity: the name), and a contact's company link.
@Suite(.serialized) struct BusinessTests {
    @Test func anAccountWithTwoContactsBecomesABusinessWithBothLinkedInOneCall() async throws {
        let h = try await Harness()
        let account = try #require(h.sandbox.espo.seedAccount(name: "Acme Corp", ["website": "https://acme.example"]))
        let pairs = try await h.pairs(0..<2, espo: ["accountId": .string(account)])
        await h.person(2)  // no company
        let sync = try await h.run(["sync", "--json"])
        #expect(sync.code == 0, "\(sync)")
        let businesses = await h.sandbox.ghl.businessIds(location: h.sandbox.locationId)
        #expect(businesses.count == 1, "\(businesses)")
        let business = try #require(businesses.first)
        #expect(await h.sandbox.ghl.businessJSON(business, location: h.sandbox.locationId)?["name"]?.stringValue == "Acme Corp")
        for pair in pairs {
            #expect(await h.ghlContact(id: pair.ghl)?["businessId"]?.stringValue == business)
        }
        #expect(await h.ghlContact(email: Harness.email(2))?["businessId"] == nil)
        let bulk = await h.sandbox.ghlServer.log.countsByEndpoint["POST /contacts/bulk/business"] ?? 0
        #expect(bulk == 1, "POST /contacts/bulk/business was sent \(bulk) times for one business")
        try await h.expectQuietNight("after linking an Account's contacts")
        await h.stop()
    }

    @Test func aBusinessCreatedInGHLWithItsContactsGoesToEspo() async throws {
        let h = try await Harness()
        let location = h.sandbox.locationId
        let business = await h.sandbox.ghl.seedBusiness(location: location, ["name": "Globex", "city": "Springfield"])
        var ghlIds: [String] = []
        for n in 0..<2 {
            let id = try #require(await h.person(n, on: [.ghl]).0)
            await h.sandbox.ghl.setBusiness(business, contact: id, location: location)
            ghlIds.append(id)
        }
        let sync = try await h.run(["sync", "--json"])
        #expect(sync.code == 0, "\(sync)")
        let accounts = h.sandbox.espo.records("Account").filter { $0["name"]?.stringValue == "Globex" }
        #expect(accounts.count == 1, "\(h.sandbox.espo.records("Account"))")
        let account = try #require(accounts.first?["id"]?.stringValue)
        #expect(h.sandbox.espo.record("Account", id: account)?["billingAddressCity"]?.stringValue == "Springfield")
        for n in 0..<2 {
            #expect(h.espoContact(email: Harness.email(n))?["accountId"]?.stringValue == account, "person \(n) is not linked to Globex")
        }
        try await h.expectQuietNight("after a GHL business came over")
        #expect(await h.sandbox.ghl.businessIds(location: location) == [business], "a second business was made in GHL")
        await h.stop()
    }

    @Test func changingAContactsCompanyOnEitherSideTravels() async throws {
        let h = try await Harness()
        let location = h.sandbox.locationId
        let acme = try #require(h.sandbox.espo.seedAccount(name: "Acme Corp"))
        let globex = try #require(h.sandbox.espo.seedAccount(name: "Globex"))
        let pairs = try await h.pairs(0..<2, espo: ["accountId": .string(acme)])
        let first = try await h.run(["sync", "--json"])
        #expect(first.code == 0, "\(first)")
        let byName = await Dictionary(uniqueKeysWithValues: h.sandbox.ghl.businessIds(location: location).asyncMap { id in
            (await h.sandbox.ghl.businessJSON(id, location: location)?["name"]?.stringValue ?? "", id)
        })
        let acmeBusiness = try #require(byName["Acme Corp"], "\(byName)")
        let globexBusiness = try #require(byName["Globex"], "\(byName)")

        // EspoCRM moves person 0 to Globex; GHL moves person 1 to Globex.
        #expect(h.sandbox.espo.edit("Contact", id: pairs[0].espo, ["accountId": .string(globex)]))
        await h.sandbox.ghl.setBusiness(globexBusiness, contact: pairs[1].ghl, location: location)
        let sync = try await h.run(["sync", "--json"])
        #expect(sync.code == 0, "\(sync)")
        #expect(await h.ghlContact(id: pairs[0].ghl)?["businessId"]?.stringValue == globexBusiness, "EspoCRM's move did not reach GHL\n\(sync)")
        #expect(h.sandbox.espo.record("Contact", id: pairs[1].espo)?["accountId"]?.stringValue == globex, "GHL's move did not reach EspoCRM\n\(sync)")
        #expect(await h.ghlContact(id: pairs[0].ghl)?["businessId"]?.stringValue != acmeBusiness)
        try await h.expectQuietNight("after moving contacts between companies")
        #expect(try await h.run(["sync", "--full"]).code == 0)
        #expect(await h.ghlContact(id: pairs[0].ghl)?["businessId"]?.stringValue == globexBusiness)
        #expect(h.sandbox.espo.record("Contact", id: pairs[1].espo)?["accountId"]?.stringValue == globex)
        #expect(try await h.run(["plan"]).code == 0)
        await h.stop()
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
