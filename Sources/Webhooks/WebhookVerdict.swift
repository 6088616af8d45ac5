/// What a verified delivery holds for the inbox: one event as a hint, and the key that makes a
/// repeated delivery of it a duplicate.
public struct ReceivedEvent: Sendable, Hashable {
    public var hint: Hint
    /// GHL: `ghl:` + the webhookId; EspoCRM: `espo:` + subscription, record id and the item's hash.
    public var dedupeKey: String

    public init(hint: Hint, dedupeKey: String) {
        self.hint = hint
        self.dedupeKey = dedupeKey
    }
}

/// What to make of one webhook request, decided from its raw bytes and headers alone.
public enum WebhookVerdict: Sendable, Equatable {
    /// Signed, fresh and ours: these events go into the inbox (in one transaction), then 2xx.
    case accepted([ReceivedEvent])
    /// Signed, but nothing for the sync to do (an event type it does not use, another location): 2xx.
    case ignored(reason: String)
    /// The signature is missing, malformed or does not verify: 401, never persisted.
    case unauthenticated(reason: String)
    /// Signed, but not a body the sender documents (not JSON, no timestamp): 400, never persisted.
    case malformed(reason: String)
    /// Signed, but its `timestamp` is more than 5 minutes away from now (a replay, or a clock far off): refused.
    case stale(reason: String)
}
