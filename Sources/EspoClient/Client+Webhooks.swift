import SyncCore
import Transport

extension Espo {
    /// An outgoing webhook (a `Webhook` record): EspoCRM posts batches of `event` to `url` (FACTS §12).
    public struct Webhook: Sendable, Equatable {
        public let id: String
        /// `Contact.update`, `Task.create`…
        public let event: String
        public let url: String
        /// Whether EspoCRM sends it; nil when the answer does not say.
        public let isActive: Bool?
        /// Whether events caused by the webhook's owner are left out; nil when the answer does not say.
        public let skipOwn: Bool?
        /// The owning user.
        public let userId: String?

        public init(id: String, event: String, url: String, isActive: Bool?, skipOwn: Bool?, userId: String?) {
            self.id = id
            self.event = event
            self.url = url
            self.isActive = isActive
            self.skipOwn = skipOwn
            self.userId = userId
        }
    }
}

extension Espo.Client {
    /// `POST Webhook`: subscribes `url` to `event`; `skipOwn` leaves out the changes our own API user
    /// makes (EspoCRM 9.2+), so the sync's writes never come back as events. Not idempotent.
    public func createWebhook(event: String, url: String, skipOwn: Bool) async throws(APIError) -> (id: String, secretKey: String) {
        let endpoint = "POST /Webhook"
        let body: JSON = ["event": .string(event), "url": .string(url), "skipOwn": .bool(skipOwn)]
        let json = try await transport.json(Request(.post, "/Webhook", endpoint: endpoint, body: .json(body), isIdempotent: false))
        guard let id = json["id"]?.stringValue, !id.isEmpty, let secretKey = json["secretKey"]?.stringValue, !secretKey.isEmpty else {
            throw APIError(.invalidResponse, service: transport.service, endpoint: endpoint,
                           message: "fields `id`/`secretKey`: the created webhook must carry both as strings")
        }
        return (id, secretKey)
    }

    /// `GET Webhook`, every page: the webhooks the credentials may see (an admin sees all, an API user its own).
    public func webhooks() async throws(APIError) -> [Espo.Webhook] {
        let endpoint = "GET /Webhook"
        var found: [Espo.Webhook] = []
        while true {
            let json = try await transport.json(Request(
                .get, "/Webhook", endpoint: endpoint,
                query: [.init("maxSize", String(Espo.ListQuery.maxPageSize)), .init("offset", String(found.count))]))
            guard case .array(let items)? = json["list"] else {
                throw APIError(.invalidResponse, service: transport.service, endpoint: endpoint,
                               message: "field `list`: expected an array, got \(json["list"]?.kindName ?? "absent")")
            }
            for (index, item) in items.enumerated() {
                guard let id = item["id"]?.stringValue, let event = item["event"]?.stringValue, let url = item["url"]?.stringValue else {
                    throw APIError(.invalidResponse, service: transport.service, endpoint: endpoint,
                                   message: "list[\(index)]: a webhook needs `id`, `event` and `url` as strings")
                }
                found.append(Espo.Webhook(
                    id: id, event: event, url: url, isActive: item["isActive"]?.boolValue, skipOwn: item["skipOwn"]?.boolValue,
                    userId: item["userId"]?.stringValue))
            }
            let total = json["total"]?.numberValue.map { Int($0) }
            if items.isEmpty || total.map({ found.count >= $0 }) ?? (items.count < Espo.ListQuery.maxPageSize) { return found }
        }
    }

    /// `DELETE Webhook/{id}`; one already gone (404) counts as deleted.
    public func deleteWebhook(id: String) async throws(APIError) {
        let endpoint = "DELETE /Webhook/{id}"
        do throws(APIError) {
            _ = try await transport.send(Request(.delete, Request.path("Webhook", id), endpoint: endpoint))
        } catch where error.kind == .notFound {
            return
        }
    }
}
