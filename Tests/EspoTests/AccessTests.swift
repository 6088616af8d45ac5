import EspoClient
import EspoEmulator
import Foundation
import SyncCore
import Testing
import Transport

/// The API user's role: `App/user`'s `acl.table` as configured, and the 403s EspoCRM answers for what
/// it does not grant.
@Suite struct AccessTests {
    @Test func theRoleShowsInAppUserAndIsEnforced() async throws {
        let world = try await EspoWorld.start()
        world.emulator.setAccess("Account", ["create": "yes", "read": "all", "edit": "all", "delete": "no"])
        world.emulator.setAccess("Meeting", false)
        let user = try await world.client.currentUser()
        let table = try #require(user.access)
        #expect(table["Account"]?.coversAll("edit") == true)
        #expect(table["Account"]?.level("delete") == "no")
        #expect(table["Meeting"]?.coversAll("read") == false)
        #expect(table["Contact"]?.coversAll("delete") == true)
        #expect(user.serverDate != nil, "EspoCRM sends a Date header")

        let account = try #require(world.emulator.seedAccount(name: "Acme"))
        do {
            try await world.client.delete(.account, id: account)
            Issue.record("a delete the role does not grant must be refused")
        } catch {
            #expect(error.status == 403)
            #expect(error.message == "No delete access.")
        }
        #expect(world.emulator.count("Account") == 1)
        do {
            _ = try await world.client.list(Espo.Meeting.self)
            Issue.record("a read of a scope the role does not grant must be refused")
        } catch {
            #expect(error.message == "No read access.")
        }
        world.emulator.setAccess("Account", nil)
        try await world.client.delete(.account, id: account)
        #expect(world.emulator.count("Account") == 0)
        await world.stop()
    }
}
