import Emulation
import EspoClient
import Synchronization
import SyncCore
import Testing
import Transport

/// EspoCRM's `Webhook` records as FACTS §12 describes them (201 with `secretKey` on create, `{total, list}`
/// on list, 404 for an unknown id), served over HTTP for the client's webhook calls.
final class WebhookBook: EmulatedAPI {
    let contractName = "none"
    let pathPrefix = "/api/v1"
    let records = Mutex<[JSONObject]>([])
    let next = Mutex(0)

    func route(_ request: ServedRequest) -> Route? { Route("\(request.method) \(request.path)", isWrite: request.method != "GET") }

    func respond(to request: ServedRequest) async -> ServedResponse {
        let segments = request.segments
        switch (request.method, segments.dropFirst(2).first, segments.count) {
        case ("POST", "Webhook", 3):
            guard let body = try? request.json(), let event = body["event"]?.stringValue, let url = body["url"]?.stringValue else {
                return ServedResponse(status: 400)
            }
            let n = next.withLock { $0 += 1; return $0 }
            let record: JSONObject = [
                "id": .string("wh\(n)"), "event": .string(event), "url": .string(url), "isActive": true,
                "skipOwn": body["skipOwn"] ?? false, "userId": "api-user", "secretKey": .string("secret-\(n)"),
            ]
            records.withLock { $0.append(record) }
            return .json(201, .object(record))
        case ("GET", "Webhook", 3):
            let query = request.query(plusIsSpace: false)
            let offset = Int(query.first { $0.name == "offset" }?.value ?? "0") ?? 0
            let size = Int(query.first { $0.name == "maxSize" }?.value ?? "20") ?? 20
            let all = records.withLock { $0 }
            let page = all.dropFirst(offset).prefix(size).map { record -> JSON in
                var listed = record
                listed["secretKey"] = nil
                return .object(listed)
            }
            return .json(200, ["total": .number(Double(all.count)), "list": .array(Array(page))])
        case ("DELETE", "Webhook", 4):
            let id = segments[3]
            let removed = records.withLock { records -> Bool in
                guard let index = records.firstIndex(where: { $0["id"]?.stringValue == id }) else { return false }
                records.remove(at: index)
                return true
            }
            return removed ? .json(200, true) : ServedResponse(status: 404)
        default:
            return ServedResponse(status: 404)
        }
    }
}

@Suite struct WebhookTests {
    @Test func subscriptionsAreCreatedListedAndDeletedAndAGoneOneCountsAsDeleted() async throws {
        let book = WebhookBook()
        let server = try await EmulatorServer.start(book)
        let client = Espo.Client(siteURL: server.baseURL, credentials: Espo.APIKey("k"), retry: RetryPolicy(baseDelay: .milliseconds(5)))
        let contact = try await client.createWebhook(event: "Contact.update", url: "https://sync.example.com/webhooks/espo/contact-update", skipOwn: true)
        #expect(contact == (id: "wh1", secretKey: "secret-1"))
        let task = try await client.createWebhook(event: "Task.create", url: "https://sync.example.com/webhooks/espo/task-create", skipOwn: false)
        #expect(book.records.withLock { $0.map { $0["skipOwn"]?.boolValue } } == [true, false])

        let listed = try await client.webhooks()
        #expect(listed.map(\.id) == ["wh1", "wh2"])
        #expect(listed[0] == Espo.Webhook(
            id: "wh1", event: "Contact.update", url: "https://sync.example.com/webhooks/espo/contact-update", isActive: true,
            skipOwn: true, userId: "api-user"))

        try await client.deleteWebhook(id: task.id)
        try await client.deleteWebhook(id: task.id)
        #expect(try await client.webhooks().map(\.id) == ["wh1"])
        await server.stop()
    }

    @Test func moreThanOnePageIsListedWhole() async throws {
        let book = WebhookBook()
        let server = try await EmulatorServer.start(book)
        let client = Espo.Client(
            siteURL: server.baseURL, credentials: Espo.APIKey("k"), rateLimit: RateLimit(requests: 2_000, interval: .seconds(1), concurrency: 8))
        for n in 0..<205 { _ = try await client.createWebhook(event: "Contact.create", url: "https://x.example/\(n)", skipOwn: true) }
        let listed = try await client.webhooks()
        #expect(listed.count == 205)
        #expect(Set(listed.map(\.id)).count == 205)
        await server.stop()
    }
}
