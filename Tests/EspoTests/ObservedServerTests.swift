import Emulation
import EspoClient
import EspoEmulator
import Testing
import SyncCore
import Transport

/// What a real EspoCRM 9.2.7 was seen to do (FACTS §15): the emulator must be no kinder.
@Suite struct ObservedServerTests {
    @Test func everyPatchMovesModifiedAtEvenOneThatChangesNothing() async throws {
        let world = try await EspoWorld.start()
        defer { Task { await world.stop() } }
        let client = world.client
        let contact = try #require(try await client.create(Espo.Contact.self, ["firstName": "Ida", "lastName": "Berg"]).created)
        let account = try #require(try await client.create(Espo.Account.self, ["name": "Berg AS"]).created)

        world.clock.advance(by: 7)
        let same = try #require(try await client.update(Espo.Contact.self, id: contact.id, [:]).updated)
        #expect(same.modifiedAt == Timestamp.naive(world.clock.now))
        #expect(same["modifiedById"]?.stringValue == "5f1a2b3c4d5e6f701")
        #expect(try await client.read(Espo.Contact.self, id: contact.id).modifiedAt == Timestamp.naive(world.clock.now))

        world.clock.advance(by: 3)
        let untouched = try #require(try await client.update(Espo.Account.self, id: account.id, ["name": "Berg AS"], versionNumber: 1).updated)
        #expect(untouched.modifiedAt == Timestamp.naive(world.clock.now))
        #expect(untouched.versionNumber == 1, "the version moves only with a changed value")
        await world.stop()
    }

    @Test func anEmailAddressKeepsTheCaseItWasFirstStoredIn() async throws {
        let world = try await EspoWorld.start()
        defer { Task { await world.stop() } }
        let client = world.client
        let first = try #require(try await client.create(Espo.Contact.self, [
            "lastName": "Probe", "emailAddress": "Probe.X@Example.COM",
        ]).created)
        #expect(first.emailAddress == "Probe.X@Example.COM")

        // A PATCH that only changes the case answers 200 with the new case, stores nothing, and
        // still moves modifiedAt.
        world.clock.advance(by: 2)
        let patched = try #require(try await client.update(Espo.Contact.self, id: first.id, ["emailAddress": "probe.x@example.com"]).updated)
        #expect(patched.emailAddress == "probe.x@example.com")
        #expect(patched.modifiedAt == Timestamp.naive(world.clock.now))
        let read = try await client.read(Espo.Contact.self, id: first.id)
        #expect(read.emailAddress == "Probe.X@Example.COM")
        #expect(read.emailAddressData?.first?.emailAddress == "Probe.X@Example.COM")
        #expect(try await client.list(Espo.Contact.self).records.first?.emailAddress == "Probe.X@Example.COM")

        // The address is shared: a second record created with another case reads back the first spelling.
        let second = try #require(try await client.create(Espo.Contact.self, [
            "lastName": "Other", "emailAddress": "probe.x@example.com",
        ], skipDuplicateCheck: true).created)
        #expect(second.emailAddress == "probe.x@example.com", "the create answer echoes what was sent")
        #expect(try await client.read(Espo.Contact.self, id: second.id).emailAddress == "Probe.X@Example.COM")

        // A really different address is stored as sent.
        let changed = try #require(try await client.update(Espo.Contact.self, id: first.id, ["emailAddress": "New.One@example.com"]).updated)
        #expect(changed.emailAddress == "New.One@example.com")
        #expect(try await client.read(Espo.Contact.self, id: first.id).emailAddress == "New.One@example.com")
        await world.stop()
    }

    @Test func aMalformedJSONBodyIsA500WithAnEmptyBody() async throws {
        let world = try await EspoWorld.start()
        defer { Task { await world.stop() } }
        // Sent in process: the client cannot send a malformed body, and the contract log must not hold one.
        for (method, path) in [("POST", "/api/v1/Contact"), ("PATCH", "/api/v1/Contact/0123456789abcdef0")] {
            let answer = await world.emulator.respond(to: ServedRequest(
                method: method, path: path, headers: [(name: "X-Api-Key", value: testAPIKey), (name: "Content-Type", value: "application/json")],
                body: Array(#"{"lastName": "Unclosed"#.utf8)))
            #expect(answer.status == 500)
            #expect(answer.body.isEmpty)
        }
        #expect(world.emulator.count("Contact") == 0)
        await world.stop()
    }

    @Test func aTaskGetsDateCompletedWhenItBecomesCompletedAndLosesItWhenReopened() async throws {
        let world = try await EspoWorld.start()
        defer { Task { await world.stop() } }
        let client = world.client
        let user = "5f1a2b3c4d5e6f701"
        let task = try #require(try await client.create(Espo.Task.self, ["name": "Send quote", "assignedUserId": .string(user)]).created)
        #expect(task["dateCompleted"] == nil || task["dateCompleted"] == .null)

        world.clock.advance(by: 30)
        let done = try #require(try await client.update(Espo.Task.self, id: task.id, ["status": "Completed"]).updated)
        let completedAt = Timestamp.naive(world.clock.now)
        #expect(done["dateCompleted"]?.stringValue == completedAt)

        world.clock.advance(by: 30)
        let renamed = try #require(try await client.update(Espo.Task.self, id: task.id, ["name": "Send the quote"]).updated)
        #expect(renamed["dateCompleted"]?.stringValue == completedAt, "a write that keeps the status keeps the date")
        let ignored = try #require(try await client.update(Espo.Task.self, id: task.id, ["dateCompleted": "2020-01-01 00:00:00"]).updated)
        #expect(ignored["dateCompleted"]?.stringValue == completedAt, "dateCompleted is read-only")

        let reopened = try #require(try await client.update(Espo.Task.self, id: task.id, ["status": "Started"]).updated)
        #expect(reopened["dateCompleted"] == .null)

        let bornDone = try #require(try await client.create(Espo.Task.self, [
            "name": "Already done", "assignedUserId": .string(user), "status": "Completed",
        ]).created)
        #expect(bornDone["dateCompleted"]?.stringValue == Timestamp.naive(world.clock.now))
        await world.stop()
    }

    @Test func appUserNamesTheCaller() async throws {
        let world = try await EspoWorld.start()
        defer { Task { await world.stop() } }
        let api = try await world.client.currentUser()
        #expect(api.id == "5f1a2b3c4d5e6f701" && api.userName == "sync-api" && api.type == "api")
        let hmac = try await world.client(Espo.HMAC(apiKey: testHMACKey, secret: testHMACSecret)).currentUser()
        #expect(hmac.id == api.id)
        let regular = try await world.client(Espo.Basic(username: "admin", password: "s3cret pass")).currentUser()
        #expect(regular.userName == "admin" && regular.type == "regular" && regular.id.count == 17)
        let wrong = await #expect(throws: APIError.self) {
            _ = try await world.client(Espo.APIKey("ffffffffffffffffffffffffffffffff")).currentUser()
        }
        #expect(wrong?.kind == .unauthorized)
        await world.stop()
    }
}
