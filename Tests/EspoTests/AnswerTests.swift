import Emulation
import EspoClient
import EspoEmulator
import Testing
import SyncCore
import Transport

@Suite struct AnswerTests {
    @Test func aDuplicateCreateIsATypedResultWithTheMatches() async throws {
        let world = try await EspoWorld.start()
        defer { Task { await world.stop() } }
        let client = world.client
        let first = try #require(try await client.create(Espo.Contact.self, [
            "firstName": "Kim", "lastName": "Park", "emailAddress": "kim+work@example.com",
        ]).created)
        // Same e-mail, other name: a duplicate.
        let outcome = try await client.create(Espo.Contact.self, [
            "firstName": "Kimberly", "lastName": "Park-Lee", "emailAddress": "KIM+work@example.com",
        ])
        guard case .duplicate(let matches) = outcome else {
            Issue.record("expected a duplicate, got \(outcome)")
            return
        }
        #expect(matches.map(\.id) == [first.id])
        #expect(matches.first?.emailAddress == "kim+work@example.com")
        #expect(world.emulator.count("Contact") == 1)
        // Same name: a duplicate too; with the skip header it is created.
        guard case .duplicate = try await client.create(Espo.Contact.self, ["firstName": "Kim", "lastName": "Park"]) else {
            Issue.record("expected a duplicate by name")
            return
        }
        let second = try await client.create(Espo.Contact.self, ["firstName": "Kim", "lastName": "Park"], skipDuplicateCheck: true)
        #expect(second.created != nil)
        #expect(world.emulator.count("Contact") == 2)
        let account = try await client.create(Espo.Account.self, ["name": "Initech"])
        #expect(account.created != nil)
        guard case .duplicate(let accounts) = try await client.create(Espo.Account.self, ["name": "Initech"]) else {
            Issue.record("expected an account duplicate")
            return
        }
        #expect(accounts.map(\.id) == [account.created!.id])
        await world.stop()
    }

    @Test func aStaleVersionIsATypedModifiedResult() async throws {
        let world = try await EspoWorld.start()
        defer { Task { await world.stop() } }
        let client = world.client
        let task = try #require(try await client.create(Espo.Task.self, [
            "name": "Send contract", "assignedUserId": "5f1a2b3c4d5e6f701", "priority": "High",
        ]).created)
        // Someone else changes the task: version 2.
        #expect(world.emulator.edit("Task", id: task.id, ["priority": "Urgent"]))
        let outcome = try await client.update(Espo.Task.self, id: task.id, ["priority": "Low"], versionNumber: 1)
        guard case .modified(let conflict) = outcome else {
            Issue.record("expected modified, got \(outcome)")
            return
        }
        #expect(conflict.versionNumber == 2)
        #expect(conflict.values["priority"]?.stringValue == "Urgent")
        #expect(try await client.read(Espo.Task.self, id: task.id).priority == "Urgent")
        // A stale version that changes nothing is not a conflict; the current version applies.
        #expect(try await client.update(Espo.Task.self, id: task.id, ["priority": "Urgent"], versionNumber: 1).updated != nil)
        let applied = try await client.update(Espo.Task.self, id: task.id, ["priority": "Low"], versionNumber: conflict.versionNumber)
        #expect(applied.updated?.priority == "Low")
        #expect(applied.updated?.versionNumber == 3)
        await world.stop()
    }

    @Test func hmacSignaturesAreVerifiedAndWrongOnesRefused() async throws {
        let world = try await EspoWorld.start(credentials: Espo.HMAC(apiKey: testHMACKey, secret: testHMACSecret))
        defer { Task { await world.stop() } }
        let made = try #require(try await world.client.create(Espo.Contact.self, ["lastName": "Signed"]).created)
        #expect(try await world.client.read(Espo.Contact.self, id: made.id).lastName == "Signed")
        _ = try await world.client.list(Espo.Contact.self, .init(filters: [.equals("lastName", "Signed")]))
        // FACTS §2.2's example, by hand: the signature covers "GET /Contact/5f1a2b3c4d5e6f789".
        let header = Espo.HMAC.authorization(apiKey: "key", secret: "secret", method: "get", path: "/Contact/5f1a2b3c4d5e6f789")
        let decoded = String(decoding: try #require(Data(base64Encoded: header)), as: UTF8.self)
        #expect(decoded.hasPrefix("key:"))
        #expect(decoded.count == 4 + 64)
        #expect(decoded.dropFirst(4).allSatisfy { $0.isHexDigit && !$0.isUppercase })

        for wrong in [Espo.HMAC(apiKey: testHMACKey, secret: "00000000000000000000000000000000"),
                      Espo.HMAC(apiKey: "ffffffffffffffffffffffffffffffff", secret: testHMACSecret)] as [any Credentials] {
            await #expect { _ = try await world.client(wrong).read(Espo.Contact.self, id: made.id) } throws: {
                ($0 as? APIError)?.kind == .unauthorized && ($0 as? APIError)?.status == 401
            }
        }
        await #expect { _ = try await world.client(Espo.APIKey("wrong")).list(Espo.Contact.self) } throws: {
            ($0 as? APIError)?.kind == .unauthorized
        }
        #expect(try await world.client(Espo.APIKey(testAPIKey)).read(Espo.Contact.self, id: made.id).id == made.id)
        #expect(try await world.client(Espo.Basic(username: "admin", password: "s3cret pass")).read(Espo.Contact.self, id: made.id).id == made.id)
        await world.stop()
    }
}

import Foundation
