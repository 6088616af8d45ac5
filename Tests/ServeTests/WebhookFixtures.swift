import Crypto
import Foundation
import SyncCore
import Webhooks
import _CryptoExtras

/// Keys generated for the tests, and GHL and EspoCRM deliveries signed with them.
enum WebhookFixtures {
    static let location = "loc-test-1"
    private static let ed25519Raw = Array(Curve25519.Signing.PrivateKey().rawRepresentation)
    private static let rsaDER = Array(try! _RSA.Signing.PrivateKey(keySize: .bits2048).derRepresentation)

    static var ed25519: Curve25519.Signing.PrivateKey { try! Curve25519.Signing.PrivateKey(rawRepresentation: ed25519Raw) }
    static var rsa: _RSA.Signing.PrivateKey { try! _RSA.Signing.PrivateKey(derRepresentation: rsaDER) }
    static var keys: GHLWebhookKeys { GHLWebhookKeys(ed25519: ed25519.publicKey, rsa: rsa.publicKey) }
    static var webhook: GHLWebhook { GHLWebhook(keys: keys, locationId: location) }

    /// A GHL delivery's body: `fields` plus the envelope.
    static func ghlBody(
        _ type: String, id: String = "c1", webhookId: String = UUID().uuidString, at time: Date = Date(),
        location: String = location, fields: JSONObject = [:]
    ) -> [UInt8] {
        var object: JSONObject = [
            "type": .string(type), "locationId": .string(location), "id": .string(id),
            "timestamp": .string(iso(time)), "webhookId": .string(webhookId),
        ]
        for (key, value) in fields { object[key] = value }
        return JSON.object(object).serializedBytes()
    }

    static func ed25519Signature(_ body: [UInt8], key: Curve25519.Signing.PrivateKey = ed25519) -> String {
        try! key.signature(for: body).base64EncodedString()
    }

    static func rsaSignature(_ body: [UInt8], key: _RSA.Signing.PrivateKey = rsa) -> String {
        try! key.signature(for: SHA256.hash(data: body), padding: .insecurePKCS1v1_5).rawRepresentation.base64EncodedString()
    }

    static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    // MARK: EspoCRM

    static func registration(_ name: String = "contact-update", webhookId: String = "wh0000000000000001", secretKey: String = "s3cret-key")
        -> EspoSubscription.Registration
    {
        EspoSubscription.Registration(
            subscription: EspoSubscription(name: name)!, webhookId: webhookId, secretKey: secretKey,
            url: "https://sync.example.com/webhooks/espo/\(name)")
    }

    /// An EspoCRM batch of `count` update items.
    static func espoBody(count: Int, prefix: String = "e") -> [UInt8] {
        JSON.array((0..<count).map { ["id": .string("\(prefix)\($0)"), "firstName": .string("Name \($0)")] }).serializedBytes()
    }
}
