import Foundation
import GRDB

extension StateStore {
    /// Saves (or replaces) a token sealed by the caller with the key whose id is `keyId`; the store keeps
    /// the bytes as they are.
    public func saveToken(_ sealed: [UInt8], name: String, keyId: String) throws(StateStoreError) {
        try write("saving token \(name)") { db in
            try db.execute(
                sql: """
                    INSERT INTO token (name, sealed, key_id, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (name) DO UPDATE SET
                        sealed = excluded.sealed, key_id = excluded.key_id, updated_at = excluded.updated_at
                    """,
                arguments: [name, Data(sealed), keyId, Stored.millis(Date())])
        }
    }

    /// The sealed token `name`, nil when none is saved.
    public func token(name: String) throws(StateStoreError) -> [UInt8]? {
        try read("reading token \(name)") { db in
            try Data.fetchOne(db, sql: "SELECT sealed FROM token WHERE name = ?", arguments: [name]).map { [UInt8]($0) }
        }
    }

    /// The id of the key that sealed token `name`; nil when none is saved or it was saved before key ids
    /// were recorded (schema v6).
    public func tokenKeyId(name: String) throws(StateStoreError) -> String? {
        try read("reading token \(name)") { db in
            try String.fetchOne(db, sql: "SELECT key_id FROM token WHERE name = ?", arguments: [name])
        }
    }

    /// Deletes token `name`; nothing happens when there is none.
    public func deleteToken(name: String) throws(StateStoreError) {
        try write("deleting token \(name)") { db in
            try db.execute(sql: "DELETE FROM token WHERE name = ?", arguments: [name])
        }
    }
}

extension StateStore {
    /// The names of the saved tokens that start with `prefix`, in name order.
    public func tokenNames(prefix: String) throws(StateStoreError) -> [String] {
        try read("listing tokens \(prefix)…") { db in
            try String.fetchAll(
                db, sql: "SELECT name FROM token WHERE substr(name, 1, length(?1)) = ?1 ORDER BY name", arguments: [prefix])
        }
    }

    /// Every saved token, whatever its kind, in name order.
    public func tokens() throws(StateStoreError) -> [StoredToken] {
        try read("listing tokens") { db in
            try Row.fetchAll(db, sql: "SELECT name, sealed, key_id, updated_at FROM token ORDER BY name").map(StoredToken.init(row:))
        }
    }

    /// Replaces the sealed bytes and key id of every saved token in ONE transaction, synced to disk before
    /// it returns, keeping each row's update time (re-sealing changes no secret). `replacements` must name
    /// every saved token with the bytes it was read with: when any differs, or a token was added or
    /// deleted meanwhile, nothing is changed (`.changedMeanwhile`). `afterEach(n)` is called inside the
    /// transaction after the n-th row is written (the rotation crash test stops there).
    public func resealTokens(_ replacements: [TokenReplacement], afterEach: ((Int) -> Void)? = nil) throws(StateStoreError) {
        try durableWrite("re-sealing the tokens") { db in
            let names = try String.fetchAll(db, sql: "SELECT name FROM token ORDER BY name")
            let replaced = replacements.map(\.name).sorted()
            guard names == replaced else {
                let changed = Set(names).symmetricDifference(replaced).sorted()
                throw StateStoreError(path: path, kind: .changedMeanwhile(
                    "tokens \(changed.joined(separator: ", ")) were added or deleted while re-sealing"))
            }
            for (n, replacement) in replacements.enumerated() {
                try db.execute(
                    sql: "UPDATE token SET sealed = ?, key_id = ? WHERE name = ? AND sealed = ?",
                    arguments: [Data(replacement.sealed), replacement.keyId, replacement.name, Data(replacement.was)])
                guard db.changesCount == 1 else {
                    throw StateStoreError(path: path, kind: .changedMeanwhile("token \(replacement.name) was saved again while re-sealing"))
                }
                afterEach?(n + 1)
            }
        }
    }
}

/// A saved token as the table holds it: opaque sealed bytes, the id of the key that sealed them.
public struct StoredToken: Sendable, Equatable {
    public var name: String
    public var sealed: [UInt8]
    /// nil: saved before key ids were recorded (schema v6).
    public var keyId: String?
    /// When the secret was last saved (a token refresh, `auth login`, `webhooks subscribe`); re-sealing keeps it.
    public var updatedAt: Date

    public init(name: String, sealed: [UInt8], keyId: String?, updatedAt: Date) {
        self.name = name
        self.sealed = sealed
        self.keyId = keyId
        self.updatedAt = updatedAt
    }

    init(row: Row) {
        self.init(
            name: row["name"], sealed: [UInt8](row["sealed"] as Data), keyId: row["key_id"],
            updatedAt: Stored.date(millis: row["updated_at"]))
    }
}

/// One token re-sealed: the bytes it was read with, the new bytes and the id of the key that sealed them.
public struct TokenReplacement: Sendable, Equatable {
    public var name: String
    public var was: [UInt8]
    public var sealed: [UInt8]
    public var keyId: String

    public init(name: String, was: [UInt8], sealed: [UInt8], keyId: String) {
        self.name = name
        self.was = was
        self.sealed = sealed
        self.keyId = keyId
    }
}
