import Foundation
import SyncCore
import Testing
import Transport

/// The built binary against both emulators over real HTTP: matching, creates, updates, merges,
/// policies, deletes and the guard, idempotence, and dry runs that write nothing.
@Suite(.serialized) struct SyncTests {
    @Test func theFirstRunMatchesTheSamePeopleWhoseEmailsDifferInCase() async throws {
        let h = try await Harness()
        for n in 0..<20 {
            await h.person(n, espo: n % 2 == 0 ? ["emailAddress": .string("PERSON.\(n)+E2E@Example.COM")] : [:])
        }
        let plan = try await h.run(["plan", "--json"])
        #expect(plan.code == 2, "\(plan)")
        #expect(count(plan.json, "create", .ghl) == 0 && count(plan.json, "create", .espo) == 0, "\(plan)")
        let sync = try await h.run(["sync", "--json"])
        #expect(sync.code == 0, "\(sync)")
        #expect(await h.ghlContacts().count == 20)
        #expect(h.espoContacts().count == 20)
        let again = try await h.run(["plan", "--json"])
        #expect(again.code == 0, "\(again)")
        #expect(count(again.json, "unchanged") == 20)
        await h.stop()
    }

    @Test func createsGoBothWaysWithTheirFields() async throws {
        let h = try await Harness()
        for n in 0..<3 { await h.person(n, on: [.ghl]) }
        for n in 3..<5 { await h.person(n, espo: ["addressState": "TX"], on: [.espo]) }
        let sync = try await h.run(["sync", "--json"])
        #expect(sync.code == 0, "\(sync)")
        #expect(count(sync.json, "create", .espo) == 3)
        #expect(count(sync.json, "create", .ghl) == 2)
        let created = try #require(await h.ghlContact(email: "person.4+e2e@example.com"))
        #expect(created["state"]?.stringValue == "TX")
        #expect(created["phone"]?.stringValue == "+15125550004")
        let other = try #require(h.espoContact(email: "person.1+e2e@example.com"))
        #expect(other["lastName"]?.stringValue == "Number1")
        #expect(other["addressCity"]?.stringValue == "Austin")
        #expect(await h.ghlContacts().count == 5 && h.espoContacts().count == 5)
        await h.stop()
    }

    @Test func editsOnBothSidesToDifferentFieldsBothSurvive() async throws {
        let h = try await Harness()
        let (ghlId, espoId) = await h.person(1)
        #expect(try await h.run(["sync"]).code == 0)
        // GHL edits the city, EspoCRM the phone, between two runs.
        _ = try await h.ghlClient.updateContact(try #require(ghlId), ["city": "Denver"])
        #expect(h.sandbox.espo.edit("Contact", id: try #require(espoId), ["phoneNumber": "+15125559999"]))
        let sync = try await h.run(["sync", "--json"])
        #expect(sync.code == 0, "\(sync)")
        #expect(count(sync.json, "update", .ghl) == 1 && count(sync.json, "update", .espo) == 1, "\(sync)")
        #expect(count(sync.json, "conflicts") == 0)
        let ghl = try #require(await h.ghlContact(email: "person.1+e2e@example.com"))
        let espo = try #require(h.espoContact(email: "person.1+e2e@example.com"))
        #expect(ghl["city"]?.stringValue == "Denver" && ghl["phone"]?.stringValue == "+15125559999")
        #expect(espo["addressCity"]?.stringValue == "Denver" && espo["phoneNumber"]?.stringValue == "+15125559999")
        #expect(try await h.run(["plan"]).code == 0)
        await h.stop()
    }

    @Test(arguments: ["newest-wins", "ghl-wins", "espo-wins", "manual"])
    func aConflictIsSettledByTheMappingsPolicy(policy: String) async throws {
        let h = try await Harness(conflict: policy)
        let (ghlId, espoId) = await h.person(1)
        #expect(try await h.run(["sync"]).code == 0)
        // Both sides change the city; EspoCRM's edit is the newer one.
        _ = try await h.ghlClient.updateContact(try #require(ghlId), ["city": "Denver"])
        try await Task.sleep(for: .milliseconds(1100))
        #expect(h.sandbox.espo.edit("Contact", id: try #require(espoId), ["addressCity": "Miami"]))
        let sync = try await h.run(["sync", "--json"])
        #expect(sync.code == 0, "\(sync)")
        #expect(count(sync.json, "conflicts") == 1, "\(sync)")
        let ghl = await h.ghlContact(email: "person.1+e2e@example.com")?["city"]?.stringValue
        let espo = h.espoContact(email: "person.1+e2e@example.com")?["addressCity"]?.stringValue
        switch policy {
        case "ghl-wins": #expect(ghl == "Denver" && espo == "Denver")
        case "manual":
            #expect(ghl == "Denver" && espo == "Miami")
            let list = try await h.run(["conflicts", "list", "--json"])
            let id = try #require(list.json?[0]?["id"]?.numberValue, "\(list)")
            #expect(list.json?[0]?["field"]?.stringValue == "city")
            #expect(try await h.run(["conflicts", "resolve", String(Int(id)), "--take", "espo"]).code == 0)
            let resolved = try await h.run(["sync", "--json"])
            #expect(resolved.code == 0, "\(resolved)")
            #expect(await h.ghlContact(email: "person.1+e2e@example.com")?["city"]?.stringValue == "Miami")
            #expect(try await h.run(["conflicts", "list", "--json"]).json == .array([]))
        default: #expect(ghl == "Miami" && espo == "Miami")  // newest-wins and espo-wins
        }
        #expect(try await h.run(["plan"]).code == 0)
        await h.stop()
    }

    @Test func deletesNeedAFullListingAndTheGuardStopsAnEmptiedSide() async throws {
        let h = try await Harness()
        var espoIds: [String] = []
        for n in 0..<30 { espoIds.append(try #require(await h.person(n).1)) }
        #expect(try await h.run(["sync"]).code == 0)
        try await h.espoClient.delete(.contact, id: espoIds[0])
        // An incremental run cannot see a delete.
        let incremental = try await h.run(["sync", "--json"])
        #expect(count(incremental.json, "delete", .ghl) == 0, "\(incremental)")
        let full = try await h.run(["sync", "--full", "--json"])
        #expect(full.code == 0, "\(full)")
        #expect(count(full.json, "delete", .ghl) == 1, "\(full)")
        #expect(await h.ghlContacts().count == 29)

        // EspoCRM answers with an empty list: nothing may be deleted in GHL.
        for id in espoIds.dropFirst() { try await h.espoClient.delete(.contact, id: id) }
        await h.resetRequestLogs()
        let guarded = try await h.run(["sync", "--full", "--json"])
        #expect(guarded.code == 1, "\(guarded)")
        #expect(guarded.stderr.contains("--allow-mass-delete"), "\(guarded)")
        #expect(guarded.stderr.contains("29"))
        #expect(await h.writes().ghl == 0)
        #expect(await h.ghlContacts().count == 29)
        let plan = try await h.run(["plan", "--full"])
        #expect(plan.code == 2)
        #expect(plan.stdout.contains("mass-delete guard"), "\(plan)")
        let allowed = try await h.run(["sync", "--full", "--allow-mass-delete", "--json"])
        #expect(allowed.code == 0, "\(allowed)")
        #expect(await h.ghlContacts().isEmpty)
        await h.stop()
    }

    @Test func aSecondSyncSendsNoWriteAndAPlanSendsNone() async throws {
        let h = try await Harness(people: 60, seed: 7)
        await h.resetRequestLogs()
        let plan = try await h.run(["plan", "--json"])
        #expect(plan.code == 2, "\(plan)")
        #expect(await h.writes() == (0, 0))
        #expect(try await h.run(["sync"]).code == 0)
        await h.resetRequestLogs()
        let second = try await h.run(["sync", "--json"])
        #expect(second.code == 0, "\(second)")
        #expect(await h.writes() == (0, 0))
        #expect(second.json?["operations"]?.arrayValue?.isEmpty == true)
        #expect(try await h.run(["plan"]).code == 0)
        await h.stop()
    }
}
