import EspoEmulator
import Emulation
import Foundation
import SyncCore
import Testing
import Transport

/// GHL tags ↔ EspoCRM `cTags`: a set merged element by element, compared lower-cased; GHL's side
/// written as deltas (`POST`/`DELETE /contacts/{id}/tags`), never as a whole set.
@Suite(.serialized) struct TagTests {
    func ghlTags(_ h: Harness, _ id: String) async -> Set<String> {
        Set((await h.ghlContact(id: id)?["tags"]?.arrayValue ?? []).compactMap { $0.stringValue?.lowercased() })
    }

    func espoTags(_ h: Harness, _ id: String) -> Set<String> {
        Set((h.sandbox.espo.record("Contact", id: id)?["cTags"]?.arrayValue ?? []).compactMap { $0.stringValue?.lowercased() })
    }

    @Test func aTagAddedInGHLAndAnotherRemovedInEspoBothTravel() async throws {
        let h = try await Harness()
        let pairs = try await h.pairs(0..<2, ghl: ["tags": ["vip", "newsletter"]], espo: ["cTags": ["vip", "newsletter"]])
        #expect(try await h.run(["sync"]).code == 0)
        #expect(await ghlTags(h, pairs[0].ghl) == ["vip", "newsletter"])
        #expect(espoTags(h, pairs[0].espo) == ["vip", "newsletter"])

        _ = try await h.ghlClient.addTags(["Hot-Lead"], to: pairs[0].ghl)
        #expect(h.sandbox.espo.edit("Contact", id: pairs[0].espo, ["cTags": ["vip"]]))
        await h.resetRequestLogs()
        let sync = try await h.run(["sync", "--json"])
        #expect(sync.code == 0, "\(sync)")
        let merged = await ghlTags(h, pairs[0].ghl)
        #expect(merged == ["vip", "hot-lead"], "GHL: \(merged)\n\(sync)")
        #expect(espoTags(h, pairs[0].espo) == ["vip", "hot-lead"], "EspoCRM: \(espoTags(h, pairs[0].espo))\n\(sync)")
        #expect(await ghlTags(h, pairs[1].ghl) == ["vip", "newsletter"])
        let log = await h.sandbox.ghlServer.log.countsByEndpoint
        #expect((log["DELETE /contacts/{contactId}/tags"] ?? 0) == 1, "\(log)")
        #expect((log["PUT /contacts/{contactId}"] ?? 0) == 0, "GHL's tags were written with a PUT: \(log)")
        try await h.expectQuietNight("after merging tags")
        #expect(try await h.run(["sync", "--full"]).code == 0)
        #expect(await ghlTags(h, pairs[0].ghl) == ["vip", "hot-lead"])
        #expect(espoTags(h, pairs[0].espo) == ["vip", "hot-lead"])
        await h.stop()
    }

    /// Someone tags the contact in GHL after the sync read it and before it wrote EspoCRM's new tag:
    /// a delta write keeps both, a whole-set PUT would drop the newcomer.
    @Test func aTagAddedInGHLWhileTheSyncWritesOneIsNotLost() async throws {
        let h = try await Harness()
        let pairs = try await h.pairs(0..<1, ghl: ["tags": ["vip"]], espo: ["cTags": ["vip"]])
        #expect(try await h.run(["sync"]).code == 0)
        #expect(h.sandbox.espo.edit("Contact", id: pairs[0].espo, ["cTags": ["vip", "newsletter"]]))

        await h.resetRequestLogs()
        await h.sandbox.ghlServer.setFaults(Faults(latency: .milliseconds(300)))
        let (process, name) = try h.start(["sync", "--json"])
        // As soon as the sync has read GHL's contacts, a GHL user adds a tag; the sync's write comes later.
        while process.isRunning, await h.sandbox.ghlServer.log.entries.contains(where: { $0.endpoint == "POST /contacts/search" || $0.endpoint == "GET /contacts/" }) == false {
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(process.isRunning, "the sync ended before it read GHL's contacts")
        _ = try await h.ghlClient.addTags(["hot"], to: pairs[0].ghl)
        // Usually only this tag call has been applied by now, and the sync's own write comes after it;
        // on a loaded machine the two may land the other way round. Either way no tag may be lost, and
        // no whole-set PUT may be sent: the assertions below hold for both orders.
        let writesWhenTagged = await h.sandbox.ghlServer.log.writes
        #expect((1...2).contains(writesWhenTagged), "\(writesWhenTagged) writes before the sync's own")
        while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        await h.sandbox.ghlServer.setFaults(.none)
        let sync = h.output(of: process, name: name)
        #expect(sync.code == 0, "\(sync)")
        let tags = await ghlTags(h, pairs[0].ghl)
        #expect(tags == ["vip", "newsletter", "hot"], "GHL: \(tags)\n\(sync)")
        let log = await h.sandbox.ghlServer.log.countsByEndpoint
        #expect((log["POST /contacts/{contactId}/tags"] ?? 0) >= 2, "the sync did not add EspoCRM's tag with POST /contacts/{id}/tags: \(log)")
        #expect((log["PUT /contacts/{contactId}"] ?? 0) == 0, "GHL's tags were written with a PUT: \(log)")

        // The next night brings GHL's newcomer to EspoCRM, then nothing more.
        let next = try await h.run(["sync", "--json"])
        #expect(next.code == 0, "\(next)")
        #expect(espoTags(h, pairs[0].espo) == ["vip", "newsletter", "hot"], "EspoCRM: \(espoTags(h, pairs[0].espo))")
        #expect(await ghlTags(h, pairs[0].ghl) == ["vip", "newsletter", "hot"])
        try await h.expectQuietNight("after the concurrent tag")
        await h.stop()
    }

    /// An EspoCRM without the `cTags` Array field: the run stops before any write and says how to fix it.
    @Test func anEspoWithoutTheTagsFieldStopsTheRunBeforeAnyWrite() async throws {
        let h = try await Harness()
        let espo = EspoEmulator(.init(apiKeys: [h.sandbox.espoAPIKey], arrayFields: [:]))
        let server = try await espo.serve()
        try h.config().replacingOccurrences(of: h.sandbox.espoServer.baseURL, with: server.baseURL)
            .write(toFile: h.folder.file("espo-ghl-sync.json"), atomically: true, encoding: .utf8)
        await h.person(0, on: [.ghl])
        espo.insert("Contact", ["firstName": "Pat", "lastName": "Number1", "emailAddress": .string(Harness.email(1))])
        await h.resetRequestLogs()
        let sync = try await h.run(["sync"])
        #expect(sync.code == 1, "\(sync)")
        #expect(sync.stderr.contains("cTags"), "\(sync)")
        #expect(sync.stderr.contains("contacts.json"), "\(sync)")
        // How to fix it: add the field in EspoCRM, or take `tags` out of the mapping.
        let advice = sync.stderr.lowercased()
        #expect(advice.contains("entity manager") || (advice.contains("create") && advice.contains("field")), "no fix named: \(sync)")
        #expect(await h.sandbox.ghlServer.log.writes == 0)
        #expect(await server.log.writes == 0)
        #expect(await h.sandbox.ghl.contactCount(location: h.sandbox.locationId) == 1)
        #expect(espo.count("Contact") == 1)
        let plan = try await h.run(["plan"])
        #expect(plan.code == 1, "\(plan)")
        #expect(plan.stderr.contains("cTags"), "\(plan)")
        await server.stop()
        await h.stop()
    }
}
