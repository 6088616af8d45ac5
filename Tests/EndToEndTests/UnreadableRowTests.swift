import Foundation
import SyncCore
import Testing

/// A listed row the sync cannot read is reported, never taken for a delete.
@Suite(.serialized) struct UnreadableRowTests {
    @Test func aRowWithoutModifiedAtIsReportedExits3AndDeletesNothing() async throws {
        let h = try await Harness()
        let pairs = try await h.pairs(0..<4)
        #expect(try await h.run(["sync"]).code == 0)
        // A row EspoCRM lists without a change time (written straight to its database).
        #expect(h.sandbox.espo.nullModifiedAt("Contact", id: pairs[0].espo))
        let sunday = try await h.run(["sync", "--full", "--json"])
        #expect(sunday.code == 3, "\(sunday)")
        let rows = sunday.json?["entities"]?["contact"]?["unreadable"]?.arrayValue ?? []
        #expect(rows.count == 1 && rows.first?["id"]?.stringValue == pairs[0].espo, "\(sunday)")
        #expect(rows.first?["field"]?.stringValue == "modifiedAt", "\(sunday)")
        // Its GoHighLevel counterpart is still there, and so is every other contact.
        #expect(await h.ghlContact(id: pairs[0].ghl) != nil)
        #expect(await h.sandbox.ghl.contactCount(location: h.sandbox.locationId) == 4)
        #expect(h.sandbox.espo.count("Contact") == 4)
        // status says what could not be read, where.
        let status = try await h.run(["status"])
        #expect(status.stdout.contains("unreadable row") && status.stdout.contains(pairs[0].espo), "\(status)")
        // The record is readable again after an edit: the next full run is clean and deletes nothing.
        #expect(h.sandbox.espo.edit("Contact", id: pairs[0].espo, ["addressCity": "Dallas"]))
        let monday = try await h.run(["sync", "--full", "--json"])
        #expect(monday.code == 0, "\(monday)")
        #expect(await h.ghlContact(id: pairs[0].ghl)?["city"]?.stringValue == "Dallas")
        #expect(await h.sandbox.ghl.contactCount(location: h.sandbox.locationId) == 4)
        await h.stop()
    }
}
