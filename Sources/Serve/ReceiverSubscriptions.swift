import StateStore
import Webhooks

/// The EspoCRM subscriptions `webhooks subscribe` stored, unsealed: the receiver's lookup by name.
public struct EspoSubscriptions: Sendable {
    /// By subscription name (`contact-update`).
    public let registrations: [String: EspoSubscription.Registration]

    public init(_ registrations: [EspoSubscription.Registration]) {
        var byName: [String: EspoSubscription.Registration] = [:]
        for registration in registrations { byName[registration.subscription.name] = registration }
        self.registrations = byName
    }

    /// Every subscription stored in `store`, opened with `sealer` (the key of config `tokenKeyEnv`).
    public static func load(store: StateStore, sealer: RegistrationSealer) throws -> EspoSubscriptions {
        var found: [EspoSubscription.Registration] = []
        for name in try store.tokenNames(prefix: RegistrationSealer.slotPrefix) {
            guard let sealed = try store.token(name: name) else { continue }
            found.append(try sealer.open(sealed, name: name, sealedBy: try store.tokenKeyId(name: name)))
        }
        return EspoSubscriptions(found)
    }

    /// The registration of subscription `name`, nil when none is stored.
    public func registration(named name: String) -> EspoSubscription.Registration? { registrations[name] }
}
