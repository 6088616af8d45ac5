import Foundation
import GRDB
import SyncCore

extension StateStore {
    /// The plan for `mapping.entity`, streamed from the file: the same plan `Planner.plan` makes from
    /// the links and snapshots held in memory, without holding them.
    ///
    /// Unlinked records are decoded up front (the planner matches them by identity). Linked pairs come
    /// from one join of links with both snapshots, read in one transaction; a pair whose three content
    /// hashes agree is counted from its digest, the others are decoded one at a time.
    ///
    /// `resolve`, when given, sees every record decoded for the planner (those the fast path skips are
    /// not decoded): references stored before their target was linked are resolved there.
    public func plan(
        mapping: Mapping, options: PlanOptions, listings: PerSide<Listing>,
        resolve: ((inout SideRecord, Side) -> Void)? = nil
    ) throws(StateStoreError) -> Plan {
        let entity = mapping.entity
        return try read("planning \(entity)") { db in
            var unlinked = PerSide(ghl: try Self.unlinked(entity, on: .ghl, db), espo: try Self.unlinked(entity, on: .espo, db))
            if let resolve {
                for side in Side.allCases { for i in unlinked[side].indices { resolve(&unlinked[side][i], side) } }
            }
            var builder = PlanBuilder(mapping: mapping, options: options, listings: listings, unlinked: unlinked)
            let wantsIdentity = builder.needsLinkedIdentity
            let levels = mapping.identity.count

            // Columns: 0 ghl_id, 1 espo_id, 2 base, 3 paused, 4 base_hash; then per side (GHL from 5,
            // EspoCRM from 11) hash, in_scope, identity, updated_at, payload, refusal, all NULL when the
            // snapshot does not hold the record.
            let pairs = try Row.fetchCursor(db, sql: """
                SELECT l.ghl_id, l.espo_id, l.base, l.paused, l.base_hash,
                       g.hash, g.in_scope, g.identity, g.updated_at, g.payload, g.refusal,
                       e.hash, e.in_scope, e.identity, e.updated_at, e.payload, e.refusal
                FROM link l
                LEFT JOIN snapshot g ON g.entity = l.entity AND g.side = 'ghl' AND g.record_id = l.ghl_id
                LEFT JOIN snapshot e ON e.entity = l.entity AND e.side = 'espo' AND e.record_id = l.espo_id
                WHERE l.entity = ?
                ORDER BY l.ghl_id
                """, arguments: [entity])
            func digest(_ row: Row, _ first: Int) -> PlanBuilder.RecordDigest? {
                guard let hash = row[first] as Int64? else { return nil }
                return PlanBuilder.RecordDigest(hash: Stored.hash(hash), inScope: row[first + 1])
            }
            func record(_ row: Row, _ first: Int, id: String) throws -> SideRecord {
                var record = try Self.sideRecord(id: id, updatedAt: first + 3, inScope: first + 1, payload: first + 4, of: row)
                resolve?(&record, first == 5 ? .ghl : .espo)
                return record
            }
            // Identity values as saved; recomputed from the record when they do not fit this mapping.
            func identity(_ row: Row, _ first: Int, id: String) throws -> [String] {
                if let values = Stored.identity(row[first + 2], count: levels) { return values }
                return mapping.identityValues(of: try record(row, first, id: id).values)
            }
            while let row = try pairs.next() {
                let ghlId: String = row[0]
                let espoId: String = row[1]
                let digest = PlanBuilder.Digest(
                    link: LinkKey(ghlId: ghlId, espoId: espoId), baseHash: Stored.hash(row[4] as Int64),
                    paused: row[3], ghl: digest(row, 5), espo: digest(row, 11))
                if digest.isUnchanged {
                    let identities = wantsIdentity
                        ? PerSide(ghl: try identity(row, 5, id: ghlId), espo: try identity(row, 11, id: espoId))
                        : nil
                    builder.addUnchanged(digest, identity: identities)
                } else {
                    let stored: PerSide<[String]?>? = wantsIdentity
                        ? PerSide(ghl: (row[7] as String?).flatMap { Stored.identity($0, count: levels) },
                                  espo: (row[13] as String?).flatMap { Stored.identity($0, count: levels) })
                        : nil
                    builder.add(
                        try Self.link(from: row),
                        ghl: digest.ghl == nil ? nil : try record(row, 5, id: ghlId),
                        espo: digest.espo == nil ? nil : try record(row, 11, id: espoId),
                        identity: stored)
                }
            }
            return builder.finish()
        }
    }

    /// The snapshot records of `entity` on `side` that no link holds and no tombstone marks deleted.
    private static func unlinked(_ entity: String, on side: Side, _ db: Database) throws -> [SideRecord] {
        let linkColumn = side == .ghl ? "ghl_id" : "espo_id"
        let rows = try Row.fetchCursor(db, sql: """
            SELECT s.record_id, s.updated_at, s.in_scope, s.payload, s.refusal FROM snapshot s
            WHERE s.entity = ?1 AND s.side = ?2
              AND NOT EXISTS (SELECT 1 FROM link l WHERE l.entity = ?1 AND l.\(linkColumn) = s.record_id)
              AND NOT EXISTS (SELECT 1 FROM tombstone t WHERE t.entity = ?1 AND t.side = ?2 AND t.record_id = s.record_id)
            """, arguments: [entity, side.rawValue])
        var records: [SideRecord] = []
        while let row = try rows.next() {
            records.append(try sideRecord(id: row[0], updatedAt: 1, inScope: 2, payload: 3, of: row))
        }
        return records
    }
}
