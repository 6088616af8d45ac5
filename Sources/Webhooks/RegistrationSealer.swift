import Crypto
import Foundation
import SyncCore

/// Seals EspoCRM subscriptions' registrations (webhook id and secret) for the state file's token table,
/// as the OAuth tokens are: AES-256-GCM with the key of config `tokenKeyEnv` (32 bytes, base64 or 64 hex
/// digits), the slot's name bound in as associated data.
public struct RegistrationSealer: Sendable {
    private let keyBytes: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }
    /// The key's id (see `SealingKey.idLabel`), stored beside every registration this sealer seals.
    public let keyId: String
    /// The environment variable the key was read from, for messages; nil when given as bytes.
    public let variable: String?

    /// The token-table names of the sync's subscriptions all start with this.
    public static let slotPrefix = "espo.webhook."

    /// The token-table name of `subscription`'s registration: `espo.webhook.contact-update`.
    public static func slot(_ subscription: EspoSubscription) -> String { slotPrefix + subscription.name }

    /// A sealer with a 32-byte key (`variable`: where it came from, for messages).
    public init(key: [UInt8], variable: String? = nil) throws(SealError) {
        guard key.count == 32 else { throw SealError(message: "the token key must be 32 bytes, not \(key.count)") }
        self.keyBytes = key
        let code = HMAC<SHA256>.authenticationCode(for: Array(SealingKey.idLabel.utf8), using: SymmetricKey(data: key))
        self.keyId = code.prefix(8).map { String(format: "%02x", $0) }.joined()
        self.variable = variable
    }

    /// A sealer whose key is in environment variable `name`.
    public init(environmentVariable name: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(SealError)
    {
        let bytes: [UInt8]
        do { bytes = try SealingKey(environmentVariable: name, environment: environment).bytes } catch {
            throw SealError(message: error.message)
        }
        try self.init(key: bytes, variable: name)
    }

    /// The sealed bytes of `registration` (nonce, ciphertext and tag) for its slot.
    public func seal(_ registration: EspoSubscription.Registration) throws(SealError) -> [UInt8] {
        let json: JSON = [
            "event": .string(registration.subscription.event), "webhookId": .string(registration.webhookId),
            "secretKey": .string(registration.secretKey), "url": .string(registration.url),
        ]
        let slot = Self.slot(registration.subscription)
        guard let box = try? AES.GCM.seal(json.serializedBytes(), using: key, authenticating: Array(slot.utf8)),
              let combined = box.combined
        else { throw SealError(message: "sealing the subscription \(registration.subscription.name) failed") }
        return Array(combined)
    }

    /// The registration sealed in `bytes` under slot `name`; fails on a wrong key, slot or altered bytes,
    /// saying whether the key that sealed it (`sealedBy`, its id as stored) is another one.
    public func open(_ bytes: [UInt8], name: String, sealedBy: String? = nil) throws(SealError) -> EspoSubscription.Registration {
        let plain: Data
        do {
            plain = try AES.GCM.open(AES.GCM.SealedBox(combined: bytes), using: key, authenticating: Array(name.utf8))
        } catch {
            throw SealError(message: SealingKey.openFailure(
                slot: name, what: "subscription", sealedBy: sealedBy, current: keyId, variable: variable))
        }
        guard let json = try? JSON(parsing: plain), let event = json["event"]?.stringValue,
              let subscription = EspoSubscription(event: event), Self.slot(subscription) == name,
              let webhookId = json["webhookId"]?.stringValue, let secretKey = json["secretKey"]?.stringValue,
              let url = json["url"]?.stringValue
        else { throw SealError(message: "the stored subscription \(name) is not a subscription this build knows") }
        return EspoSubscription.Registration(subscription: subscription, webhookId: webhookId, secretKey: secretKey, url: url)
    }
}

/// A token key or sealed registration that cannot be used. Never contains the key or a secret.
public struct SealError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// A sealer shows its key id only, never the key, however it is printed or dumped.
extension RegistrationSealer: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "RegistrationSealer(key id \(keyId))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["keyId": keyId, "variable": variable as Any], displayStyle: .struct) }
}
