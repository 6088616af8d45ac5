import Crypto
import Foundation

/// EspoCRM's `Signature` header: base64(webhookId + ":" + lowercase hex HMAC-SHA256(secretKey, raw body)).
public enum EspoSignature {
    /// The header's name.
    public static let header = "Signature"

    /// The header value EspoCRM sends for `body` (what the emulator and tests sign with).
    public static func value(body: some DataProtocol, webhookId: String, secretKey: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secretKey.utf8)))
        return Data((webhookId + ":" + hex(mac)).utf8).base64EncodedString()
    }

    /// nil when `header` signs `body` as webhook `webhookId` with `secretKey`; else why not. The MAC is compared in constant time.
    public static func failure(body: some DataProtocol, header: String?, webhookId: String, secretKey: String) -> String? {
        guard let header else { return "no \(Self.header) header" }
        guard let decoded = Data(base64Encoded: header.trimmingCharacters(in: .whitespaces)),
              let text = String(data: decoded, encoding: .utf8), let colon = text.lastIndex(of: ":")
        else { return "\(Self.header) is not base64 of webhookId:hmac" }
        guard text[..<colon] == webhookId else {
            return "\(Self.header) names webhook \(text[..<colon]), not this subscription's \(webhookId)"
        }
        guard let mac = bytes(hex: text[text.index(after: colon)...]), mac.count == SHA256.byteCount else {
            return "\(Self.header)'s HMAC is not 64 hex digits"
        }
        let valid = HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: SymmetricKey(data: Array(secretKey.utf8)))
        return valid ? nil : "\(Self.header) does not verify with this subscription's secret"
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func bytes(hex: Substring) -> [UInt8]? {
        let utf8 = Array(hex.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - 48
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - 87
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - 55
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }
}
