import Crypto
import Foundation
import _CryptoExtras

/// GHL's webhook signatures over the raw body: Ed25519 in `x-ghl-signature` when that header is there,
/// else RSA-SHA256 (PKCS#1 v1.5) in `x-wh-signature`. A bad Ed25519 signature never falls back to RSA:
/// the SDK checks the older header only when the newer one is absent.
public enum GHLSignature {
    /// The header of the Ed25519 signature (base64, 64 bytes).
    public static let ed25519Header = "x-ghl-signature"
    /// The header of the RSA signature (base64).
    public static let rsaHeader = "x-wh-signature"

    /// nil when `body` is signed by `keys`; else why not, for the log.
    public static func failure(
        body: some DataProtocol, ed25519Signature: String?, rsaSignature: String?, keys: GHLWebhookKeys
    ) -> String? {
        if let ed25519Signature {
            guard let signature = Data(base64Encoded: ed25519Signature.trimmingCharacters(in: .whitespaces)) else {
                return "\(ed25519Header) is not base64"
            }
            guard signature.count == 64 else { return "\(ed25519Header) is \(signature.count) bytes, not an Ed25519 signature's 64" }
            return keys.ed25519.isValidSignature(signature, for: body) ? nil : "\(ed25519Header) does not verify with \(GHLWebhookKeys.ed25519ConfigKey)"
        }
        if let rsaSignature {
            guard let signature = Data(base64Encoded: rsaSignature.trimmingCharacters(in: .whitespaces)) else {
                return "\(rsaHeader) is not base64"
            }
            let valid = keys.rsa.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: body),
                padding: .insecurePKCS1v1_5)
            return valid ? nil : "\(rsaHeader) does not verify with \(GHLWebhookKeys.rsaConfigKey)"
        }
        return "neither \(ed25519Header) nor \(rsaHeader) is present"
    }
}
