/// Moving every stored secret from the current sealing key to a new one, decided before anything is
/// written: each slot is opened with the current key and sealed again with the new one. A slot that
/// already opens with the new key (an earlier rotation committed) is kept as it is; a slot that opens
/// with neither refuses the whole rotation, naming it. Pure: the caller reads the slots and writes the
/// result in one transaction.
public struct KeyRotation: Sendable {
    /// A stored secret as read: its slot name, sealed bytes and the id of the key that sealed it (nil: not recorded).
    public struct Slot: Sendable, Equatable {
        public var name: String
        public var sealed: [UInt8]
        public var keyId: String?

        public init(name: String, sealed: [UInt8], keyId: String?) {
            self.name = name
            self.sealed = sealed
            self.keyId = keyId
        }
    }

    /// A slot's new bytes, sealed by the new key.
    public struct Resealed: Sendable, Equatable {
        public var name: String
        /// The bytes it was read with.
        public var was: [UInt8]
        public var sealed: [UInt8]
        public var keyId: String
        /// It was already sealed by the new key: its bytes are kept.
        public var wasAlreadyNew: Bool
    }

    public let current: TokenSealer
    public let next: TokenSealer

    /// A rotation from `current` (config `tokenKeyEnv`) to `next` (config `newTokenKeyEnv`); refused when
    /// both hold the same key.
    public init(from current: TokenSealer, to next: TokenSealer) throws(KeyRotationError) {
        guard !current.sameKey(as: next) else {
            let (old, new) = (Self.name(current), Self.name(next))
            throw KeyRotationError(message: """
                \(new) holds the same key as \(old) (key id \(current.keyId)): there is nothing to re-seal. If an earlier \
                `auth rotate-key` finished and you have already put the new key into \(old), unset \(new); otherwise put a \
                fresh key into \(new) (e.g. `openssl rand -base64 32`) and run again. Nothing was changed
                """)
        }
        self.current = current
        self.next = next
    }

    /// Every slot, sealed by the new key; throws, naming the first slot that opens with neither key.
    public func reseal(_ slots: [Slot]) throws(KeyRotationError) -> [Resealed] {
        var resealed: [Resealed] = []
        for slot in slots {
            if let plain = current.openBytes(slot.sealed, name: slot.name) {
                let sealed: [UInt8]
                do { sealed = try next.sealBytes(plain, name: slot.name) } catch { throw KeyRotationError(message: error.message) }
                resealed.append(Resealed(name: slot.name, was: slot.sealed, sealed: sealed, keyId: next.keyId, wasAlreadyNew: false))
            } else if next.openBytes(slot.sealed, name: slot.name) != nil {
                resealed.append(Resealed(name: slot.name, was: slot.sealed, sealed: slot.sealed, keyId: next.keyId, wasAlreadyNew: true))
            } else {
                let sealedBy = slot.keyId.map { "it was sealed by key id \($0)" } ?? "the key that sealed it was not recorded"
                throw KeyRotationError(message: """
                    the stored secret \(slot.name) opens with neither \(Self.name(current)) (key id \(current.keyId)) nor \
                    \(Self.name(next)) (key id \(next.keyId)); \(sealedBy). Set \(Self.name(current)) to the key that sealed \
                    it and run again, or remove the secret (`auth logout`, `webhooks unsubscribe`) and store it again. \
                    Nothing was changed
                    """)
            }
        }
        return resealed
    }

    private static func name(_ sealer: TokenSealer) -> String { sealer.variable.map { "$" + $0 } ?? "the key" }
}

/// A rotation that cannot be done, with the fix. Never contains a key or a secret.
public struct KeyRotationError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
