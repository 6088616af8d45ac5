import Crypto
import Foundation
import SyncCore

/// Seals token pairs with AES-256-GCM before they reach disk. The key comes from an environment
/// variable (32 bytes as base64 or as 64 hex digits); the token's name is bound in as associated
/// data, so a sealed pair cannot be moved to another location's slot.
public struct TokenSealer: Sendable {
    private let keyBytes: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    /// A sealer with a 32-byte key.
    public init(key: [UInt8]) throws(TokenSealError) {
        guard key.count == 32 else { throw TokenSealError(message: "the token key must be 32 bytes, not \(key.count)") }
        self.keyBytes = key
    }

    /// A sealer whose key is in the environment variable `name`.
    public init(environmentVariable name: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(TokenSealError)
    {
        let bytes: [UInt8]
        do { bytes = try SealingKey(environmentVariable: name, environment: environment).bytes } catch {
            throw TokenSealError(message: error.message)
        }
        try self.init(key: bytes)
    }

    /// The sealed bytes of `pair` for slot `name` (nonce, ciphertext and tag).
    public func seal(_ pair: TokenPair, name: String) throws(TokenSealError) -> [UInt8] {
        do {
            let box = try AES.GCM.seal(Array(pair.json.serializedBytes()), using: key, authenticating: Array(name.utf8))
            guard let combined = box.combined else { throw TokenSealError(message: "sealing produced no bytes") }
            return Array(combined)
        } catch let error as TokenSealError {
            throw error
        } catch {
            throw TokenSealError(message: "sealing the token failed")
        }
    }

    /// The pair sealed in `bytes` for slot `name`; fails on a wrong key, a wrong slot or altered bytes.
    public func open(_ bytes: [UInt8], name: String) throws(TokenSealError) -> TokenPair {
        let plain: Data
        do {
            plain = try AES.GCM.open(AES.GCM.SealedBox(combined: bytes), using: key, authenticating: Array(name.utf8))
        } catch {
            throw TokenSealError(message: "the stored token \(name) cannot be opened: wrong key, or the store was altered")
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
    func saveToken(_ sealed: [UInt8], name: String) throws
    func token(name: String) throws -> [UInt8]?
}
