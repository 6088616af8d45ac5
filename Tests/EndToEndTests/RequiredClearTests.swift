import Foundation
import SyncCore
import Testing

/// A clear the other side refuses (EspoCRM requires a contact's last name) is reported, not failed
/// every night, and undoes nothing.
@Suite(.serialized) struct RequiredClearTests {
    @Test func aLastNameClearedInGHLIsReportedNotFailedAndNotUndone() async throws {
        let h = try await Harness()
        let pairs = try await h.pairs(0..<2)
        #expect(try await h.run(["sync"]).code == 0)
        _ = try await h.ghlClient.updateContact(pairs[0].ghl, ["lastName": .null])
        for night in 0..<3 {
            let sync = try await h.run(["sync", "--json"])
            #expect(sync.code == 0, "night \(night): \(sync)")
            #expect(count(sync.json, "skipped") == 1, "night \(night): \(sync)")
            // EspoCRM keeps its last name; GHL's clear is not undone either.
            #expect(h.sandbox.espo.record("Contact", id: pairs[0].espo)?["lastName"]?.stringValue == "Number0")
            #expect(isBlank(await h.ghlContact(id: pairs[0].ghl)?["lastName"]), "night \(night): the clear in GHL was undone")
        }
        let plan = try await h.run(["plan"])
        #expect(plan.code == 0, "\(plan)")
        #expect(plan.stdout.contains("requires it"), "\(plan)")
        await h.stop()
    }
}
