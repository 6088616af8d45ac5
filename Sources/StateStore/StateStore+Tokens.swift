import Foundation
import GRDB

extension StateStore {
    /// Saves (or replaces) a token sealed by the caller; the store keeps the bytes as they are.
    public func saveToken(_ sealed: [UInt8], name: String) throws(StateStoreError) {
        try write("saving token \(name)") { db in
            try db.execute(
                sql: """
                    INSERT INTO token (name, sealed, updated_at) VALUES (?, ?, ?)
                    ON CONFLICT (name) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at
                    """,
                arguments: [name, Data(sealed), Stored.millis(Date())])
        }
    }

    /// The sealed token `name`, nil when none is saved.
    public func token(name: String) throws(StateStoreError) -> [UInt8]? {
        try read("reading token \(name)") { db in
            try Data.fetchOne(db, sql: "SELECT sealed FROM token WHERE name = ?", arguments: [name]).map { [UInt8]($0) }
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
}
