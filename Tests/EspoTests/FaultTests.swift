import Emulation
import EspoClient
import EspoEmulator
import Testing
import SyncCore
import Transport

@Suite struct FaultTests {
    @Test func injectedServerErrorsAndDropsAreRetriedOnIdempotentCalls() async throws {
        let world = try await EspoWorld.start(
            seed: SeedPlan(contacts: 450, seed: 3), faults: Faults(serverErrorRate: 0.25, dropRate: 0.2, seed: 5),
            retry: RetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(1)))
        defer { Task { await world.stop() } }
        let client = world.client
        let all = try await drain(client.all(Espo.Contact.self))
        #expect(all.records.count == 450)
        let id = all.records[0].id
        for number in 0..<20 {
            let updated = try await client.update(Espo.Contact.self, id: id, ["description": .string("pass \(number)")])
            #expect(updated.updated?["description"]?.stringValue == "pass \(number)")
        }
        #expect(client.counts.retries > 0)
        let log = await world.server.log.entries
        #expect(log.contains { $0.fault == .serverError })
        #expect(log.contains { $0.fault == .dropped })
        #expect(world.emulator.record("Contact", id: id)?["description"]?.stringValue == "pass 19")
        await world.stop()
    }

    @Test func aLostCreateAnswerIsOutcomeUnknownAndNotRepeated() async throws {
        let world = try await EspoWorld.start(faults: Faults(lostAnswerRate: 1))
        defer { Task { await world.stop() } }
        let client = world.client
        await #expect {
            _ = try await client.create(Espo.Contact.self, ["firstName": "Lost", "lastName": "Answer", "emailAddress": "lost@example.com"])
        } throws: { error in
            (error as? APIError)?.kind == .outcomeUnknown && (error as? APIError)?.attempts == 1
        }
        #expect(client.counts.byEndpoint["POST /Contact"] == 1)
        #expect(world.emulator.count("Contact") == 1, "it was applied")
        // A note posted into the void is outcome-unknown too.
        let contact = try #require(world.emulator.records("Contact").first?["id"]?.stringValue)
        await #expect { _ = try await client.postNote(on: .contact, id: contact, "hello") } throws: {
            ($0 as? APIError)?.kind == .outcomeUnknown
        }
        // Once the answers come back, the sync looks it up instead of creating it again: a create
        // now meets the duplicate check and gets the record that was made.
        await world.server.setFaults(.none)
        guard case .duplicate(let matches) = try await client.create(Espo.Contact.self, [
            "firstName": "Lost", "lastName": "Answer", "emailAddress": "lost@example.com",
        ]) else {
            Issue.record("expected the earlier create to be found as a duplicate")
            return
        }
        #expect(matches.map(\.id) == [contact])
        await world.stop()
    }

    @Test func lostAnswersOnUpdatesAndDeletesAreRetried() async throws {
        let world = try await EspoWorld.start(
            seed: SeedPlan(contacts: 3, seed: 4), faults: Faults(lostAnswerRate: 0.5, seed: 9),
            retry: RetryPolicy(maxAttempts: 12, baseDelay: .milliseconds(1)))
        defer { Task { await world.stop() } }
        let client = world.client
        let ids = world.emulator.records("Contact").compactMap { $0["id"]?.stringValue }
        for id in ids {
            _ = try await client.update(Espo.Contact.self, id: id, ["addressCity": "Lisbon"])
            try await client.delete(.contact, id: id)
        }
        #expect(world.emulator.count("Contact") == 0)
        #expect(client.counts.retries > 0)
        await world.stop()
    }

    @Test func theDefaultPaceIsGentle() {
        #expect(RateLimit.espo.concurrency <= 4)
        #expect(RateLimit.espo.requests <= 20)
        #expect(Espo.Client(siteURL: "https://crm.example.com/", credentials: Espo.APIKey("k")).transport.baseURL
                == "https://crm.example.com/api/v1")
    }
}
