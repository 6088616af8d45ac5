import Foundation
import GRDB
import SyncCore

extension StateStore {
    /// Saves fetched records of `entity` on `side`, replacing earlier versions, in one transaction.
    ///
    /// `identity` is `mapping.identityValues(of: record.values)`, kept for the planner's fast path.
    /// Every saved row is marked as seen in `run`, for `pruneSnapshot`.
    public func saveSnapshot(
        entity: String, side: Side, records: [(record: SideRecord, identity: [String])], run: Int64
    ) throws(StateStoreError) {
        try saveSnapshot(entity: entity, side: side, records: records, run: run, didSave: nil)
    }

    /// `saveSnapshot` for any sequence, calling `didSave` with the count after each row inside the
    /// transaction (the crash probe uses an endless sequence and kills the process in there).
    package func saveSnapshot<Records: Sequence>(
        entity: String, side: Side, records: Records, run: Int64, didSave: ((Int) -> Void)?
    ) throws(StateStoreError) where Records.Element == (record: SideRecord, identity: [String]) {
        try write("saving the \(side) snapshot of \(entity)") { db in
            let statement = try db.cachedStatement(sql: """
                INSERT INTO snapshot (entity, side, record_id, updated_at, in_scope, hash, identity, seen_run, payload, refusal)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (entity, side, record_id) DO UPDATE SET
                    updated_at = excluded.updated_at, in_scope = excluded.in_scope, hash = excluded.hash,
                    identity = excluded.identity, seen_run = excluded.seen_run, payload = excluded.payload,
                    refusal = excluded.refusal
                """)
            var count = 0
            for (record, identity) in records {
                let (bytes, hash) = CanonicalEncoding.encode(record.values)
                statement.setUncheckedArguments([
                    entity, side.rawValue, record.id, record.updatedAt.map(Stored.millis), record.inScope,
                    Stored.hash(hash), Stored.identity(identity), run, Data(bytes), Stored.refusal(record.refusal),
                ])
                try statement.execute()
                count += 1
                didSave?(count)
            }
        }
    }

    /// After a full listing in `run`: deletes the rows of `entity` on `side` that it did not hold.
    /// Returns how many were deleted.
    public func pruneSnapshot(entity: String, side: Side, notSeenIn run: Int64) throws(StateStoreError) -> Int {
        try write("pruning the \(side) snapshot of \(entity)") { db in
            try db.execute(
                sql: "DELETE FROM snapshot WHERE entity = ? AND side = ? AND seen_run <> ?",
                arguments: [entity, side.rawValue, run])
            return db.changesCount
        }
    }

    /// After a listing in `run` that held every record `covers` accepts (the notes of some contacts,
    /// the appointments of a time window): deletes the rows it accepts that the listing did not hold.
    /// Returns how many were deleted.
    public func pruneSnapshot(
        entity: String, side: Side, notSeenIn run: Int64, covering covers: (SideRecord) -> Bool
    ) throws(StateStoreError) -> Int {
        try write("pruning the \(side) snapshot of \(entity)") { db in
            let rows = try Row.fetchAll(
                db, sql: """
                    SELECT record_id, updated_at, in_scope, payload, refusal FROM snapshot
                    WHERE entity = ? AND side = ? AND seen_run <> ?
                    """,
                arguments: [entity, side.rawValue, run])
            var gone: [String] = []
            for row in rows {
                let record = try Self.sideRecord(id: row[0], updatedAt: 1, inScope: 2, payload: 3, of: row)
                if covers(record) { gone.append(record.id) }
            }
            for id in gone {
                try db.execute(
                    sql: "DELETE FROM snapshot WHERE entity = ? AND side = ? AND record_id = ?",
                    arguments: [entity, side.rawValue, id])
            }
            return gone.count
        }
    }

    /// Deletes the rows of records `ids` of `entity` on `side`: their API answered that they no longer
    /// exist. Returns how many were deleted.
    @discardableResult
    public func removeSnapshot(entity: String, side: Side, ids: Set<String>) throws(StateStoreError) -> Int {
        try write("removing deleted records from the \(side) snapshot of \(entity)") { db in
            var count = 0
            for id in ids {
                try db.execute(
                    sql: "DELETE FROM snapshot WHERE entity = ? AND side = ? AND record_id = ?",
                    arguments: [entity, side.rawValue, id])
                count += db.changesCount
            }
            return count
        }
    }

    /// What the snapshot holds of the records `ids` of `entity` on `side`: their change time and
    /// content hash, to tell a record listed again unchanged from one that changed.
    public func snapshotStamps(entity: String, side: Side, ids: [String]) throws(StateStoreError) -> [String: (updatedAt: Date?, hash: UInt64)] {
        guard !ids.isEmpty else { return [:] }
        return try read("reading the \(side) snapshot stamps of \(entity)") { db in
            var stamps: [String: (updatedAt: Date?, hash: UInt64)] = [:]
            for start in stride(from: 0, to: ids.count, by: 10_000) {
                let chunk = Array(ids[start..<min(start + 10_000, ids.count)])
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                let rows = try Row.fetchCursor(
                    db, sql: "SELECT record_id, updated_at, hash FROM snapshot WHERE entity = ? AND side = ? AND record_id IN (\(marks))",
                    arguments: StatementArguments([entity, side.rawValue] + chunk))
                while let row = try rows.next() {
                    stamps[row[0]] = ((row[1] as Int64?).map(Stored.date(millis:)), Stored.hash(row[2] as Int64))
                }
            }
            return stamps
        }
    }

    /// What an applied write leaves in the snapshot: a record the sync created, as written; the fields
    /// an update wrote, merged into the target's row; the defaults a create wrote back, into the
    /// source's. The next listing of such a record refreshes the row; until then the snapshot holds
    /// what the record holds, not what it held before the write (a record not listed every run,
    /// such as a note of a contact not read tonight, would otherwise look changed back).
    static func recordWrite(
        of operation: Plan.Operation, createdId: String?, createdNew: Bool, wroteBack: Bool, entity: String, run: Int64,
        _ db: Database
    ) throws {
        guard let target = operation.target else { return }
        switch operation.action {
        case .create:
            if createdNew, let createdId {
                try put(id: createdId, side: target, values: operation.values, entity: entity, run: run, db)
            }
            let filled = operation.fields.filter(\.writtenBack)
            if wroteBack, !filled.isEmpty, let source = operation.id(on: target.other) {
                try merge(Dictionary(filled.map { ($0.field, $0.to) }, uniquingKeysWith: { $1 }), into: source, side: target.other, entity: entity, db)
            }
        case .update:
            if let id = operation.id(on: target) { try merge(operation.values, into: id, side: target, entity: entity, db) }
        default:
            return
        }
    }

    private static func put(id: String, side: Side, values: FieldValues, entity: String, run: Int64, _ db: Database) throws {
        let (bytes, hash) = CanonicalEncoding.encode(values)
        try db.execute(
            sql: """
                INSERT INTO snapshot (entity, side, record_id, updated_at, in_scope, hash, identity, seen_run, payload, refusal)
                VALUES (?, ?, ?, NULL, 1, ?, '', ?, ?, NULL)
                ON CONFLICT (entity, side, record_id) DO NOTHING
                """,
            arguments: [entity, side.rawValue, id, Stored.hash(hash), run, Data(bytes)])
    }

    private static func merge(_ values: FieldValues, into id: String, side: Side, entity: String, _ db: Database) throws {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT payload FROM snapshot WHERE entity = ? AND side = ? AND record_id = ?",
            arguments: [entity, side.rawValue, id])
        else { return }
        var stored = try row.withUnsafeData(atIndex: 0) { data throws(CanonicalEncoding.DecodingError) in
            try CanonicalEncoding.decode(data ?? Data())
        }
        stored.merge(values) { _, new in new }
        let (bytes, hash) = CanonicalEncoding.encode(stored)
        try db.execute(
            sql: "UPDATE snapshot SET payload = ?, hash = ?, identity = '' WHERE entity = ? AND side = ? AND record_id = ?",
            arguments: [Data(bytes), Stored.hash(hash), entity, side.rawValue, id])
    }

    /// The stored record `id` of `entity` on `side`, nil when the snapshot does not hold it.
    public func snapshotRecord(entity: String, side: Side, id: String) throws(StateStoreError) -> SideRecord? {
        try read("reading \(side) record \(id) of \(entity)") { db in
            let row = try Row.fetchOne(
                db, sql: "SELECT updated_at, in_scope, payload, refusal FROM snapshot WHERE entity = ? AND side = ? AND record_id = ?",
                arguments: [entity, side.rawValue, id])
            return try row.map { row in try Self.sideRecord(id: id, updatedAt: 0, inScope: 1, payload: 2, of: row) }
        }
    }

    /// How many records of `entity` on `side` the snapshot holds.
    public func snapshotCount(entity: String, side: Side) throws(StateStoreError) -> Int {
        try read("counting the \(side) snapshot of \(entity)") { db in
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM snapshot WHERE entity = ? AND side = ?", arguments: [entity, side.rawValue]) ?? 0
        }
    }

    /// A record from the columns of `row` at the given indexes, decoded from SQLite's buffer.
    /// The refusal is read from the column after `payload`.
    static func sideRecord(id: String, updatedAt: Int, inScope: Int, payload: Int, of row: Row) throws -> SideRecord {
        let values = try row.withUnsafeData(atIndex: payload) { data throws(CanonicalEncoding.DecodingError) in
            try CanonicalEncoding.decode(data ?? Data())
        }
        return SideRecord(
            id: id, updatedAt: (row[updatedAt] as Int64?).map(Stored.date(millis:)), inScope: row[inScope], values: values,
            refusal: Stored.refusal(row[payload + 1] as String?))
    }
}
