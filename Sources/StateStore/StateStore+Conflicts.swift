import Foundation
import GRDB
import SyncCore

extension StateStore {
    /// Queues the conflicts left for a person (resolution `.queued`); others are ignored. One open row
    /// per link and field: a conflict queued again refreshes its values and keeps its first run.
    public func queueConflicts(_ conflicts: [Conflict], entity: String, run: Int64) throws(StateStoreError) {
        let queued = conflicts.filter { $0.resolution == .queued }
        guard !queued.isEmpty else { return }
        try write("queueing conflicts of \(entity)") { db in
            let now = Stored.millis(Date())
            let statement = try db.cachedStatement(sql: """
                INSERT INTO conflict (entity, ghl_id, espo_id, field, kind, deleted_on, base_value, ghl_value, espo_value,
                                      policy, status, detected_run, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)
                ON CONFLICT (entity, ghl_id, espo_id, field) WHERE status = 'open' DO UPDATE SET
                    kind = excluded.kind, deleted_on = excluded.deleted_on, base_value = excluded.base_value,
                    ghl_value = excluded.ghl_value, espo_value = excluded.espo_value, policy = excluded.policy,
                    updated_at = excluded.updated_at
                """)
            for conflict in queued {
                let (kind, deletedOn): (String, Side?) = switch conflict.kind {
                case .values: ("values", nil)
                case .deleteVersusEdit(let side): ("delete-versus-edit", side)
                }
                statement.setUncheckedArguments([
                    entity, conflict.link.ghlId, conflict.link.espoId, conflict.field, kind, deletedOn?.rawValue,
                    conflict.base?.storedJSON.serialized(), conflict.ghl?.storedJSON.serialized(),
                    conflict.espo?.storedJSON.serialized(), conflict.policy.rawValue, run, now,
                ])
                try statement.execute()
            }
        }
    }

    /// Conflicts waiting for a person, of `entity` or of all entities; oldest first.
    public func openConflicts(entity: String?) throws(StateStoreError) -> [StoredConflict] {
        try read("reading open conflicts") { db in
            let rows = try Row.fetchAll(
                db, sql: """
                    SELECT id, entity, ghl_id, espo_id, field, kind, deleted_on, base_value, ghl_value, espo_value,
                           policy, status, taken, detected_run
                    FROM conflict WHERE status = 'open' AND (?1 IS NULL OR entity = ?1) ORDER BY id
                    """,
                arguments: [entity])
            return try rows.map(Self.storedConflict)
        }
    }

    /// Records a person's decision on conflict `id`: take `side`'s value (or record). The next plan
    /// carries it out. Changing the decision is allowed until it has been applied.
    public func resolveConflict(id: Int64, take side: Side) throws(StateStoreError) {
        try write("resolving conflict \(id)") { db in
            try db.execute(
                sql: """
                    UPDATE conflict SET status = 'resolved', taken = ?, updated_at = ?
                    WHERE id = ? AND status IN ('open', 'resolved')
                    """,
                arguments: [side.rawValue, Stored.millis(Date()), id])
            guard db.changesCount == 0 else { return }
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM conflict WHERE id = ?", arguments: [id]) != nil else {
                throw StateStoreError(path: path, kind: .unknownConflict(id: id))
            }
            throw invalid("conflict \(id) was resolved and applied already")
        }
    }

    /// Decisions made and not yet applied, for `PlanOptions.resolutions`.
    public func resolutions(entity: String) throws(StateStoreError) -> [ConflictKey: Side] {
        try read("reading conflict resolutions of \(entity)") { db in
            let rows = try Row.fetchCursor(
                db, sql: "SELECT ghl_id, espo_id, field, taken FROM conflict WHERE entity = ? AND status = 'resolved' ORDER BY id",
                arguments: [entity])
            var resolutions: [ConflictKey: Side] = [:]
            while let row = try rows.next() {
                let key = ConflictKey(link: LinkKey(ghlId: row[0], espoId: row[1]), field: row[2])
                resolutions[key] = try Stored.side(row[3], column: "conflict.taken")
            }
            return resolutions
        }
    }

    /// Marks the decisions on `keys` carried out.
    public func markResolutionsApplied(_ keys: [ConflictKey], entity: String) throws(StateStoreError) {
        try write("marking conflict resolutions of \(entity) applied") { db in
            let statement = try db.cachedStatement(sql: """
                UPDATE conflict SET status = 'applied', updated_at = ?
                WHERE entity = ? AND ghl_id = ? AND espo_id = ? AND field = ? AND status = 'resolved'
                """)
            let now = Stored.millis(Date())
            for key in keys {
                statement.setUncheckedArguments([now, entity, key.link.ghlId, key.link.espoId, key.field])
                try statement.execute()
            }
        }
    }

    private static func storedConflict(_ row: Row) throws -> StoredConflict {
        func value(_ index: Int) throws -> FieldValue? {
            guard let text = row[index] as String? else { return nil }
            return try FieldValue(storedJSON: JSON(parsing: text))
        }
        let kind: Conflict.Kind
        switch row[5] as String {
        case "values": kind = .values
        default:
            guard let side = try Stored.side(row[6], column: "conflict.deleted_on") else {
                throw StoredValueError("conflict.deleted_on is empty for a delete-versus-edit conflict")
            }
            kind = .deleteVersusEdit(deletedOn: side)
        }
        let policyText: String = row[10]
        guard let policy = ConflictPolicy(rawValue: policyText) else {
            throw StoredValueError("conflict.policy holds \"\(policyText)\"")
        }
        let statusText: String = row[11]
        guard let status = StoredConflict.Status(rawValue: statusText) else {
            throw StoredValueError("conflict.status holds \"\(statusText)\"")
        }
        let taken = try Stored.side(row[12], column: "conflict.taken")
        let conflict = Conflict(
            link: LinkKey(ghlId: row[2], espoId: row[3]), field: row[4], kind: kind,
            base: try value(7), ghl: try value(8), espo: try value(9), policy: policy,
            resolution: taken.map(Conflict.Resolution.took) ?? .queued)
        return StoredConflict(id: row[0], entity: row[1], conflict: conflict, detectedRun: row[13], status: status)
    }
}
