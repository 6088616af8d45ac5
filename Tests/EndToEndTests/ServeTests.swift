import Crypto
import Engine
import EspoEmulator
import GHLEmulator
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import StateStore
import SyncCore
import Testing
import TestSupport

/// `espo-ghl-sync serve` as a child process against both emulators: events signed with a key made
/// here, the poll, a SIGKILL with events in the inbox, and a nightly `sync` on the same state file.
@Suite(.serialized) struct ServeEndToEndTests {
    /// GHL's webhook key for these tests; the config names its public half.
    private static let keyBytes = Array(Curve25519.Signing.PrivateKey().rawRepresentation)
    static var key: Curve25519.Signing.PrivateKey { try! Curve25519.Signing.PrivateKey(rawRepresentation: keyBytes) }
    static var publicKey: String {
        // SubjectPublicKeyInfo for Ed25519: the fixed prefix, then the 32 raw bytes.
        (Data([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]) + key.publicKey.rawRepresentation)
            .base64EncodedString()
    }

    /// A running `serve`.
    struct Served {
        let process: Process
        let name: String
        let port: Int
        var url: String { "http://127.0.0.1:\(port)" }

        func kill(_ signal: Int32 = SIGKILL) async throws {
            Foundation.kill(process.processIdentifier, signal)
            while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        }
    }

    /// The harness's config plus a `serve` section and the test's GHL key.
    static func configure(_ h: Harness, pollSeconds: Double) throws {
        var text = h.config()
        text = text.replacingOccurrences(
            of: "\"auth\": { \"type\": \"privateToken\"",
            with: "\"webhooks\": { \"publicKey\": \"\(publicKey)\" }, \"auth\": { \"type\": \"privateToken\"")
        text = text.replacingOccurrences(
            of: "\"state\": \"state.sqlite\"",
            with: "\"serve\": { \"pollSeconds\": \(pollSeconds), \"publicURL\": \"http://127.0.0.1:1\" }, \"state\": \"state.sqlite\"")
        try text.write(toFile: h.folder.file("espo-ghl-sync.json"), atomically: true, encoding: .utf8)
    }

    /// Starts `serve --port 0` and waits until it answers `/healthz`.
    static func serve(_ h: Harness) async throws -> Served {
        let (process, name) = try h.start(["serve", "--port", "0"])
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let err = (try? String(contentsOfFile: h.folder.file(name + ".err"), encoding: .utf8)) ?? ""
            if let range = err.range(of: #"listening on http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                let port = Int(err[range].split(separator: ":").last!)!
                let served = Served(process: process, name: name, port: port)
                if (try? await get(served.url + "/healthz"))?.status == 200 { return served }
            }
            if !process.isRunning { Issue.record("serve exited: \(h.output(of: process, name: name))"); break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CancellationError()
    }

    static func get(_ url: String) async throws -> (status: Int, body: String) {
        let (data, response) = try await URLSession.shared.data(from: URL(string: url)!)
        return ((response as! HTTPURLResponse).statusCode, String(decoding: data, as: UTF8.self))
    }

    /// Posts a GHL event signed with the test's key; returns the status.
    static func post(_ served: Served, _ h: Harness, type: String, id: String, webhookId: String = UUID().uuidString, fields: JSONObject = [:]) async throws -> Int {
        var object: JSONObject = [
            "type": .string(type), "locationId": .string(h.sandbox.locationId), "id": .string(id),
            "timestamp": .string(Timestamp.iso8601(Int64(Date().timeIntervalSince1970))), "webhookId": .string(webhookId),
        ]
        for (key, value) in fields { object[key] = value }
        let body = Data(JSON.object(object).serializedBytes())
        var request = URLRequest(url: URL(string: served.url + "/webhooks/ghl")!)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(try key.signature(for: body).base64EncodedString(), forHTTPHeaderField: "x-ghl-signature")
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as! HTTPURLResponse).statusCode
    }

    /// Waits until `condition` holds (a generous deadline: it is a liveness check, not a timing).
    static func eventually(_ what: String, within seconds: Double = 60, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("never happened: \(what)")
    }

    static func metric(_ served: Served, _ name: String) async throws -> Double? {
        let text = try await get(served.url + "/metrics").body
        return text.split(separator: "\n").first { $0.hasPrefix(name + " ") || $0.hasPrefix(name + "{") }
            .flatMap { Double($0.split(separator: " ").last!) }
    }

    func synced(people: Int, pollSeconds: Double = 60) async throws -> (Harness, [(ghl: String, espo: String)]) {
        let h = try await Harness()
        let pairs = try await h.pairs(0..<people)
        let first = try await h.run(["sync"])
        #expect(first.code == 0, "\(first)")
        try Self.configure(h, pollSeconds: pollSeconds)
        return (h, pairs)
    }

    @Test func serveRefusesAStateFileNoSyncRanOn() async throws {
        let h = try await Harness()
        try Self.configure(h, pollSeconds: 60)
        let result = try await h.run(["serve", "--port", "0"])
        #expect(result.code == 1)
        #expect(result.stderr.contains("run `espo-ghl-sync sync` once"), "\(result)")
        await h.stop()
    }

    @Test func aGHLEditTravelsOnItsWebhookAndItsEchoWritesNothing() async throws {
        let (h, pairs) = try await synced(people: 3)
        let served = try await Self.serve(h)
        _ = try await h.ghlClient.updateContact(pairs[0].ghl, ["city": "Boston"])
        await h.resetRequestLogs()
        #expect(try await Self.post(served, h, type: "ContactUpdate", id: pairs[0].ghl) == 200)
        try await Self.eventually("the edit reaches EspoCRM") {
            h.sandbox.espo.record("Contact", id: pairs[0].espo)?["addressCity"]?.stringValue == "Boston"
        }
        // Our write to EspoCRM, and nothing else; the same event again (a replay) is acknowledged, not applied.
        #expect(try await Self.post(served, h, type: "ContactUpdate", id: pairs[0].ghl) == 200)
        try await Task.sleep(for: .seconds(1))
        let writes = await h.writes()
        #expect(writes.ghl == 0 && writes.espo == 1, "\(writes)")
        // The night after: nothing to do.
        let night = try await h.run(["plan", "--json"])
        #expect(night.code == 0, "\(night)")
        try await served.kill(SIGTERM)
        #expect(served.process.terminationStatus == 0, "\(h.output(of: served.process, name: served.name))")
        // `status` lists the nightly runs and sums serve's passes up in one line.
        let status = try await h.run(["status"])
        #expect(status.stdout.contains("serve: last pass") && status.stdout.contains("0 events waiting"), "\(status)")
        #expect(status.stdout.contains("  sync  ok"), "\(status)")
        await h.stop()
    }

    @Test func theGHLEmulatorsOwnWebhooksTravelAndTheEchoOfOurWriteWritesNothing() async throws {
        let (h, pairs) = try await synced(people: 3, pollSeconds: 1)
        // The emulator signs with its own test key, as GHL does with its published one.
        var text = try String(contentsOfFile: h.folder.file("espo-ghl-sync.json"), encoding: .utf8)
        text = text.replacingOccurrences(of: Self.publicKey, with: GHLWebhookKeys.test.publicKeyBase64)
        try text.write(toFile: h.folder.file("espo-ghl-sync.json"), atomically: true, encoding: .utf8)
        let served = try await Self.serve(h)
        await h.sandbox.ghl.deliverWebhooks(to: served.url + "/webhooks/ghl")
        #expect(await h.sandbox.ghl.editContact(pairs[0].ghl, location: h.sandbox.locationId, ["city": "Boston"]))
        try await Self.eventually("the GHL edit reaches EspoCRM") {
            h.sandbox.espo.record("Contact", id: pairs[0].espo)?["addressCity"]?.stringValue == "Boston"
        }
        // An EspoCRM edit goes to GHL by the poll; GHL's webhook for that write comes back to serve.
        await h.resetRequestLogs()
        #expect(h.sandbox.espo.edit("Contact", id: pairs[1].espo, ["addressCity": "Denver"]))
        try await Self.eventually("the EspoCRM edit reaches GHL") {
            await h.ghlContact(id: pairs[1].ghl)?["city"]?.stringValue == "Denver"
        }
        await h.sandbox.ghl.webhooksDrained()
        try await Self.eventually("the echo is applied") { try await Self.metric(served, "espo_ghl_sync_inbox_depth") == 0 }
        try await Task.sleep(for: .seconds(1.5))
        let writes = await h.writes()
        #expect(writes.ghl == 1 && writes.espo == 0, "the echo wrote: \(writes)")
        let deliveries = await h.sandbox.ghl.webhookDeliveries
        #expect(deliveries.count >= 2 && deliveries.allSatisfy { $0.status == 200 }, "\(deliveries)")
        try await served.kill(SIGTERM)
        #expect((try await h.run(["plan"])).code == 0)
        await h.stop()
    }

    @Test func espoWebhooksSubscribedByTheCommandCarryAnEditAndUnsubscribeRemovesThem() async throws {
        // A poll every ten minutes: the edit can only come by EspoCRM's webhook.
        let (h, pairs) = try await synced(people: 2, pollSeconds: 600)
        h.sandbox.espo.webhookSettings = EspoWebhookSettings(interval: .milliseconds(200))
        let key = ["ESPO_GHL_SYNC_TOKEN_KEY": Data((0..<32).map { UInt8($0) }).base64EncodedString()]
        let (process, name) = try h.start(["serve", "--port", "0"], environment: key)
        var served: Served?
        try await Self.eventually("serve listens") {
            let err = (try? String(contentsOfFile: h.folder.file(name + ".err"), encoding: .utf8)) ?? ""
            guard let range = err.range(of: #"listening on http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) else { return false }
            served = Served(process: process, name: name, port: Int(err[range].split(separator: ":").last!)!)
            return true
        }
        let serve = try #require(served)
        // `webhooks subscribe` registers serve's address (serve.publicURL) for the 12 events.
        var text = try String(contentsOfFile: h.folder.file("espo-ghl-sync.json"), encoding: .utf8)
        text = text.replacingOccurrences(of: "\"publicURL\": \"http://127.0.0.1:1\"", with: "\"publicURL\": \"\(serve.url)\"")
        try text.write(toFile: h.folder.file("espo-ghl-sync.json"), atomically: true, encoding: .utf8)
        // EspoCRM 9.3.2+ refuses a webhook to an internal address until its allow list names it.
        let refused = try await h.run(["webhooks", "subscribe"], environment: key)
        #expect(refused.code == 1 && h.sandbox.espo.webhookSubscriptions.isEmpty, "\(refused)")
        h.sandbox.espo.webhookAllowedAddresses = ["127.0.0.1"]
        let subscribed = try await h.run(["webhooks", "subscribe"], environment: key)
        #expect(subscribed.code == 0, "\(subscribed)")
        #expect(h.sandbox.espo.webhookSubscriptions.count == 12)
        let listed = try await h.run(["webhooks", "list"], environment: key)
        #expect(listed.code == 0 && listed.stdout.contains("contact-update") && listed.stdout.contains("ours"), "\(listed)")
        try await Self.eventually("the first poll is done") { (try await Self.get(serve.url + "/readyz")).status == 200 }
        // A person edits the contact in EspoCRM; its webhook reaches serve, which writes GHL.
        #expect(h.sandbox.espo.edit("Contact", id: pairs[0].espo, ["addressCity": "Oslo"]))
        try await Self.eventually("the EspoCRM edit reaches GHL by its webhook") {
            await h.ghlContact(id: pairs[0].ghl)?["city"]?.stringValue == "Oslo"
        }
        // A person deletes the other contact in EspoCRM: a listing never shows that; its webhook does.
        #expect(h.sandbox.espo.remove("Contact", id: pairs[1].espo))
        try await Self.eventually("the delete reaches GHL by its webhook") { await h.ghlContact(id: pairs[1].ghl) == nil }
        let deliveries = h.sandbox.espo.webhookDeliveries
        #expect(!deliveries.isEmpty && deliveries.allSatisfy { $0.status == 200 }, "\(deliveries)")
        try await serve.kill(SIGTERM)
        for full in [false, true] {
            let night = try await h.run(["sync", "--json"] + (full ? ["--full"] : []), environment: key)
            #expect(night.code == 0 && count(night.json, "create", .ghl) == 0 && count(night.json, "create", .espo) == 0, "\(night)")
        }
        let unsubscribed = try await h.run(["webhooks", "unsubscribe"], environment: key)
        #expect(unsubscribed.code == 0, "\(unsubscribed)")
        #expect(h.sandbox.espo.webhookSubscriptions.isEmpty)
        await h.stop()
    }

    @Test func anEspoEditTravelsByThePollAndAReadyServerSaysSo() async throws {
        let (h, pairs) = try await synced(people: 3, pollSeconds: 1)
        let served = try await Self.serve(h)
        try await Self.eventually("/readyz says ready") { (try await Self.get(served.url + "/readyz")).status == 200 }
        #expect(h.sandbox.espo.edit("Contact", id: pairs[1].espo, ["addressCity": "Denver"]))
        try await Self.eventually("the edit reaches GHL") {
            await h.ghlContact(id: pairs[1].ghl)?["city"]?.stringValue == "Denver"
        }
        let metrics = try await Self.get(served.url + "/metrics").body
        #expect(metrics.contains("espo_ghl_sync_runs_total{"), "\(metrics.prefix(2000))")
        #expect(metrics.contains("espo_ghl_sync_inbox_depth 0"))
        try await served.kill(SIGTERM)
        let night = try await h.run(["plan", "--json"])
        #expect(night.code == 0, "\(night)")
        await h.stop()
    }

    @Test func eventsInTheInboxWhenServeIsKilledAreEachAppliedOnceAfterARestart() async throws {
        let (h, pairs) = try await synced(people: 20)
        // A batch holds the state file: the worker waits, the receiver keeps storing.
        var batch: RunLock? = try RunLock(statePath: h.folder.file("state.sqlite"))
        let served = try await Self.serve(h)
        for (n, pair) in pairs.enumerated() {
            _ = try await h.ghlClient.updateContact(pair.ghl, ["city": .string("City \(n)")])
            #expect(try await Self.post(served, h, type: "ContactUpdate", id: pair.ghl) == 200)
        }
        #expect(try await Self.metric(served, "espo_ghl_sync_inbox_depth") == 20)
        try await served.kill()
        batch = nil
        withExtendedLifetime(batch) {}
        await h.resetRequestLogs()
        let again = try await Self.serve(h)
        try await Self.eventually("all 20 edits reach EspoCRM") {
            pairs.enumerated().allSatisfy { n, pair in
                h.sandbox.espo.record("Contact", id: pair.espo)?["addressCity"]?.stringValue == "City \(n)"
            }
        }
        try await Self.eventually("the inbox is empty") { try await Self.metric(again, "espo_ghl_sync_inbox_depth") == 0 }
        #expect(await h.writes().espo == 20)
        try await again.kill(SIGTERM)
        #expect((try await h.run(["plan", "--json"])).code == 0)
        await h.stop()
    }

    @Test func serveAndANightlySyncShareTheStateFile() async throws {
        let (h, pairs) = try await synced(people: 30, pollSeconds: 1)
        let served = try await Self.serve(h)
        // Edits on both sides while events arrive and the nightly sync runs.
        let posting = Task {
            for (n, pair) in pairs.prefix(15).enumerated() {
                _ = try await h.ghlClient.updateContact(pair.ghl, ["city": .string("G\(n)")])
                _ = try await Self.post(served, h, type: "ContactUpdate", id: pair.ghl)
            }
        }
        for (n, pair) in pairs.suffix(15).enumerated() {
            _ = h.sandbox.espo.edit("Contact", id: pair.espo, ["addressCity": .string("E\(n)")])
        }
        let nightly = try await h.run(["sync"])
        #expect(nightly.code == 0, "\(nightly)")
        try await posting.value
        try await Self.eventually("every edit has travelled") {
            for (n, pair) in pairs.prefix(15).enumerated()
            where h.sandbox.espo.record("Contact", id: pair.espo)?["addressCity"]?.stringValue != "G\(n)" { return false }
            for (n, pair) in pairs.suffix(15).enumerated()
            where await h.ghlContact(id: pair.ghl)?["city"]?.stringValue != "E\(n)" { return false }
            return true
        }
        try await served.kill(SIGTERM)
        let after = try await h.run(["sync", "--json"])
        #expect(after.code == 0)
        for side in Side.allCases {
            #expect(count(after.json, "update", side) == 0 && count(after.json, "create", side) == 0, "\(after)")
        }
        await h.stop()
    }

    @Test func aBurstOfAThousandEventsIsEachAcknowledgedWithinASecondAndAllApplied() async throws {
        let (h, pairs) = try await synced(people: 250)
        let served = try await Self.serve(h)
        // Four rounds of edits, each followed by its events: 1 000 events, many about a record that
        // has changed again since, sent 8 at a time.
        var slowest = 0.0
        for round in 0..<4 {
            for (n, pair) in pairs.enumerated() where n % 4 == round || round == 3 {
                _ = try await h.ghlClient.updateContact(pair.ghl, ["city": .string("R\(round)-\(n)")])
            }
            let times = try await withThrowingTaskGroup(of: (Int, Double).self) { group in
                var results: [(Int, Double)] = []
                for (n, pair) in pairs.enumerated() {
                    if n >= 8 { results.append(try await group.next()!) }
                    group.addTask {
                        let start = Date()
                        let status = try await Self.post(served, h, type: "ContactUpdate", id: pair.ghl)
                        return (status, Date().timeIntervalSince(start))
                    }
                }
                for try await result in group { results.append(result) }
                return results
            }
            #expect(times.count == 250 && times.allSatisfy { $0.0 == 200 })
            slowest = max(slowest, times.map(\.1).max() ?? 0)
        }
        #expect(slowest < 1, "the slowest acknowledgement took \(slowest) s")
        try await Self.eventually("every contact holds its last edit in EspoCRM", within: 120) {
            pairs.enumerated().allSatisfy { n, pair in
                h.sandbox.espo.record("Contact", id: pair.espo)?["addressCity"]?.stringValue == "R3-\(n)"
            }
        }
        try await Self.eventually("the inbox is empty") { try await Self.metric(served, "espo_ghl_sync_inbox_depth") == 0 }
        try await served.kill(SIGTERM)
        #expect((try await h.run(["plan"])).code == 0)
        await h.stop()
    }

    /// By the webhook (the GHL record is read with its EspoCRM pair) or by the poll alone (both sides
    /// listed in one pass): either way both edits are seen, and neither overwrites the other.
    @Test(arguments: [true, false])
    func aConflictServeFindsIsQueuedAndNothingFlipsOnTheNightsAfter(byWebhook: Bool) async throws {
        let h = try await Harness(conflict: "manual")
        let (ghlId, espoId) = await h.person(1)
        let (ghl, espo) = (try #require(ghlId), try #require(espoId))
        #expect(try await h.run(["sync"]).code == 0)
        try Self.configure(h, pollSeconds: 1)
        // Both sides change the city before serve hears of either.
        _ = try await h.ghlClient.updateContact(ghl, ["city": "Denver"])
        #expect(h.sandbox.espo.edit("Contact", id: espo, ["addressCity": "Miami"]))
        let served = try await Self.serve(h)
        if byWebhook { #expect(try await Self.post(served, h, type: "ContactUpdate", id: ghl) == 200) }
        try await Self.eventually("the conflict is queued") {
            (try await h.run(["conflicts", "list", "--json"])).json?.arrayValue?.count == 1
        }
        try await Task.sleep(for: .seconds(2))
        #expect(await h.ghlContact(id: ghl)?["city"]?.stringValue == "Denver")
        #expect(h.sandbox.espo.record("Contact", id: espo)?["addressCity"]?.stringValue == "Miami")
        try await served.kill(SIGTERM)
        // The nights after, plain and full: the conflict stays queued and neither city flips.
        for full in [false, true] {
            #expect((try await h.run(["sync"] + (full ? ["--full"] : []))).code == 0)
            #expect(await h.ghlContact(id: ghl)?["city"]?.stringValue == "Denver")
            #expect(h.sandbox.espo.record("Contact", id: espo)?["addressCity"]?.stringValue == "Miami")
        }
        let list = try await h.run(["conflicts", "list", "--json"])
        let id = try #require(list.json?[0]?["id"]?.numberValue, "\(list)")
        #expect(try await h.run(["conflicts", "resolve", String(Int(id)), "--take", "espo"]).code == 0)
        #expect(try await h.run(["sync"]).code == 0)
        #expect(await h.ghlContact(id: ghl)?["city"]?.stringValue == "Miami")
        #expect((try await h.run(["plan"])).code == 0)
        await h.stop()
    }

    @Test func aDeleteMadeInGHLTravelsOnItsWebhookAndStaysDone() async throws {
        let (h, pairs) = try await synced(people: 3)
        let served = try await Self.serve(h)
        _ = try await h.ghlClient.deleteContact(pairs[2].ghl)
        #expect(try await Self.post(served, h, type: "ContactDelete", id: pairs[2].ghl) == 200)
        try await Self.eventually("the EspoCRM contact is deleted") { h.sandbox.espo.record("Contact", id: pairs[2].espo) == nil }
        try await served.kill(SIGTERM)
        for full in [false, true] {
            let night = try await h.run(["sync", "--json"] + (full ? ["--full"] : []))
            #expect(night.code == 0)
            #expect(count(night.json, "create", .ghl) == 0 && count(night.json, "create", .espo) == 0, "\(night)")
        }
        #expect(h.sandbox.espo.record("Contact", id: pairs[2].espo) == nil)
        await h.stop()
    }
}

/// A contact's tasks, notes and appointments through `serve`.
@Suite(.serialized) struct ServeChildrenTests {
    typealias S = ServeEndToEndTests
    static var now: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    @Test func childEventsFromGHLCreateAndDeleteTheirCopiesInEspoCRM() async throws {
        let h = try await Harness(children: true)
        let pairs = try await h.pairs(0..<2)
        #expect((try await h.run(["sync"])).code == 0)
        try S.configure(h, pollSeconds: 60)
        let served = try await S.serve(h)
        let ghl = h.sandbox.ghl
        let location = h.sandbox.locationId
        // A note names its contact; a TaskCreate comes without it (as the real service sends it).
        let note = await ghl.seedNote(contact: pairs[0].ghl, body: "Called about the renewal", location: location)
        let task = await ghl.seedTask(contact: pairs[1].ghl, title: "Send the contract", dueDate: Self.now + 86_400_000, location: location)
        #expect(try await S.post(served, h, type: "NoteCreate", id: note, fields: ["contactId": .string(pairs[0].ghl), "body": "Called about the renewal"]) == 200)
        #expect(try await S.post(served, h, type: "TaskCreate", id: task, fields: ["title": "Send the contract"]) == 200)
        try await S.eventually("the note is posted on the EspoCRM contact") {
            h.sandbox.espo.notes(on: "Contact", id: pairs[0].espo).contains { $0["post"]?.stringValue == "Called about the renewal" }
        }
        try await S.eventually("the task is under the EspoCRM contact") {
            h.sandbox.espo.records("Task").contains { $0["parentId"]?.stringValue == pairs[1].espo && $0["name"]?.stringValue == "Send the contract" }
        }
        // The task is deleted in GHL: its TaskDelete names the contact.
        _ = try await h.ghlClient.deleteTask(task, of: pairs[1].ghl)
        #expect(try await S.post(served, h, type: "TaskDelete", id: task, fields: ["contactId": .string(pairs[1].ghl)]) == 200)
        try await S.eventually("the EspoCRM task is deleted") {
            !h.sandbox.espo.records("Task").contains { $0["name"]?.stringValue == "Send the contract" }
        }
        try await served.kill(SIGTERM)
        // The nights after: nothing comes back, nothing is written twice.
        for full in [false, true] {
            let night = try await h.run(["sync", "--json"] + (full ? ["--full"] : []))
            #expect(night.code == 0, "\(night)")
            for entity in ["task", "note"] {
                for side in Side.allCases {
                    #expect(count(night.json, "create", side, entity: entity) == 0, "\(entity) \(side): \(night)")
                }
            }
        }
        #expect(await ghl.tasks(location: location).filter { $0["title"]?.stringValue == "Send the contract" }.isEmpty)
        await h.stop()
    }

    @Test func anEspoTaskEditTravelsByThePoll() async throws {
        let h = try await Harness(children: true)
        let pairs = try await h.pairs(0..<1)
        let location = h.sandbox.locationId
        let task = await h.sandbox.ghl.seedTask(contact: pairs[0].ghl, title: "Call Ada", dueDate: Self.now + 86_400_000, location: location)
        #expect((try await h.run(["sync"])).code == 0)
        try S.configure(h, pollSeconds: 1)
        let served = try await S.serve(h)
        let copy = try #require(h.sandbox.espo.records("Task").first { $0["name"]?.stringValue == "Call Ada" })
        #expect(h.sandbox.espo.edit("Task", id: try #require(copy["id"]?.stringValue), ["name": "Call Ada back"]))
        try await S.eventually("the title reaches GHL") {
            await h.sandbox.ghl.tasks(location: location).contains { $0["id"]?.stringValue == task && $0["title"]?.stringValue == "Call Ada back" }
        }
        try await served.kill(SIGTERM)
        #expect((try await h.run(["plan"])).code == 0)
        await h.stop()
    }
}
