import Crypto
import Foundation
import _CryptoExtras

/// The keys the emulator signs its webhooks with, in place of GHL's: Ed25519 for `x-ghl-signature`
/// and RSA (PKCS#1 v1.5, SHA-256) for the older `x-wh-signature` (wave2 D.1). Give the public halves
/// to a receiver as config `ghl.webhooks.publicKey` and `ghl.webhooks.rsaPublicKey`.
public struct GHLWebhookKeys: Sendable {
    /// The Ed25519 key's 32 raw bytes (the key type itself is not `Sendable`).
    private let ed25519Seed: Data
    public let rsa: _RSA.Signing.PrivateKey

    public init(ed25519: Curve25519.Signing.PrivateKey, rsa: _RSA.Signing.PrivateKey) {
        self.ed25519Seed = ed25519.rawRepresentation
        self.rsa = rsa
    }

    public var ed25519: Curve25519.Signing.PrivateKey {
        // The bytes came from a valid key.
        try! Curve25519.Signing.PrivateKey(rawRepresentation: ed25519Seed)
    }

    /// Keys generated once per process (an RSA-2048 key takes a moment to make).
    public static let test: GHLWebhookKeys = {
        // Generating an RSA key only fails when the system has no randomness.
        let rsa = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
        return GHLWebhookKeys(ed25519: Curve25519.Signing.PrivateKey(), rsa: rsa)
    }()

    /// The Ed25519 public key as base64 SPKI DER, the form GHL publishes
    /// (`MCowBQYDK2VwAyEA…`): a fixed 12-byte prefix, then the 32 raw key bytes.
    public var publicKeyBase64: String { (GHLWebhookKeys.ed25519Prefix + ed25519.publicKey.rawRepresentation).base64EncodedString() }

    /// The Ed25519 public key as a PEM `PUBLIC KEY` block.
    public var publicKeyPEM: String {
        "-----BEGIN PUBLIC KEY-----\n\(publicKeyBase64)\n-----END PUBLIC KEY-----"
    }

    /// The RSA public key as base64 SPKI DER.
    public var rsaPublicKeyBase64: String { rsa.publicKey.derRepresentation.base64EncodedString() }

    /// The RSA public key as a PEM `PUBLIC KEY` block, the form of GHL's documented key.
    public var rsaPublicKeyPEM: String { rsa.publicKey.pemRepresentation }

    /// `x-ghl-signature`: base64 of the Ed25519 signature over the raw body.
    func ed25519Signature(_ body: [UInt8]) -> String {
        // Signing with an in-memory key does not fail.
        (try! ed25519.signature(for: body)).base64EncodedString()
    }

    /// `x-wh-signature`: base64 of the RSA-SHA256 PKCS#1 v1.5 signature over the raw body.
    func rsaSignature(_ body: [UInt8]) -> String {
        (try! rsa.signature(for: body, padding: .insecurePKCS1v1_5)).rawRepresentation.base64EncodedString()
    }

    /// SubjectPublicKeyInfo for Ed25519 (RFC 8410) up to the key bytes.
    static let ed25519Prefix = Data([0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00])
}
