import Foundation

/// The 32-byte key that seals secrets at rest (OAuth tokens, EspoCRM webhook secrets), from the
/// environment variable the config's `tokenKeyEnv` names: base64, or 64 hex digits.
public struct SealingKey: Sendable, Equatable {
    public let bytes: [UInt8]

    /// A key of exactly 32 bytes.
    public init(bytes: [UInt8]) throws(SealingKeyError) {
        guard bytes.count == 32 else { throw SealingKeyError(message: "the token key must be 32 bytes, not \(bytes.count)") }
        self.bytes = bytes
    }

    /// The key in the environment variable `name`.
    public init(environmentVariable name: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(SealingKeyError)
    {
        guard let text = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else {
            throw SealingKeyError(message: "set \(name) to a 32-byte key (base64 or 64 hex digits), e.g. `openssl rand -base64 32`")
        }
        guard let bytes = Self.decode(text) else {
            throw SealingKeyError(message: "\(name) is not a 32-byte key in base64 or 64 hex digits")
        }
        try self.init(bytes: bytes)
    }

    /// What a key id authenticates: a key's id is the first 8 bytes, in hex, of HMAC-SHA256(key, this).
    /// It names a key in the state file and in messages and reveals nothing of it.
    public static let idLabel = "espo-ghl-sync sealing key id"

    /// Why the secret in `slot` did not open with the key of id `current` (from `$variable`), given the id
    /// of the key that sealed it (`sealedBy`, nil: not recorded), and what to do.
    public static func openFailure(slot: String, what: String, sealedBy: String?, current: String, variable: String?) -> String {
        let holder = variable.map { "$\($0)" } ?? "the key given"
        guard let sealedBy else {
            return "the stored \(what) \(slot) cannot be opened with \(holder) (key id \(current)): wrong key, or the state file was altered (it was sealed before key ids were recorded)"
        }
        guard sealedBy == current else {
            return "the stored \(what) \(slot) was sealed by key id \(sealedBy), but \(holder) holds key id \(current): set \(holder) to the key with id \(sealedBy) (after `espo-ghl-sync auth rotate-key`, that is the new key; `auth status` shows which key sealed each secret)"
        }
        return "the stored \(what) \(slot) was sealed by this key (key id \(current)) and still does not open: the state file was altered or damaged; restore it from a backup, or store the secret again (`auth login`, `webhooks subscribe`)"
    }

    /// 64 hex digits or base64 of 32 bytes; nil for anything else.
    static func decode(_ text: String) -> [UInt8]? {
        if text.count == 64, text.allSatisfy(\.isHexDigit) {
            var bytes: [UInt8] = []
            var index = text.startIndex
            while index < text.endIndex {
                let next = text.index(index, offsetBy: 2)
                guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
                bytes.append(byte)
                index = next
            }
            return bytes
        }
        guard let data = Data(base64Encoded: text), data.count == 32 else { return nil }
        return Array(data)
    }
}

/// A sealing key that cannot be used, with the fix.
public struct SealingKeyError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
