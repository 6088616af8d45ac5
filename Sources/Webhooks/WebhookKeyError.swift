/// A configured webhook key that cannot be used: which config key, why, and how to fix it.
public struct WebhookKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The config key that holds the key, e.g. `ghl.webhooks.publicKey`.
    public var configKey: String
    /// Why it does not parse.
    public var reason: String

    public init(configKey: String, reason: String) {
        self.configKey = configKey
        self.reason = reason
    }

    public var description: String {
        "\(configKey): \(reason); give the key as PEM (-----BEGIN PUBLIC KEY-----…) or as base64 of its SPKI DER, or remove \(configKey) to use GHL's published key"
    }
}
