import Crypto
import Emulation
import EspoClient
import EspoEmulator
import Foundation
import Synchronization
import SyncCore
import Testing
import Transport

/// A webhook receiver on a loopback port: keeps every request as received and answers the statuses
/// it is told, in order (200 once they run out).
final class WebhookReceiver: EmulatedAPI {
    let contractName = "receiver"
    private let state = Mutex<(requests: [ServedRequest], statuses: [Int])>(([], []))

    func answer(_ statuses: [Int]) { state.withLock { $0.statuses += statuses } }

    var requests: [ServedRequest] { state.withLock { $0.requests } }

    /// Each request's body: a JSON array of items.
    var batches: [[JSON]] { requests.map { (try? JSON(parsing: $0.body))?.arrayValue ?? [] } }

    func route(_ request: ServedRequest) -> Route? { Route("\(request.method) \(request.path)", isWrite: true) }

    func respond(to request: ServedRequest) async -> ServedResponse {
        let status = state.withLock { state -> Int in
            state.requests.append(request)
            return state.statuses.isEmpty ? 200 : state.statuses.removeFirst()
        }
        return ServedResponse(status: status)
    }
}

@Suite("EspoCRM emulator webhook delivery")
struct EspoWebhookDeliveryTests {
    /// An emulator whose job runs every 50 ms and retries 200 ms later, and a receiver.
    func start(_ settings: EspoWebhookSettings = EspoWebhookSettings(interval: .milliseconds(50), failAttemptPeriod: .milliseconds(200)))
        async throws -> (EspoWorld, WebhookReceiver, EmulatorServer)
    {
        let world = try await EspoWorld.start(recorded: false)
        world.emulator.webhookSettings = settings
        // The receiver is on 127.0.0.1, which EspoCRM refuses unless listed (`webhookAllowedAddressList`).
        world.emulator.webhookAllowedAddresses = ["127.0.0.1"]
        let receiver = WebhookReceiver()
        return (world, receiver, try await EmulatorServer.start(receiver))
    }

    /// One request over HTTP as the API user (or `credentials`): the status and the JSON answer.
    func call(
        _ world: EspoWorld, _ method: HTTPMethod, _ path: String, _ body: JSON? = nil,
        as credentials: any Credentials = Espo.APIKey(testAPIKey)
    ) async -> (status: Int, json: JSON) {
        let transport = APITransport(
            service: "EspoCRM", contractName: "espo", baseURL: world.server.baseURL + "/api/v1", credentials: credentials,
            pacer: Pacer(RateLimit(requests: 100, interval: .seconds(1), concurrency: 4)), retry: RetryPolicy(maxAttempts: 1))
        do {
            let response = try await transport.send(Request(method, path, body: body.map { .json($0) }))
            return (response.status, (try? response.json()) ?? .null)
        } catch {
            return (error.status ?? 0, .null)
        }
    }

    /// Subscribes over HTTP; returns the subscription's `id` and `secretKey`.
    func subscribe(_ world: EspoWorld, _ event: String, url: String, skipOwn: Bool) async throws -> (id: String, secret: String) {
        let answer = await call(world, .post, "/Webhook", ["event": .string(event), "url": .string(url), "skipOwn": .bool(skipOwn)])
        #expect(answer.status == 201)
        #expect(answer.json["event"]?.stringValue == event && answer.json["isActive"] == true)
        #expect(answer.json["skipOwn"] == .bool(skipOwn) && answer.json["userId"]?.stringValue == EspoEmulator.apiUserId)
        return (try #require(answer.json["id"]?.stringValue), try #require(answer.json["secretKey"]?.stringValue))
    }

    @Test("a person's edits arrive batched and signed; the API user's own edit is skipped with skipOwn")
    func humanEditsArriveSignedAndOwnAreSkipped() async throws {
        let (world, receiver, server) = try await start()
        let emulator = world.emulator
        let contact = try #require(emulator.insert("Contact", ["firstName": "Grace", "lastName": "Hopper"]))
        let url = server.baseURL + "/webhooks/espo/contact-update"
        let (webhookId, secret) = try await subscribe(world, "Contact.update", url: url, skipOwn: true)
        #expect(secret.count == 32)

        emulator.pauseWebhooks()
        #expect(emulator.edit("Contact", id: contact, ["firstName": "Ada"]))
        #expect(emulator.edit("Contact", id: contact, ["lastName": "Lovelace"]))
        emulator.resumeWebhooks()
        await emulator.webhooksDrained()

        let request = try #require(receiver.requests.first)
        #expect(receiver.requests.count == 1 && request.path == "/webhooks/espo/contact-update")
        #expect(request.header("Content-Type") == "application/json")
        let mac = HMAC<SHA256>.authenticationCode(for: request.body, using: SymmetricKey(data: Data(secret.utf8)))
        let hex = mac.map { String(format: "%02x", $0) }.joined()
        let signature = try #require(request.header("Signature").flatMap { Data(base64Encoded: $0) })
        #expect(String(decoding: signature, as: UTF8.self) == "\(webhookId):\(hex)")
        let legacy = try #require(request.header("X-Signature").flatMap { Data(base64Encoded: $0) })
        #expect(legacy == Data("\(webhookId):".utf8) + Data(mac))

        let items = try #require(receiver.batches.first)
        #expect(items.count == 2)
        #expect(items[0]["id"]?.stringValue == contact && items[0]["firstName"] == "Ada" && items[0]["lastName"] == nil)
        #expect(items[1]["id"]?.stringValue == contact && items[1]["lastName"] == "Lovelace" && items[1]["firstName"] == nil)
        for item in items { #expect(item["modifiedAt"] == nil && item["versionNumber"] == nil && item["emailAddress"] == nil) }

        // The API user's own edit is dropped; the person's next edit comes alone.
        #expect(await call(world, .patch, "/Contact/\(contact)", ["firstName": "Own"]).status == 200)
        await emulator.webhooksDrained()
        #expect(emulator.edit("Contact", id: contact, ["description": "met at the fair"]))
        await emulator.webhooksDrained()
        #expect(receiver.batches.count == 2)
        #expect(receiver.batches.last?.map { $0["description"]?.stringValue } == ["met at the fair"])
        await server.stop()
        await world.stop()
    }

    @Test(".create carries the whole record, .update only what changed and id, .delete only id")
    func payloadShapes() async throws {
        let (world, receiver, server) = try await start()
        let base = server.baseURL + "/webhooks/espo/"
        for event in ["Account.create", "Account.update", "Account.delete"] {
            _ = try await subscribe(world, event, url: base + event, skipOwn: false)
        }
        let created = await call(world, .post, "/Account", ["name": "Acme", "website": "https://acme.example"])
        let id = try #require(created.json["id"]?.stringValue)
        await world.emulator.webhooksDrained()
        #expect(world.emulator.edit("Account", id: id, ["website": "https://acme.example/new"]))
        await world.emulator.webhooksDrained()
        #expect(world.emulator.record("Account", id: id)?["versionNumber"] == 2)
        #expect(world.emulator.remove("Account", id: id))
        await world.emulator.webhooksDrained()

        func items(_ event: String) -> [JSON] {
            zip(receiver.requests, receiver.batches).filter { $0.0.path.hasSuffix(event) }.flatMap(\.1)
        }
        let create = try #require(items("Account.create").first)
        #expect(create["name"] == "Acme" && create["website"] == "https://acme.example" && create["createdAt"] != nil)
        let update = try #require(items("Account.update").first?.objectValue)
        #expect(update["website"] == "https://acme.example/new" && update["id"]?.stringValue == id)
        // The person is not the API user who created it, so who modified it changed too.
        #expect(Set(update.keys).isSubset(of: ["website", "id", "modifiedById", "modifiedByName"]))
        #expect(update["modifiedById"]?.stringValue == EspoEmulator.humanUserId)
        #expect(items("Account.delete").map(\.objectValue) == [["id": .string(id)]])
        #expect(items("Account.update").count == 1)
        await server.stop()
        await world.stop()
    }

    @Test("503 is tried again, at most maxAttempts times; 400 fails at once; 410 deletes the subscription")
    func retriesAndRemoval() async throws {
        let (world, receiver, server) = try await start()
        let emulator = world.emulator
        let contact = try #require(emulator.insert("Contact", ["firstName": "Lin", "lastName": "Wu"]))
        let (webhookId, _) = try await subscribe(world, "Contact.update", url: server.baseURL + "/espo", skipOwn: true)

        receiver.answer([503, 200])
        emulator.edit("Contact", id: contact, ["description": "one"])
        await emulator.webhooksDrained()
        receiver.answer([400])
        emulator.edit("Contact", id: contact, ["description": "two"])
        await emulator.webhooksDrained()
        receiver.answer([500, 500, 500, 500])
        emulator.edit("Contact", id: contact, ["description": "three"])
        await emulator.webhooksDrained()
        let log = emulator.webhookDeliveries
        #expect(log.map(\.status) == [503, 200, 400, 500, 500, 500, 500])
        #expect(log.map(\.attempt) == [1, 2, 1, 1, 2, 3, 4])
        #expect(log.map(\.result) == [.willRetry, .delivered, .dropped, .willRetry, .willRetry, .willRetry, .dropped])
        #expect(receiver.requests[0].body == receiver.requests[1].body)

        receiver.answer([410])
        emulator.edit("Contact", id: contact, ["description": "four"])
        await emulator.webhooksDrained()
        #expect(emulator.webhookDeliveries.last?.result == .subscriptionDeleted)
        #expect(await call(world, .get, "/Webhook/\(webhookId)").status == 404)
        #expect(emulator.webhookSubscriptions.isEmpty)
        let posts = receiver.requests.count
        emulator.edit("Contact", id: contact, ["description": "five"])
        await emulator.webhooksDrained()
        #expect(receiver.requests.count == posts)
        await server.stop()
        await world.stop()
    }

    @Test("a batch holds at most batchSize items, oldest first")
    func batchSize() async throws {
        let (world, receiver, server) = try await start(EspoWebhookSettings(interval: .milliseconds(50), batchSize: 2))
        let emulator = world.emulator
        _ = try await subscribe(world, "Task.create", url: server.baseURL + "/espo", skipOwn: true)
        emulator.pauseWebhooks()
        let ids = (1...3).compactMap { emulator.insert("Task", ["name": .string("Task \($0)"), "assignedUserId": .string(EspoEmulator.humanUserId)]) }
        try #require(ids.count == 3)
        emulator.resumeWebhooks()
        await emulator.webhooksDrained()
        #expect(receiver.batches.map { $0.map { $0["id"]?.stringValue } } == [[ids[0], ids[1]], [ids[2]]])
        await server.stop()
        await world.stop()
    }

    @Test("only API users subscribe, Note has no webhooks, Meeting has; the list shows one's own")
    func subscriptionRules() async throws {
        let (world, _, server) = try await start()
        let url = server.baseURL + "/espo"
        #expect(await call(world, .post, "/Webhook", ["event": "Note.create", "url": .string(url)]).status == 403)
        #expect(await call(world, .post, "/Webhook", ["event": "Contact.merge", "url": .string(url)]).status == 403)
        #expect(await call(world, .post, "/Webhook", ["event": "Contact.update"]).status == 400)
        let person = Espo.Basic(username: "admin", password: "s3cret pass")
        #expect(await call(world, .post, "/Webhook", ["event": "Contact.update", "url": .string(url)], as: person).status == 403)
        #expect(await call(world, .get, "/Webhook", as: person).status == 403)
        let (id, _) = try await subscribe(world, "Meeting.update", url: url, skipOwn: false)
        let list = await call(world, .get, "/Webhook")
        #expect(list.json["total"] == 1 && list.json["list"]?.arrayValue?.first?["id"]?.stringValue == id)
        #expect(await call(world, .delete, "/Webhook/\(id)").status == 200)
        #expect(await call(world, .get, "/Webhook").json["total"] == 0)
        await server.stop()
        await world.stop()
    }
}
