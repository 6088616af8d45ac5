import Emulation
import SyncCore

/// A `Webhook` record: one subscription of one API user to one event.
struct StoredWebhook: Sendable {
    var id: String
    var event: String
    var url: String
    var isActive: Bool
    /// The API user who subscribed; `skipOwn` drops the events this user caused.
    var userId: String
    var skipOwn: Bool
    var secretKey: String
    var createdAt: String
    var modifiedAt: String
    /// Creation order (EspoCRM orders by `createdAt`).
    var number: Int

    /// `Contact` of `Contact.update`.
    var entityType: String { String(event.split(separator: ".").first ?? "") }
    /// `update` of `Contact.update`.
    var type: String { event.split(separator: ".").dropFirst().first.map(String.init) ?? "" }
    /// `emailAddress` of `Contact.fieldUpdate.emailAddress`.
    var field: String? { event.split(separator: ".").dropFirst(2).first.map(String.init) }
}

/// What EspoCRM keeps for its outgoing webhooks (tables `webhook`, `webhook_event_queue_item`,
/// `webhook_queue_item`; `Core/Webhook/Queue.php`).
struct WebhookTables: Sendable {
    /// A captured event, not yet turned into queue items.
    struct Event: Sendable {
        var event: String
        var data: JSONObject
        /// Who caused it (the API user, or a person).
        var userId: String
    }

    /// One event waiting to be sent to one webhook.
    struct Item: Sendable {
        var number: Int
        var webhookId: String
        var data: JSONObject
        var attempts: Int
        /// Not before then; nil: at the next run.
        var processAt: ContinuousClock.Instant?
    }

    /// One POST to make: a webhook and its oldest sendable items.
    struct Batch: Sendable {
        var webhook: StoredWebhook
        var numbers: [Int]
        var data: [JSON]
        /// The attempt this POST is for the most-tried item in it (1 for a first try).
        var attempt: Int
    }

    var webhooks: [String: StoredWebhook] = [:]
    /// `webhookAllowedAddressList`: internal hosts (or host:port) a webhook may still post to.
    var allowedAddresses: Set<String> = []
    var events: [Event] = []
    var items: [Item] = []
    var counter = 0

    /// Nothing captured and nothing waiting to be sent.
    var isEmpty: Bool { events.isEmpty && items.isEmpty }

    mutating func next() -> Int {
        counter += 1
        return counter
    }
}

extension Store {
    /// Attributes never sent in an `.update` item (`Core/Webhook/Manager.php`, `skipAttributeList`).
    static let webhookSkippedAttributes: Set<String> = [
        "modifiedAt", "versionNumber", "streamUpdatedAt", "isFollowed", "isStarred", "followersIds", "followersNames",
    ]

    /// Whether an active webhook listens to `entity`'s `type` events (EspoCRM captures an event only
    /// then: `Manager::eventExists`).
    func listens(_ entity: String, _ type: String) -> Bool {
        webhookTables.webhooks.values.contains {
            $0.isActive && $0.entityType == entity && ($0.type == type || (type == "update" && $0.type == "fieldUpdate"))
        }
    }

    /// Captures a create (the full record) or a delete (`{id}`) caused by `actor`.
    mutating func captureWebhookEvent(_ entity: String, _ type: String, data: JSONObject, actor: String) {
        guard listens(entity, type) else { return }
        webhookTables.events.append(.init(event: "\(entity).\(type)", data: data, userId: actor))
    }

    /// Captures an update: the attributes that changed (a cleared one as null) and `id`; nothing when
    /// nothing but the skipped attributes changed. Also a `fieldUpdate.{field}` event for each field
    /// whose attributes (`field`, `fieldId`, `fieldName`, `fieldIds`, `fieldData`…) changed.
    mutating func captureWebhookUpdate(_ entity: String, id: String, before: JSONObject, after: JSONObject, actor: String) {
        var changed: JSONObject = [:]
        for (key, value) in after where !Store.webhookSkippedAttributes.contains(key) && !same(before[key], value) {
            changed[key] = value
        }
        for key in before.keys where after[key] == nil && !Store.webhookSkippedAttributes.contains(key) && !same(before[key], nil) {
            changed[key] = .null
        }
        guard !changed.isEmpty else { return }
        if listens(entity, "update") {
            var data = changed
            data["id"] = .string(id)
            webhookTables.events.append(.init(event: "\(entity).update", data: data, userId: actor))
        }
        let fields = Set(webhookTables.webhooks.values.filter { $0.isActive && $0.entityType == entity && $0.type == "fieldUpdate" }
            .compactMap(\.field))
        for field in fields.sorted() {
            let suffixes = ["", "Id", "Name", "Ids", "Names", "Data", "Type", "Columns"]
            let attributes = changed.filter { key, _ in suffixes.contains { key == field + $0 } }
            guard !attributes.isEmpty else { continue }
            var data: JSONObject = ["id": .string(id)]
            for (key, value) in attributes { data[key] = value }
            webhookTables.events.append(.init(event: "\(entity).fieldUpdate.\(field)", data: data, userId: actor))
        }
    }

    /// The cron's first step: turns the `portion` oldest captured events into items for every active
    /// webhook of that event, oldest webhook first; a webhook with `skipOwn` gets none of its own
    /// user's events (`Queue.php` `createQueueFromEvent`).
    mutating func queueWebhookEvents(portion: Int) {
        let taken = webhookTables.events.prefix(portion)
        webhookTables.events.removeFirst(taken.count)
        let webhooks = webhookTables.webhooks.values.sorted { $0.number < $1.number }
        for event in taken {
            for webhook in webhooks where webhook.isActive && webhook.event == event.event {
                if webhook.skipOwn, webhook.userId == event.userId { continue }
                let number = webhookTables.next()
                webhookTables.items.append(.init(number: number, webhookId: webhook.id, data: event.data, attempts: 0, processAt: nil))
            }
        }
    }

    /// The cron's second step: for at most `portion` webhooks (those with the oldest sendable items
    /// first), a batch of at most `size` sendable items, oldest first (`Queue.php` `processSending`).
    func webhookBatches(portion: Int, size: Int, now: ContinuousClock.Instant) -> [WebhookTables.Batch] {
        let ready = webhookTables.items.filter { $0.processAt.map { $0 <= now } ?? true }.sorted { $0.number < $1.number }
        var order: [String] = []
        for item in ready where !order.contains(item.webhookId) { order.append(item.webhookId) }
        return order.prefix(portion).compactMap { webhookId in
            guard let webhook = webhookTables.webhooks[webhookId] else { return nil }
            let items = ready.filter { $0.webhookId == webhookId }.prefix(size)
            return WebhookTables.Batch(
                webhook: webhook, numbers: items.map(\.number), data: items.map { .object($0.data) },
                attempt: (items.map(\.attempts).max() ?? 0) + 1)
        }
    }

    /// Settles a batch by the receiver's code (0: no connection; 408: timeout), as `Queue.php` `send`
    /// does: 2xx and 3xx succeed; 410 deletes the webhook and its pending items; 0, 401, 403, 404,
    /// 405, 408, 500 and 503 are tried again `period` later, at most `maxAttempts` times in all;
    /// any other code fails the batch at once. Returns what became of it.
    mutating func settle(
        _ batch: WebhookTables.Batch, code: Int, now: ContinuousClock.Instant, period: Duration, maxAttempts: Int
    ) -> WebhookDeliveryRecord.Result {
        let numbers = Set(batch.numbers)
        if (200..<400).contains(code) {
            webhookTables.items.removeAll { numbers.contains($0.number) }
            return .delivered
        }
        if code == 410 {
            webhookTables.webhooks[batch.webhook.id] = nil
            webhookTables.items.removeAll { $0.webhookId == batch.webhook.id }
            return .subscriptionDeleted
        }
        guard [0, 401, 403, 404, 405, 408, 500, 503].contains(code) else {
            webhookTables.items.removeAll { numbers.contains($0.number) }
            return .dropped
        }
        var retried = false
        for index in webhookTables.items.indices where numbers.contains(webhookTables.items[index].number) {
            webhookTables.items[index].attempts += 1
            webhookTables.items[index].processAt = now + period
            if webhookTables.items[index].attempts < maxAttempts { retried = true }
        }
        webhookTables.items.removeAll { numbers.contains($0.number) && $0.attempts >= maxAttempts }
        return retried ? .willRetry : .dropped
    }
}
