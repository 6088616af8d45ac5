/// One EspoCRM webhook subscription of the sync: an entity and an action, with its own URL
/// `{publicURL}/webhooks/espo/{name}` because EspoCRM's items carry no event name.
public struct EspoSubscription: Sendable, Hashable, CustomStringConvertible {
    /// What happened to the record; EspoCRM's event suffix.
    public enum Action: String, Sendable, Hashable, CaseIterable {
        /// The item is the whole record as saved.
        case create
        /// The item is the changed attributes and `id`.
        case update
        /// The item is `{"id": …}`.
        case delete
    }

    /// EspoCRM's entity type: `Contact`, `Account`, `Task`, `Meeting`.
    public var entity: String
    public var action: Action

    public init(entity: String, action: Action) {
        self.entity = entity
        self.action = action
    }

    /// The entities the sync subscribes to.
    public static let entities = ["Contact", "Account", "Task", "Meeting"]

    /// Every subscription `webhooks subscribe` makes: each entity × create, update, delete.
    public static let all: [EspoSubscription] = entities.flatMap { entity in Action.allCases.map { EspoSubscription(entity: entity, action: $0) } }

    /// The name in the URL and the state file: `contact-update`.
    public var name: String { "\(entity.lowercased())-\(action.rawValue)" }
    /// EspoCRM's event: `Contact.update`.
    public var event: String { "\(entity).\(action.rawValue)" }
    /// The path `serve` receives it at.
    public var path: String { "/webhooks/espo/\(name)" }
    public var description: String { event }

    /// The subscription named `name` (`contact-update`), nil for a name the sync never subscribes.
    public init?(name: String) {
        guard let found = Self.all.first(where: { $0.name == name }) else { return nil }
        self = found
    }

    /// The subscription of EspoCRM event `event` (`Contact.update`), nil for one the sync never subscribes.
    public init?(event: String) {
        guard let found = Self.all.first(where: { $0.event == event }) else { return nil }
        self = found
    }

    /// What EspoCRM answered when the subscription was made: its webhook id and signing secret.
    public struct Registration: Sendable, Hashable {
        public var subscription: EspoSubscription
        /// The EspoCRM `Webhook` record's id; the signature starts with it.
        public var webhookId: String
        /// The HMAC key EspoCRM signs each batch with.
        public var secretKey: String
        /// The URL EspoCRM posts to.
        public var url: String

        public init(subscription: EspoSubscription, webhookId: String, secretKey: String, url: String) {
            self.subscription = subscription
            self.webhookId = webhookId
            self.secretKey = secretKey
            self.url = url
        }
    }
}
