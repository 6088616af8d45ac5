import Crypto
import Foundation
import SyncCore

/// Seals token pairs with AES-256-GCM before they reach disk. The key comes from an environment
/// variable (32 bytes as base64 or as 64 hex digits); the token's name is bound in as associated
/// data, so a sealed pair cannot be moved to another location's slot.
///
/// Every slot of the state file's token table is sealed in this one format (nonce, ciphertext and tag;
/// the slot's name as associated data), the EspoCRM webhook registrations too, so `sealBytes` and
/// `openBytes` re-seal any slot without knowing its kind (`auth rotate-key`).
public struct TokenSealer: Sendable {
    private let keyBytes: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }
    /// The key's id (see `SealingKey.idLabel`): 16 hex digits that reveal nothing of the key.
    public let keyId: String
    /// The environment variable the key was read from, for messages; nil when given as bytes.
    public let variable: String?

    /// A sealer with a 32-byte key (`variable`: where it came from, for messages).
    public init(key: [UInt8], variable: String? = nil) throws(TokenSealError) {
        guard key.count == 32 else { throw TokenSealError(message: "the token key must be 32 bytes, not \(key.count)") }
        self.keyBytes = key
        self.keyId = Self.keyId(of: key)
        self.variable = variable
    }

    /// A sealer whose key is in the environment variable `name`.
    public init(environmentVariable name: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(TokenSealError)
    {
        let bytes: [UInt8]
        do { bytes = try SealingKey(environmentVariable: name, environment: environment).bytes } catch {
            throw TokenSealError(message: error.message)
        }
        try self.init(key: bytes, variable: name)
    }

    /// The id of `key`: the first 8 bytes of HMAC-SHA256(key, `SealingKey.idLabel`), in hex.
    public static func keyId(of key: [UInt8]) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Array(SealingKey.idLabel.utf8), using: SymmetricKey(data: key))
        return code.prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// Whether this sealer's key is `other`'s.
    public func sameKey(as other: TokenSealer) -> Bool { keyBytes == other.keyBytes }

    /// The sealed bytes of `pair` for slot `name` (nonce, ciphertext and tag).
    public func seal(_ pair: TokenPair, name: String) throws(TokenSealError) -> [UInt8] {
        try sealBytes(Array(pair.json.serializedBytes()), name: name)
    }

    /// `plain` sealed for slot `name`, whatever the slot holds.
    public func sealBytes(_ plain: [UInt8], name: String) throws(TokenSealError) -> [UInt8] {
        guard let box = try? AES.GCM.seal(plain, using: key, authenticating: Array(name.utf8)), let combined = box.combined else {
            throw TokenSealError(message: "sealing \(name) failed")
        }
        return Array(combined)
    }

    /// The plain bytes sealed in `sealed` for slot `name`; nil on a wrong key, a wrong slot or altered bytes.
    public func openBytes(_ sealed: [UInt8], name: String) -> [UInt8]? {
        guard let box = try? AES.GCM.SealedBox(combined: sealed),
              let plain = try? AES.GCM.open(box, using: key, authenticating: Array(name.utf8))
        else { return nil }
        return Array(plain)
    }

    /// The pair sealed in `bytes` for slot `name`; fails on a wrong key, a wrong slot or altered bytes,
    /// saying whether the key that sealed it (`sealedBy`, its id as stored) is another one.
    public func open(_ bytes: [UInt8], name: String, sealedBy: String? = nil) throws(TokenSealError) -> TokenPair {
        guard let plain = openBytes(bytes, name: name) else {
            throw TokenSealError(message: SealingKey.openFailure(
                slot: name, what: "token", sealedBy: sealedBy, current: keyId, variable: variable))
        }
        guard let json = try? JSON(parsing: plain), let pair = TokenPair(stored: json) else {
            throw TokenSealError(message: "the stored token \(name) is not a token pair")
        }
        return pair
    }
}

/// A token key or sealed token that cannot be used. Never contains the key or a token.
public struct TokenSealError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Where sealed token pairs are kept durably: the state store (file mode 0600) satisfies it.
/// `saveToken` must not return before the bytes are on disk.
public protocol TokenVault: Sendable {
    /// Saves `sealed` under `name`, with the id of the key that sealed it.
    func saveToken(_ sealed: [UInt8], name: String, keyId: String) throws
    func token(name: String) throws -> [UInt8]?
    /// The id of the key that sealed token `name`; nil when unknown or none is saved.
    func tokenKeyId(name: String) throws -> String?
}

/// A sealer shows its key id only, never the key, however it is printed or dumped.
extension TokenSealer: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "TokenSealer(key id \(keyId))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["keyId": keyId, "variable": variable as Any], displayStyle: .struct) }
}
