import Emulation
import EspoEmulator
import Foundation
import SyncCore
import Testing

/// A contact that reaches the other side only on a later night (its first create failed) brings its
/// notes along that night, though nobody changed it: the notes are not left to the rotating sweep.
@Suite(.serialized)
struct LateParentTests {
    @Test func aContactCreatedOnALaterNightBringsItsNotesThatNight() async throws {
        let h = try await Harness(children: true)
        defer { Task { await h.stop() } }
        let location = h.sandbox.locationId
        let contact = await h.sandbox.ghl.insertContact(
            location: location, ["firstName": "Late", "lastName": "Comer", "email": "late.comer@example.com"])
        _ = await h.sandbox.ghl.seedNote(contact: contact, body: "Met at the fair; call in spring.", location: location)
        _ = await h.sandbox.ghl.seedTask(contact: contact, title: "Send the brochure", dueDate: Int64(Date().timeIntervalSince1970 * 1000) + 86_400_000, location: location)

        // Night 1: EspoCRM fails every contact create (500, before it stores anything), so the contact
        // and its children wait; the rest of the run goes on.
        await h.sandbox.espoServer.setFaults(Faults(internalErrorRate: 1, endpoints: ["POST /Contact"]))
        let first = try await h.run(["sync", "--json"])
        #expect(first.code == 3, "\(first)")
        #expect(h.sandbox.espo.records("Contact").isEmpty)
        #expect(h.sandbox.espo.records("Task").isEmpty && h.sandbox.espo.records("Note").allSatisfy { $0["type"]?.stringValue != "Post" })

        // Night 2: EspoCRM is well again. Nobody changed the contact, yet it is created, and its note
        // and task with it, that night.
        await h.sandbox.espoServer.setFaults(.none)
        let second = try await h.run(["sync", "--json"])
        #expect(second.code == 0, "\(second)")
        let created = try #require(h.espoContact(email: "late.comer@example.com"), "\(second)")
        let espoId = try #require(created["id"]?.stringValue)
        let posts = h.sandbox.espo.notes(on: "Contact", id: espoId).filter { $0["type"]?.stringValue == "Post" }
        #expect(posts.map { $0["post"]?.stringValue } == ["Met at the fair; call in spring."], "\(second)")
        #expect(h.sandbox.espo.records("Task").filter { $0["parentId"]?.stringValue == espoId }.count == 1, "\(second)")

        // Nights 3 and 4 (one --full): nothing more, nothing twice.
        try await h.expectQuietNight("night 3")
        let full = try await h.run(["sync", "--full", "--json"])
        #expect(full.code == 0, "\(full)")
        #expect(h.sandbox.espo.notes(on: "Contact", id: espoId).count { $0["type"]?.stringValue == "Post" } == 1)
        #expect(await h.sandbox.ghl.notes(location: location).count == 1)
    }

    @Test func aRoleThatRefusesCreatesStopsTheNightWithExit1AndTheNextNightFinishes() async throws {
        let h = try await Harness(children: true)
        defer { Task { await h.stop() } }
        let location = h.sandbox.locationId
        for n in 0..<3 {
            _ = await h.sandbox.ghl.insertContact(
                location: location, ["firstName": .string("Role\(n)"), "lastName": "Less", "email": .string("role.\(n)@example.com")])
        }
        h.sandbox.espo.setAccess("Contact", ["create": "no", "read": "all", "edit": "all", "delete": "all", "stream": "all"])
        let refused = try await h.run(["sync", "--json"])
        #expect(refused.code == 1, "\(refused)")
        #expect(refused.json?["stoppedBy"]?.stringValue?.contains("403") == true, "\(refused)")
        #expect(refused.stderr.contains("the run stopped early") && refused.stderr.contains("espo-ghl-sync doctor"), "\(refused)")
        // It stopped at the first refusal rather than sending every create to meet the same 403.
        #expect(h.sandbox.espo.records("Contact").isEmpty)
        let status = try await h.run(["status", "--json"])
        #expect(status.stdout.contains("failed"), "\(status)")

        h.sandbox.espo.setAccess("Contact", nil)
        let fixed = try await h.run(["sync", "--json"])
        #expect(fixed.code == 0, "\(fixed)")
        #expect(h.sandbox.espo.records("Contact").count == 3)
        try await h.expectQuietNight("the night after")
    }
}
