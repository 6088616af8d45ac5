import Crypto
import Foundation
import _CryptoExtras

/// The public keys GHL's webhook signatures are checked against: Ed25519 for `x-ghl-signature`, RSA for
/// the older `x-wh-signature`. Both default to the keys GHL publishes.
public struct GHLWebhookKeys: Sendable {
    // The keys' bytes, checked when set (swift-crypto's key types are not Sendable on Linux).
    private let ed25519Raw: [UInt8]
    private let rsaDER: [UInt8]

    /// The Ed25519 key, for `x-ghl-signature`.
    public var ed25519: Curve25519.Signing.PublicKey { try! Curve25519.Signing.PublicKey(rawRepresentation: ed25519Raw) }
    /// The RSA key, for `x-wh-signature`.
    public var rsa: _RSA.Signing.PublicKey { try! _RSA.Signing.PublicKey(derRepresentation: rsaDER) }

    /// GHL's published Ed25519 key (base64 SPKI DER), from its Webhook Integration Guide.
    public static let publishedEd25519 = "MCowBQYDK2VwAyEAi2HR1srL4o18O8BRa7gVJY7G7bupbN3H9AwJrHCDiOg="

    /// GHL's published RSA-4096 key, from its Webhook Authentication Guide.
    public static let publishedRSA = """
        -----BEGIN PUBLIC KEY-----
        MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEAokvo/r9tVgcfZ5DysOSC
        Frm602qYV0MaAiNnX9O8KxMbiyRKWeL9JpCpVpt4XHIcBOK4u3cLSqJGOLaPuXw6
        dO0t6Q/ZVdAV5Phz+ZtzPL16iCGeK9po6D6JHBpbi989mmzMryUnQJezlYJ3DVfB
        csedpinheNnyYeFXolrJvcsjDtfAeRx5ByHQmTnSdFUzuAnC9/GepgLT9SM4nCpv
        uxmZMxrJt5Rw+VUaQ9B8JSvbMPpez4peKaJPZHBbU3OdeCVx5klVXXZQGNHOs8gF
        3kvoV5rTnXV0IknLBXlcKKAQLZcY/Q9rG6Ifi9c+5vqlvHPCUJFT5XUGG5RKgOKU
        J062fRtN+rLYZUV+BjafxQauvC8wSWeYja63VSUruvmNj8xkx2zE/Juc+yjLjTXp
        IocmaiFeAO6fUtNjDeFVkhf5LNb59vECyrHD2SQIrhgXpO4Q3dVNA5rw576PwTzN
        h/AMfHKIjE4xQA1SZuYJmNnmVZLIZBlQAF9Ntd03rfadZ+yDiOXCCs9FkHibELhC
        HULgCsnuDJHcrGNd5/Ddm5hxGQ0ASitgHeMZ0kcIOwKDOzOU53lDza6/Y09T7sYJ
        PQe7z0cvj7aE4B+Ax1ZoZGPzpJlZtGXCsu9aTEGEnKzmsFqwcSsnw3JB31IGKAyk
        T1hhTiaCeIY/OwwwNUY2yvcCAwEAAQ==
        -----END PUBLIC KEY-----
        """

    /// The config key of the Ed25519 key.
    public static let ed25519ConfigKey = "ghl.webhooks.publicKey"
    /// The config key of the RSA key.
    public static let rsaConfigKey = "ghl.webhooks.rsaPublicKey"

    public init(ed25519: Curve25519.Signing.PublicKey, rsa: _RSA.Signing.PublicKey) {
        self.ed25519Raw = Array(ed25519.rawRepresentation)
        self.rsaDER = Array(rsa.derRepresentation)
    }

    /// The keys as the config gives them (PEM or base64 SPKI DER); nil takes GHL's published key.
    public init(ed25519 ed25519Text: String?, rsa rsaText: String?) throws(WebhookKeyError) {
        self.ed25519Raw = Array(try Self.ed25519Key(ed25519Text ?? Self.publishedEd25519, configKey: Self.ed25519ConfigKey).rawRepresentation)
        self.rsaDER = Array(try Self.rsaKey(rsaText ?? Self.publishedRSA, configKey: Self.rsaConfigKey).derRepresentation)
    }

    /// GHL's published keys.
    public static var published: GHLWebhookKeys {
        // The published keys are constants that parse (tested), so this cannot fail.
        try! GHLWebhookKeys(ed25519: nil, rsa: nil)
    }

    // MARK: - Parsing

    /// The SPKI DER prefix of every Ed25519 public key (RFC 8410): SEQUENCE, AlgorithmIdentifier 1.3.101.112, BIT STRING.
    static let ed25519Prefix: [UInt8] = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]

    static func ed25519Key(_ text: String, configKey: String) throws(WebhookKeyError) -> Curve25519.Signing.PublicKey {
        let der = try derBytes(text, configKey: configKey)
        let raw: [UInt8]
        if der.count == 44, Array(der.prefix(12)) == ed25519Prefix {
            raw = Array(der.dropFirst(12))
        } else if der.count == 32 {
            raw = der
        } else {
            throw WebhookKeyError(configKey: configKey, reason: "not an Ed25519 public key (\(der.count) bytes of DER; an Ed25519 SPKI is 44)")
        }
        do { return try Curve25519.Signing.PublicKey(rawRepresentation: raw) } catch {
            throw WebhookKeyError(configKey: configKey, reason: "not a valid Ed25519 public key")
        }
    }

    static func rsaKey(_ text: String, configKey: String) throws(WebhookKeyError) -> _RSA.Signing.PublicKey {
        let der = try derBytes(text, configKey: configKey)
        do { return try _RSA.Signing.PublicKey(derRepresentation: der) } catch {
            throw WebhookKeyError(configKey: configKey, reason: "not an RSA public key of 2048 bits or more (SPKI DER)")
        }
    }

    /// The DER bytes of a PEM block or of base64 text.
    static func derBytes(_ text: String, configKey: String) throws(WebhookKeyError) -> [UInt8] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        var body = trimmed
        if trimmed.hasPrefix("-----BEGIN") {
            let lines = trimmed.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            guard lines.count >= 3, lines.last?.hasPrefix("-----END") == true else {
                throw WebhookKeyError(configKey: configKey, reason: "the PEM block has no -----END line")
            }
            guard lines[0].contains("PUBLIC KEY") else {
                throw WebhookKeyError(configKey: configKey, reason: "the PEM block is \(lines[0]), not a PUBLIC KEY")
            }
            body = lines.dropFirst().dropLast().joined()
        }
        let compact = body.filter { !$0.isWhitespace }
        guard !compact.isEmpty, let data = Data(base64Encoded: compact) else {
            throw WebhookKeyError(configKey: configKey, reason: "not base64")
        }
        return Array(data)
    }
}
