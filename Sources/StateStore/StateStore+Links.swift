import Foundation
import GRDB
import SyncCore

extension StateStore {
    /// Every link of `entity` with its base, in GHL id order.
    public func links(entity: String) throws(StateStoreError) -> [Link] {
        try read("reading the links of \(entity)") { db in
            let cursor = try Row.fetchCursor(
                db, sql: "SELECT ghl_id, espo_id, base, paused FROM link WHERE entity = ? ORDER BY ghl_id",
                arguments: [entity])
            var links: [Link] = []
            while let row = try cursor.next() {
                links.append(try Self.link(from: row))
            }
            return links
        }
    }

    /// The link of `entity` holding record `id` of `side`, nil when none does.
    public func link(entity: String, side: Side, id: String) throws(StateStoreError) -> Link? {
        try read("reading the link of \(side) record \(id) of \(entity)") { db in
            let column = side == .ghl ? "ghl_id" : "espo_id"
            return try Row.fetchOne(
                db, sql: "SELECT ghl_id, espo_id, base, paused FROM link WHERE entity = ? AND \(column) = ?",
                arguments: [entity, id]).map { try Self.link(from: $0) }
        }
    }

    /// The bases of the links of `entity` holding records `ids` of `side`, by that id, in one query;
    /// ids no link holds are left out.
    public func bases(entity: String, side: Side, ids: [String]) throws(StateStoreError) -> [String: FieldValues] {
        guard !ids.isEmpty else { return [:] }
        return try read("reading the bases of \(ids.count) \(entity) links") { db in
            let column = side == .ghl ? "ghl_id" : "espo_id"
            var bases: [String: FieldValues] = [:]
            // SQLite takes at most 32 766 parameters a statement.
            for start in stride(from: 0, to: ids.count, by: 10_000) {
                let chunk = Array(ids[start..<min(start + 10_000, ids.count)])
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                let rows = try Row.fetchCursor(
                    db, sql: "SELECT \(column), base FROM link WHERE entity = ? AND \(column) IN (\(marks))",
                    arguments: StatementArguments([entity] + chunk))
                while let row = try rows.next() {
                    bases[row[0]] = try row.withUnsafeData(atIndex: 1) { data throws(CanonicalEncoding.DecodingError) in
                        try CanonicalEncoding.decode(data ?? Data())
                    }
                }
            }
            return bases
        }
    }

    /// Every link of `entity` by the id of its `side` record, without the bases: what resolving
    /// references needs.
    public func linkKeys(entity: String, by side: Side) throws(StateStoreError) -> [String: LinkKey] {
        try read("reading the links of \(entity)") { db in
            let cursor = try Row.fetchCursor(db, sql: "SELECT ghl_id, espo_id FROM link WHERE entity = ?", arguments: [entity])
            var keys: [String: LinkKey] = [:]
            while let row = try cursor.next() {
                let key = LinkKey(ghlId: row[0], espoId: row[1])
                keys[side == .ghl ? key.ghlId : key.espoId] = key
            }
            return keys
        }
    }

    /// Whether record `id` of `side` was deleted by (or seen deleted in) an earlier run.
    public func isTombstoned(entity: String, side: Side, id: String) throws(StateStoreError) -> Bool {
        try read("reading the tombstones of \(entity)") { db in
            try Bool.fetchOne(
                db, sql: "SELECT 1 FROM tombstone WHERE entity = ? AND side = ? AND record_id = ?",
                arguments: [entity, side.rawValue, id]) ?? false
        }
    }

    /// How many links `entity` has, paused ones included.
    public func linkCount(entity: String) throws(StateStoreError) -> Int {
        try read("counting the links of \(entity)") { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM link WHERE entity = ?", arguments: [entity]) ?? 0
        }
    }

    /// Inserts links as they are, in one transaction: for benchmarks and imports, not for sync runs,
    /// where links change only through `complete`.
    package func insertLinks(_ links: some Sequence<Link>, entity: String) throws(StateStoreError) {
        try write("inserting links of \(entity)") { db in
            for link in links { try Self.insert(link, entity: entity, db) }
        }
    }

    /// A link from a row of (ghl_id, espo_id, base, paused).
    static func link(from row: Row) throws -> Link {
        let base = try row.withUnsafeData(atIndex: 2) { data throws(CanonicalEncoding.DecodingError) in
            try CanonicalEncoding.decode(data ?? Data())
        }
        return Link(ghlId: row[0], espoId: row[1], base: base, paused: row[3])
    }

    // MARK: - Effects of applied operations

    private static func insert(_ link: Link, entity: String, _ db: Database) throws {
        let (bytes, hash) = CanonicalEncoding.encode(link.base)
        let statement = try db.cachedStatement(sql: """
            INSERT INTO link (entity, ghl_id, espo_id, base, base_hash, paused) VALUES (?, ?, ?, ?, ?, ?)
            """)
        statement.setUncheckedArguments([entity, link.ghlId, link.espoId, Data(bytes), Stored.hash(hash), link.paused])
        try statement.execute()
    }

    /// Applies what a succeeded `operation` means for the links and base of `entity`:
    ///
    /// | action         | effect                                                                  |
    /// |----------------|-------------------------------------------------------------------------|
    /// | link           | a new link with the operation's base, or a paused one resumed (base merged) |
    /// | create         | a new link to the created record (after dropping the link it replaces)  |
    /// | update, rebase | the operation's base merged into the link's base (replacing it when `replacesBase`) |
    /// | unlink         | the link paused: kept as a marker, not synced                           |
    /// | forget, delete | the link dropped; both records' snapshot rows dropped and tombstoned     |
    func applyEffect(of operation: Plan.Operation, createdId: String?, entity: String, _ db: Database) throws {
        let action = operation.action.rawValue
        switch operation.action {
        case .link:
            guard let key = operation.link else { throw invalid("a link operation needs both ids") }
            if try mergeBase(operation.base, into: key, entity: entity, resume: true, db) { return }
            try insertChecked(Link(ghlId: key.ghlId, espoId: key.espoId, base: operation.base), entity: entity, db)
        case .create:
            guard let createdId, !createdId.isEmpty else {
                throw invalid("completing a create needs the id of the created record")
            }
            guard (operation.ghlId == nil) != (operation.espoId == nil) else {
                throw invalid("a create operation needs the id of its source record only")
            }
            if let replacing = operation.replacing {
                try delete(replacing, entity: entity, db)
            }
            let link = Link(
                ghlId: operation.ghlId ?? createdId, espoId: operation.espoId ?? createdId, base: operation.base)
            try insertChecked(link, entity: entity, db)
        case .update, .rebase:
            guard let key = operation.link else { throw invalid("an \(action) operation needs both ids") }
            guard try mergeBase(operation.base, into: key, entity: entity, resume: false, replace: operation.replacesBase, db) else {
                throw invalid("\(entity) link \(key) for an \(action) operation does not exist")
            }
        case .unlink:
            guard let key = operation.link else { throw invalid("an unlink operation needs both ids") }
            try db.execute(
                sql: "UPDATE link SET paused = 1 WHERE entity = ? AND ghl_id = ? AND espo_id = ?",
                arguments: [entity, key.ghlId, key.espoId])
            if db.changesCount == 0 { throw invalid("\(entity) link \(key) to unlink does not exist") }
        case .forget, .delete:
            guard let key = operation.link else { throw invalid("a \(action) operation needs both ids") }
            try delete(key, entity: entity, db)
            // Neither record may come back as an unlinked one: not from a snapshot row a later
            // incremental listing never refreshes, nor from a listing that still shows it.
            try Self.bury(entity: entity, side: .ghl, id: key.ghlId, db)
            try Self.bury(entity: entity, side: .espo, id: key.espoId, db)
        }
    }

    /// Merges `values` into the base of link `key`, or makes them the whole base when `replace` (and
    /// resumes the link when `resume`); false when there is no such link.
    private func mergeBase(
        _ values: FieldValues, into key: LinkKey, entity: String, resume: Bool, replace: Bool = false, _ db: Database
    ) throws -> Bool {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT base FROM link WHERE entity = ? AND ghl_id = ? AND espo_id = ?",
            arguments: [entity, key.ghlId, key.espoId])
        else { return false }
        var base = try row.withUnsafeData(atIndex: 0) { data throws(CanonicalEncoding.DecodingError) in
            try CanonicalEncoding.decode(data ?? Data())
        }
        if replace { base = [:] }
        base.merge(values) { _, new in new }
        let (bytes, hash) = CanonicalEncoding.encode(base)
        try db.execute(
            sql: "UPDATE link SET base = ?, base_hash = ?, paused = paused AND NOT ? WHERE entity = ? AND ghl_id = ?",
            arguments: [Data(bytes), Stored.hash(hash), resume, entity, key.ghlId])
        return true
    }

    /// Inserts a link, with a clear error when either record is linked already.
    private func insertChecked(_ link: Link, entity: String, _ db: Database) throws {
        let taken = try Row.fetchOne(
            db, sql: """
                SELECT ghl_id, espo_id FROM link WHERE entity = ?1 AND ghl_id = ?2
                UNION ALL SELECT ghl_id, espo_id FROM link WHERE entity = ?1 AND espo_id = ?3 LIMIT 1
                """,
            arguments: [entity, link.ghlId, link.espoId])
        if let taken {
            let existing = LinkKey(ghlId: taken[0], espoId: taken[1])
            throw invalid("cannot link \(link.key): \(entity) link \(existing) exists")
        }
        try Self.insert(link, entity: entity, db)
    }

    /// Drops record `id`'s snapshot row and remembers that it was deleted.
    static func bury(entity: String, side: Side, id: String, _ db: Database) throws {
        try db.execute(
            sql: "DELETE FROM snapshot WHERE entity = ? AND side = ? AND record_id = ?",
            arguments: [entity, side.rawValue, id])
        try db.execute(
            sql: "INSERT OR REPLACE INTO tombstone (entity, side, record_id, deleted_at) VALUES (?, ?, ?, ?)",
            arguments: [entity, side.rawValue, id, Stored.millis(Date())])
    }

    private func delete(_ key: LinkKey, entity: String, _ db: Database) throws {
        try db.execute(
            sql: "DELETE FROM link WHERE entity = ? AND ghl_id = ? AND espo_id = ?",
            arguments: [entity, key.ghlId, key.espoId])
    }
}
