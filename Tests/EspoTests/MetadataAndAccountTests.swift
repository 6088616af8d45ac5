import Emulation
import EspoClient
import EspoEmulator
import Testing
import SyncCore
import Transport

@Suite struct MetadataAndAccountTests {
    @Test func metadataListsEachEntitysFieldsWithTheirTypes() async throws {
        let world = try await EspoWorld.start()
        defer { Task { await world.stop() } }
        let contact = try await world.client.fields(of: .contact)
        #expect(contact["cTags"]?["type"] == "array")
        #expect(contact["cTags"]?["isCustom"] == true)
        #expect(contact["cGhlId"]?["type"] == "varchar")
        #expect(contact["firstName"]?["type"] == "varchar")
        #expect(contact["lastName"]?["required"] == true)
        #expect(contact["emailAddress"]?["type"] == "email" && contact["phoneNumber"]?["type"] == "phone")
        #expect(contact["account"]?["type"] == "link" && contact["accounts"]?["type"] == "linkMultiple")
        #expect(contact["accountId"] == nil, "fields are keyed by field, not attribute")
        #expect(contact["salutationName"]?["options"]?.arrayValue?.contains("Mr.") == true)
        #expect(contact["modifiedAt"]?["type"] == "datetime")

        let account = try await world.client.fields(of: .account)
        #expect(account["billingAddress"]?["type"] == "address" && account["billingAddressCity"]?["type"] == "varchar")
        #expect(account["website"]?["type"] == "url" && account["description"]?["type"] == "text")
        #expect(account["cTags"] == nil)
        let task = try await world.client.fields(of: .task)
        #expect(task["dateEnd"]?["type"] == "datetimeOptional" && task["parent"]?["type"] == "linkParent")
        #expect(task["dateCompleted"]?["readOnly"] == true)
        await world.stop()
    }

    @Test func theArrayFieldCTagsIsStoredAndAnsweredLikeAnyAttribute() async throws {
        let world = try await EspoWorld.start()
        defer { Task { await world.stop() } }
        let client = world.client
        let created = try #require(try await client.create(Espo.Contact.self, [
            "lastName": "Tagged", "cTags": ["lead", "Trade Show 2026"],
        ]).created)
        #expect(created["cTags"] == ["lead", "Trade Show 2026"])
        #expect(try await client.read(Espo.Contact.self, id: created.id)["cTags"] == ["lead", "Trade Show 2026"])
        #expect(try await client.list(Espo.Contact.self).records.first?["cTags"] == ["lead", "Trade Show 2026"])

        world.clock.advance(by: 4)
        let replaced = try #require(try await client.update(Espo.Contact.self, id: created.id, ["cTags": ["customer"]]).updated)
        #expect(replaced["cTags"] == ["customer"] && replaced.modifiedAt == Timestamp.naive(world.clock.now))
        #expect(try await client.update(Espo.Contact.self, id: created.id, ["cTags": []]).updated?["cTags"] == [])

        let tooLong = await #expect(throws: APIError.self) {
            _ = try await client.update(Espo.Contact.self, id: created.id, ["cTags": .array([.string(String(repeating: "x", count: 101))])])
        }
        #expect(tooLong?.status == 400 && tooLong?.message.contains("field: cTags") == true)
        let notStrings = await #expect(throws: APIError.self) {
            _ = try await client.update(Espo.Contact.self, id: created.id, ["cTags": [1, 2]])
        }
        #expect(notStrings?.status == 400)
        await world.stop()
    }

    @Test func aServerWithoutTheArrayFieldIgnoresCTagsSilently() async throws {
        let world = try await EspoWorld.start(arrayFields: [:])
        defer { Task { await world.stop() } }
        let client = world.client
        #expect(try await client.fields(of: .contact)["cTags"] == nil)
        let created = try #require(try await client.create(Espo.Contact.self, ["lastName": "Plain", "cTags": ["lead"]]).created)
        #expect(created["cTags"] == nil)
        #expect(try await client.update(Espo.Contact.self, id: created.id, ["cTags": ["x"]]).updated?["cTags"] == nil)
        #expect(try await client.read(Espo.Contact.self, id: created.id)["cTags"] == nil)
        let filtered = await #expect(throws: APIError.self) {
            _ = try await client.list(Espo.Contact.self, .init(filters: [.isNotNull("cTags")]))
        }
        #expect(filtered?.status == 400, "an unknown attribute in where is a 400")
        await world.stop()
    }

    @Test func accountsPageThroughTheChangeFeedAndRoundTrip() async throws {
        let plan = SeedPlan(contacts: 5, accounts: 230, seed: 5, start: 1_767_225_600, perSecond: 40)
        let clock = ManualClock(1_767_225_600 + 100)
        let world = try await EspoWorld.start(seed: plan, clock: clock)
        defer { Task { await world.stop() } }
        let client = world.client

        var seen: [String] = []
        var pages = 0
        var cursor: String?
        for try await page in client.changes(Espo.Account.self, since: nil) {
            seen += page.records.map(\.id)
            pages += 1
            cursor = page.cursor
        }
        #expect(Set(seen).count == 230 && seen.count == 230)
        #expect(pages >= 2)

        clock.advance(by: 10)
        let id = try #require(world.emulator.seedAccount(name: "Fjord Fisk AS", [
            "website": "https://fjord.example", "emailAddress": "post@fjord.example", "phoneNumber": "+4722334455",
            "description": "Salmon", "billingAddressStreet": "Kaigata 1", "billingAddressCity": "Bergen",
            "billingAddressState": "Vestland", "billingAddressPostalCode": "5003", "billingAddressCountry": "Norway",
        ]))
        let account = try await client.read(Espo.Account.self, id: id)
        #expect(account.name == "Fjord Fisk AS" && account.website == "https://fjord.example")
        #expect(account.emailAddress == "post@fjord.example" && account.phoneNumber == "+4722334455")
        #expect(account.billingAddressStreet == "Kaigata 1" && account.billingAddressCity == "Bergen")
        #expect(account.billingAddressState == "Vestland" && account.billingAddressPostalCode == "5003")
        #expect(account.billingAddressCountry == "Norway" && account.description == "Salmon")
        let since = try #require(cursor)
        let pull = try await drain(client.changes(Espo.Account.self, since: since, overlapSeconds: 0))
        #expect(pull.records.last?.id == id, "the new account is the latest change")
        #expect(!seen.contains(id))

        let patched = try #require(try await client.update(Espo.Account.self, id: id, ["billingAddressCity": "Oslo", "phoneNumber": nil]).updated)
        #expect(patched.billingAddressCity == "Oslo" && patched.phoneNumber == nil)

        // A contact's primary account: set by PATCH, named in accountName, cleared with null.
        let contactId = try #require(world.emulator.seedContact(["firstName": "Kari", "lastName": "Nord"]))
        let linked = try #require(try await client.update(Espo.Contact.self, id: contactId, ["accountId": .string(id)]).updated)
        #expect(linked.accountId == id && linked.accountName == "Fjord Fisk AS" && linked.accountsIds == [id])
        #expect(try await client.list(Espo.Contact.self, .init(filters: [.equals("accountId", .string(id))])).records.map(\.id) == [contactId])
        let unlinked = try #require(try await client.update(Espo.Contact.self, id: contactId, ["accountId": nil]).updated)
        #expect(unlinked.accountId == nil && unlinked.accountName == nil && unlinked.accountsIds == [])

        let made = try #require(try await client.create(Espo.Account.self, ["name": "Ny Bedrift", "website": "ny.example"]).created)
        try await client.delete(.account, id: made.id)
        await #expect(throws: APIError.self) { _ = try await client.read(Espo.Account.self, id: made.id) }
        await world.stop()
    }
}
