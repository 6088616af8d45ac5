import Emulation
import SyncCore

extension EspoEmulator {
    /// The largest number of webhooks a non-admin may own (`webhookMaxCountPerUser`).
    static let webhookMaxCountPerUser = 50

    /// `POST Webhook` (201 with `secretKey`), `GET Webhook` (`{total, list}`, the caller's own),
    /// `GET`/`PATCH`/`DELETE Webhook/{id}`. Only API users may call them (admins too, on a real
    /// server; the emulator has none): anyone else is a 403 (`Controllers/Webhook.php`). The event is
    /// checked as `Classes/RecordHooks/Webhook/BeforeSave.php` does: `{Entity}.create|update|delete`
    /// or `{Entity}.fieldUpdate.{field}` of an object scope (Note is not one: 403).
    func webhookEndpoint(_ request: ServedRequest, parts: [String], caller: Caller) -> ServedResponse {
        guard caller.type == "api" else { return Answer.error(403, "No access to Webhook.") }
        let body: JSON
        do { body = try request.json() } catch { return ServedResponse(status: 500) }
        let now = self.now
        switch (request.method, parts.count) {
        case ("POST", 1):
            let answer = store.withLock { $0.subscribe(body, caller: caller, now: now) }
            if answer.status == 201 { startWebhookJob() }
            return answer
        case ("GET", 1):
            return store.withLock { store in
                let own = store.webhookTables.webhooks.values.filter { $0.userId == caller.id }.sorted { $0.number < $1.number }
                return Answer.json(200, ["total": .number(Double(own.count)), "list": .array(own.map { .object(store.renderWebhook($0)) })])
            }
        case ("GET", 2):
            return store.withLock { store in
                guard let webhook = store.webhookTables.webhooks[parts[1]] else { return Answer.notFound(parts[1]) }
                guard webhook.userId == caller.id else { return Answer.error(403, "No read access.") }
                return Answer.json(200, .object(store.renderWebhook(webhook)))
            }
        case ("PATCH", 2), ("PUT", 2):
            return store.withLock { store in
                guard var webhook = store.webhookTables.webhooks[parts[1]] else { return Answer.notFound(parts[1]) }
                guard webhook.userId == caller.id else { return Answer.error(403, "No edit access.") }
                guard case .object(let input) = body else { return Answer.error(400, "Bad payload.") }
                if let event = input["event"], event != .string(webhook.event) { return Answer.error(403, "Event can't be changed.") }
                if let url = input["url"] {
                    guard let text = url.stringValue, Store.isWebURL(text) else { return Answer.validation("Webhook", field: "url", type: "valid") }
                    guard store.allows(text) else { return Answer.validation("Webhook", field: "url", type: "notInternal") }
                    webhook.url = text
                }
                for key in ["isActive", "skipOwn"] {
                    guard let value = input[key] else { continue }
                    guard let flag = value.boolValue else { return Answer.validation("Webhook", field: key, type: "valid") }
                    if key == "isActive" { webhook.isActive = flag } else { webhook.skipOwn = flag }
                }
                webhook.modifiedAt = now
                store.webhookTables.webhooks[webhook.id] = webhook
                // An inactive webhook's pending items are deleted, as the job does with them.
                if !webhook.isActive { store.webhookTables.items.removeAll { $0.webhookId == webhook.id } }
                return Answer.json(200, .object(store.renderWebhook(webhook)))
            }
        case ("DELETE", 2):
            return store.withLock { store in
                guard let webhook = store.webhookTables.webhooks[parts[1]] else { return Answer.notFound(parts[1]) }
                guard webhook.userId == caller.id else { return Answer.error(403, "No delete access.") }
                store.webhookTables.webhooks[webhook.id] = nil
                store.webhookTables.items.removeAll { $0.webhookId == webhook.id }
                return Answer.json(200, true)
            }
        default:
            return Answer.error(404, "Not found.")
        }
    }
}

extension Store {
    /// `POST Webhook {event, url, skipOwn?, isActive?}` by `caller`, an API user.
    mutating func subscribe(_ body: JSON, caller: Caller, now: String) -> ServedResponse {
        guard case .object(let input) = body else { return Answer.error(400, "Bad payload.") }
        guard let event = input["event"]?.stringValue, !event.isEmpty else {
            return Answer.validation("Webhook", field: "event", type: "required")
        }
        guard let url = input["url"]?.stringValue, !url.isEmpty else { return Answer.validation("Webhook", field: "url", type: "required") }
        guard Store.isWebURL(url) else { return Answer.validation("Webhook", field: "url", type: "valid") }
        guard allows(url) else { return Answer.validation("Webhook", field: "url", type: "notInternal") }
        var flags: [String: Bool] = ["isActive": true, "skipOwn": false]
        for key in flags.keys.sorted() {
            guard let value = input[key] else { continue }
            guard let flag = value.boolValue else { return Answer.validation("Webhook", field: key, type: "valid") }
            flags[key] = flag
        }
        let parts = event.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 || parts.count == 3 else { return Answer.error(403, "Not supported event.") }
        guard !parts[0].isEmpty else { return Answer.error(403, "Entity Type is empty.") }
        guard let definition = definitions[parts[0]], parts[0] != "Note" else {
            return Answer.error(403, "Entity type is not available for Webhooks.")
        }
        guard ["create", "update", "delete", "fieldUpdate"].contains(parts[1]) else { return Answer.error(403, "Not supported event.") }
        if parts[1] == "fieldUpdate" {
            guard parts.count == 3, !parts[2].isEmpty else { return Answer.error(403, "Field is empty.") }
            guard definition.fields[parts[2]] != nil || definition.links[parts[2]] != nil
                || (definition.hasEmailAndPhone && ["emailAddress", "phoneNumber"].contains(parts[2]))
            else { return Answer.error(403, "Field does not exist.") }
        } else if parts.count == 3 {
            return Answer.error(403, "Not supported event.")
        }
        let owned = webhookTables.webhooks.values.count { $0.userId == caller.id }
        guard owned < EspoEmulator.webhookMaxCountPerUser else {
            return Answer.error(403, "Webhook number per user exceeded the limit.")
        }
        var generator = SystemRandomNumberGenerator()
        let secret = hex(generator.next(), width: 16) + hex(generator.next(), width: 16)
        let webhook = StoredWebhook(
            id: newId(), event: event, url: url, isActive: flags["isActive"]!, userId: caller.id, skipOwn: flags["skipOwn"]!,
            secretKey: secret, createdAt: now, modifiedAt: now, number: webhookTables.next())
        webhookTables.webhooks[webhook.id] = webhook
        return Answer.json(201, .object(renderWebhook(webhook)))
    }

    func renderWebhook(_ webhook: StoredWebhook) -> JSONObject {
        [
            "id": .string(webhook.id), "event": .string(webhook.event), "url": .string(webhook.url), "isActive": .bool(webhook.isActive),
            "userId": .string(webhook.userId), "userName": users[webhook.userId].map { .string($0) } ?? .null,
            "entityType": .string(webhook.entityType), "type": .string(webhook.type), "field": webhook.field.map { .string($0) } ?? .null,
            "skipOwn": .bool(webhook.skipOwn), "secretKey": .string(webhook.secretKey), "createdAt": .string(webhook.createdAt),
            "modifiedAt": .string(webhook.modifiedAt),
        ]
    }

    /// Whether a webhook may post to `url`: EspoCRM 9.3.2+ refuses internal hosts (localhost, loopback,
    /// private and link-local ranges) unless `webhookAllowedAddressList` names the host or host:port.
    func allows(_ url: String) -> Bool {
        let lower = url.lowercased()
        let rest = lower.drop { $0 != "/" }.drop { $0 == "/" }
        let authority = String(rest.prefix { $0 != "/" && $0 != "?" })
        let host = authority.hasPrefix("[") ? String(authority.prefix { $0 != "]" }.dropFirst())
            : String(authority.prefix { $0 != ":" })
        if webhookTables.allowedAddresses.contains(authority) || webhookTables.allowedAddresses.contains(host) { return true }
        if host == "localhost" || host == "::1" || host.hasSuffix(".localhost") { return false }
        let octets = host.split(separator: ".").compactMap { UInt8($0) }
        guard octets.count == 4 else { return true }
        switch (octets[0], octets[1]) {
        case (127, _), (10, _), (0, _), (192, 168), (169, 254): return false
        case (172, let b) where (16...31).contains(b): return false
        default: return true
        }
    }

    /// An http(s) URL with a host (EspoCRM's `Url` validator).
    static func isWebURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        guard let scheme = ["http://", "https://"].first(where: { lower.hasPrefix($0) }) else { return false }
        return !lower.dropFirst(scheme.count).prefix { $0 != "/" && $0 != "?" }.isEmpty
    }
}
