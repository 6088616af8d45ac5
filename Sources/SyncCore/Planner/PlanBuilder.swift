import Foundation

/// Builds a plan from linked pairs fed one at a time, so a million links never sit in memory at once.
///
/// Feed it the unlinked records up front, every link with its two records (`add`), or, for a pair whose
/// content hashes show nothing changed, just its digest (`addUnchanged`); then `finish`. The result does
/// not depend on the order pairs are fed in. `Planner.plan` is the same for input held in memory.
public struct PlanBuilder: Sendable {
    public let mapping: Mapping
    public let options: PlanOptions
    public let listings: PerSide<Listing>

    private var operations: [Plan.Operation] = []
    private var conflicts: [Conflict] = []
    /// Operations and conflicts that follow from a missing record: held back when the guard trips.
    private var missingOperations: [Plan.Operation] = []
    private var missingConflicts: [Conflict] = []
    private var skipped: [Skip] = []
    private var missing = PerSide(ghl: 0, espo: 0)
    private var unchanged = 0
    private var linkCount = 0
    /// Pairs whose parent's delete this run takes them along: outside the guard.
    private var cascaded = 0
    /// Pairs removed for a delete, with the side deleted on.
    private var removed: [LinkKey: Side?] = [:]
    /// `options.removedParents` by the id of either side's parent record.
    private let removedParentIds: PerSide<[String: Side?]>

    private let unlinked: PerSide<[SideRecord]>
    private let unlinkedIdentity: PerSide<[String: [String]]>
    /// Identity values, per level, that in-scope unlinked records of a side look for on the other side.
    private let wanted: PerSide<[Set<String>]>
    /// Linked records holding a wanted identity value: side → level → value → ids.
    private var linkedHolders: PerSide<[[String: [String]]]>
    /// Linked records this plan deletes: holders only if the mass-delete guard keeps them.
    private var deletedHolders: [(record: SideRecord, side: Side)] = []
    /// Identity values the caller gave with the pair being added.
    private var knownIdentity = PerSide<[String]?>(ghl: nil, espo: nil)
    private let mappedFields: Set<String>

    public init(mapping: Mapping, options: PlanOptions = PlanOptions(), listings: PerSide<Listing>, unlinked: PerSide<[SideRecord]>) {
        self.mapping = mapping
        self.options = options
        self.listings = listings
        self.unlinked = unlinked
        self.mappedFields = Set(mapping.fields.map(\.name))
        var removed = PerSide<[String: Side?]>(ghl: [:], espo: [:])
        for (key, gone) in options.removedParents {
            removed.ghl[key.ghlId] = .some(gone)
            removed.espo[key.espoId] = .some(gone)
        }
        self.removedParentIds = removed
        let identity = unlinked.map { records in
            Dictionary(records.map { ($0.id, mapping.identityValues(of: $0.values)) }, uniquingKeysWith: { a, _ in a })
        }
        self.unlinkedIdentity = identity
        let levels = mapping.identity.count
        self.wanted = PerSide(ghl: .ghl, espo: .espo).map { side in
            var sets = Array(repeating: Set<String>(), count: levels)
            for record in unlinked[side] where record.inScope {
                for (level, value) in (identity[side][record.id] ?? []).enumerated() where !value.isEmpty {
                    sets[level].insert(value)
                }
            }
            return sets
        }
        self.linkedHolders = PerSide(ghl: Array(repeating: [:], count: levels), espo: Array(repeating: [:], count: levels))
    }

    /// Whether linked records' identity values matter (some unlinked record is looking for a match).
    public var needsLinkedIdentity: Bool {
        wanted.ghl.contains { !$0.isEmpty } || wanted.espo.contains { !$0.isEmpty }
    }

    // MARK: - Linked pairs

    /// A linked pair reduced to hashes, for the fast path.
    public struct Digest: Sendable, Hashable {
        public var link: LinkKey
        public var baseHash: UInt64
        public var paused: Bool
        public var ghl: RecordDigest?
        public var espo: RecordDigest?

        public init(link: LinkKey, baseHash: UInt64, paused: Bool, ghl: RecordDigest?, espo: RecordDigest?) {
            self.link = link
            self.baseHash = baseHash
            self.paused = paused
            self.ghl = ghl
            self.espo = espo
        }

        /// True when the pair certainly needs nothing: both records present, in scope, and hashing like the base.
        public var isUnchanged: Bool {
            guard !paused, let ghl, let espo else { return false }
            return ghl.inScope && espo.inScope && ghl.hash == baseHash && espo.hash == baseHash
        }
    }

    /// One record reduced to its content hash.
    public struct RecordDigest: Sendable, Hashable {
        public var hash: UInt64
        public var inScope: Bool

        public init(hash: UInt64, inScope: Bool) {
            self.hash = hash
            self.inScope = inScope
        }
    }

    /// Counts a pair whose digest `isUnchanged`, with its records' identity values when `needsLinkedIdentity`.
    public mutating func addUnchanged(_ digest: Digest, identity: PerSide<[String]>? = nil) {
        precondition(digest.isUnchanged, "addUnchanged needs a digest that isUnchanged")
        linkCount += 1
        unchanged += 1
        if let identity {
            registerLinked(id: digest.link.ghlId, identity: identity.ghl, side: .ghl)
            registerLinked(id: digest.link.espoId, identity: identity.espo, side: .espo)
        }
    }

    /// Plans one link with its two records as they are now (nil: not in the snapshot).
    ///
    /// `identity` may carry the records' identity values as computed when they were stored, which saves
    /// computing them again when `needsLinkedIdentity`.
    public mutating func add(_ link: Link, ghl: SideRecord?, espo: SideRecord?, identity: PerSide<[String]?>? = nil) {
        knownIdentity = identity ?? PerSide(ghl: nil, espo: nil)
        defer { knownIdentity = PerSide(ghl: nil, espo: nil) }
        linkCount += 1
        let ids = (ghlId: link.ghlId, espoId: link.espoId)
        if let gone = removedParent(of: link, ghl: ghl, espo: espo) {
            cascade(link, ghl: ghl, espo: espo, parentGone: gone)
            return
        }
        let decision = RecordDecision.decide(
            link, ghl: ghl, espo: espo, listings: listings, mapping: mapping,
            resolution: options.resolutions[ConflictKey(link: link.key, field: "*")])
        /// The record still there when the other is gone.
        func kept(_ gone: Side) -> SideRecord { (gone == .ghl ? espo : ghl)! }
        switch decision {
        case .merge(let resuming):
            // Registers the values the records will hold after this plan, the ones later runs will see.
            planPair(link, PerSide(ghl: ghl!, espo: espo!), base: link.base, start: resuming ? .resume : nil)
        case .keep:
            if let ghl { registerLinked(ghl, side: .ghl) }
            if let espo { registerLinked(espo, side: .espo) }
            unchanged += 1
        case .unlink(let left):
            registerLinked(ghl!, side: .ghl)
            registerLinked(espo!, side: .espo)
            let which = left.map { "the \($0.displayName) filter" } ?? "both filters"
            operations.append(Plan.Operation(
                action: .unlink, target: left, ghlId: ids.ghlId, espoId: ids.espoId,
                reason: "left \(which); neither record is deleted, and the pair syncs again when both are back in scope"))
        case .forget(nil):
            removed[link.key] = .some(nil)
            missing.ghl += listings.ghl.isFull ? 1 : 0
            missing.espo += listings.espo.isFull ? 1 : 0
            missingOperations.append(Plan.Operation(
                action: .forget, ghlId: ids.ghlId, espoId: ids.espoId, reason: "deleted on both sides"))
        case .forget(let gone?):
            missing[gone] += 1
            registerLinked(kept(gone), side: gone.other)
            missingOperations.append(Plan.Operation(
                action: .forget, ghlId: ids.ghlId, espoId: ids.espoId,
                reason: "deleted in \(gone.displayName); the \(gone.other.displayName) record is outside its filter"))
        case .ignoreDelete(let gone):
            missing[gone] += 1
            registerLinked(kept(gone), side: gone.other)
            missingOperations.append(Plan.Operation(
                action: .unlink, target: gone, ghlId: ids.ghlId, espoId: ids.espoId,
                reason: "deleted in \(gone.displayName); delete policy \"ignore\" keeps the \(gone.other.displayName) record, no longer synced"))
        case .propagateDelete(let gone) where kept(gone).refusal.delete != nil:
            // The other system refuses the delete: shown on every run, nothing is sent or undone.
            registerLinked(kept(gone), side: gone.other)
            skipped.append(Skip(side: gone, id: link.id(on: gone), reason: .refused(kept(gone).refusal.delete!)))
        case .propagateDelete(let gone):
            removed[link.key] = gone
            missing[gone] += 1
            deletedHolders.append((kept(gone), gone.other))
            missingOperations.append(Plan.Operation(
                action: .delete, target: gone.other, ghlId: ids.ghlId, espoId: ids.espoId,
                reason: "deleted in \(gone.displayName)"))
        case .deleteVersusEdit(let gone, let keepEdit):
            missing[gone] += 1
            settleDeleteVersusEdit(link, gone: gone, kept: kept(gone), keepEdit: keepEdit)
        }
    }

    /// The side the pair's parent was deleted on in this run (`.some(nil)`: both), nil when it was not.
    private func removedParent(of link: Link, ghl: SideRecord?, espo: SideRecord?) -> Side?? {
        guard let parent = mapping.parent, !options.removedParents.isEmpty else { return nil }
        for value in [ghl?.values[parent], espo?.values[parent], link.base[parent]] {
            guard let reference = Reference(value) else { continue }
            for side in Side.allCases {
                if let id = reference.id(on: side), let gone = removedParentIds[side][id] { return .some(gone) }
            }
        }
        return nil
    }

    /// A child whose parent's delete this run applies: deleted with it where the parent's delete
    /// goes (an API that deletes children with their parent needs no call); where the parent was
    /// deleted, the system decided for its children, and the pair is dropped.
    private mutating func cascade(_ link: Link, ghl: SideRecord?, espo: SideRecord?, parentGone: Side?) {
        cascaded += 1
        let records = PerSide(ghl: ghl, espo: espo)
        if let target = parentGone?.other, let kept = records[target], let reason = kept.refusal.delete {
            // Not ours to delete (a note someone else wrote): it stays, no longer synced.
            skipped.append(Skip(side: target.other, id: link.id(on: target.other), reason: .refused(reason)))
            operations.append(Plan.Operation(
                action: .forget, ghlId: link.ghlId, espoId: link.espoId,
                reason: "its \(mapping.parentEntity ?? "parent") was deleted; \(reason)"))
        } else if let target = parentGone?.other, records[target] != nil {
            operations.append(Plan.Operation(
                action: .delete, target: target, ghlId: link.ghlId, espoId: link.espoId,
                reason: "its \(mapping.parentEntity ?? "parent") was deleted in \(parentGone!.displayName)", cascade: true))
        } else {
            operations.append(Plan.Operation(
                action: .forget, ghlId: link.ghlId, espoId: link.espoId,
                reason: "its \(mapping.parentEntity ?? "parent") was deleted"))
        }
    }

    private mutating func registerLinked(_ record: SideRecord, side: Side, changes: [FieldChange] = []) {
        guard needsLinkedIdentity else { return }
        if let known = knownIdentity[side], known.count == mapping.identity.count,
           !changes.contains(where: { change in mapping.identity.contains { $0.fields.contains(change.field) } }) {
            registerLinked(id: record.id, identity: known, side: side)
            return
        }
        var values = record.values
        for change in changes { values[change.field] = change.to }
        registerLinked(id: record.id, identity: mapping.identityValues(of: values), side: side)
    }

    private mutating func registerLinked(id: String, identity: [String], side: Side) {
        let looking = wanted[side.other]
        for (level, value) in identity.enumerated() where level < looking.count && !value.isEmpty {
            if looking[level].contains(value) { linkedHolders[side][level][value, default: []].append(id) }
        }
    }

    /// How a pair starts syncing: just matched on identity, or resumed after a pause.
    private enum Start {
        case match, resume
    }

    /// Three-way merge of one pair, field by field. A pair just matched has no base yet.
    private mutating func planPair(_ link: Link, _ records: PerSide<SideRecord>, base: FieldValues, start: Start?) {
        let newer = PlanBuilder.newer(records.ghl.updatedAt, records.espo.updatedAt)
        // A side whose object keeps no change time (GHL tasks, notes): "newest" cannot be known.
        let timesUnknown = mapping.sides.ghl.updatedAtPath == nil || mapping.sides.espo.updatedAtPath == nil
        var changes = PerSide<[FieldChange]>(ghl: [], espo: [])
        var newBase = PerSide<FieldValues>(ghl: [:], espo: [:])
        var agreed = FieldValues()
        var pairConflicts: [Conflict] = []
        for field in mapping.fields {
            let values = records.map { $0.values[field.name] }
            let key = ConflictKey(link: link.key, field: field.name)
            var policy = mapping.conflictPolicy(for: field)
            if policy == .newestWins && timesUnknown { policy = mapping.conflictFallback }
            let settlement = FieldDecision.Settlement(policy: policy, newer: newer, resolution: options.resolutions[key])
            let decision = FieldDecision.decide(
                field, ghl: values.ghl, espo: values.espo, base: base[field.name], settlement: settlement)
            func conflict(_ resolution: Conflict.Resolution) -> Conflict {
                Conflict(link: link.key, field: field.name, base: base[field.name], ghl: values.ghl, espo: values.espo,
                         policy: settlement.policy, resolution: resolution)
            }
            switch decision {
            case .unchanged:
                continue
            case .agree(let value):
                agreed[field.name] = value
            case .write(let value, let targets, let settled):
                for target in targets {
                    changes[target].append(FieldChange(field: field.name, from: values[target], to: value, settledConflict: settled))
                    newBase[target][field.name] = value
                }
                if settled, let target = targets.first { pairConflicts.append(conflict(.took(target.other))) }
            case .queued:
                pairConflicts.append(conflict(.queued))
            }
        }
        // A side that requires a field (its `createRequires.allOf`) refuses to have it emptied: such a
        // clear is not sent (it would fail every night) but reported, every run, and nothing is undone.
        // The base takes the value the requiring side keeps, so the clear stays the one change seen.
        for side in Side.allCases {
            let required = Set(mapping.sides[side].createRequires?.allOf ?? [])
            let refused = changes[side].filter { required.contains($0.field) && $0.to.isEmpty }
            guard !refused.isEmpty else { continue }
            changes[side].removeAll { required.contains($0.field) && $0.to.isEmpty }
            for change in refused {
                newBase[side][change.field] = nil
                if let kept = records[side].values[change.field], kept != (base[change.field] ?? .empty) {
                    agreed[change.field] = kept
                }
                skipped.append(Skip(
                    side: side.other, id: link.id(on: side.other), reason: .requiredOnTarget(field: change.field)))
            }
        }
        // A field a side takes only on create (a GHL task's contact): the change is not sent there,
        // and the base keeps the old value, so it shows again next run and nothing is undone.
        for side in Side.allCases where !changes[side].isEmpty {
            let fixed = changes[side].filter { change in mapping.field(named: change.field)?.createOnly.contains(side) == true }
            guard !fixed.isEmpty else { continue }
            changes[side].removeAll { change in fixed.contains(change) }
            for change in fixed {
                newBase[side][change.field] = nil
                skipped.append(Skip(
                    side: side.other, id: link.id(on: side.other),
                    reason: .refused("\(side.displayName) takes \(change.field) only when the record is created; delete it there and it is created again with the new value")))
            }
        }
        // A record its system will not let us change (a note only its author may edit): the change is
        // not sent and the base does not move, so it is shown again next run and nothing is undone.
        for side in Side.allCases where !changes[side].isEmpty {
            guard let reason = records[side].refusal.edit else { continue }
            for change in changes[side] { newBase[side][change.field] = nil }
            changes[side] = []
            skipped.append(Skip(side: side.other, id: link.id(on: side.other), reason: .refused(reason)))
        }
        conflicts += pairConflicts
        registerLinked(records.ghl, side: .ghl, changes: changes.ghl)
        registerLinked(records.espo, side: .espo, changes: changes.espo)
        if let start {
            operations.append(Plan.Operation(
                action: .link, ghlId: link.ghlId, espoId: link.espoId, base: agreed,
                reason: start == .match ? "matched on identity" : "both records are in scope again"))
        } else if base.keys.contains(where: { !mappedFields.contains($0) }) {
            // Fields the mapping no longer has: drop them, or the pair never hashes like its base again.
            let kept = base.filter { mappedFields.contains($0.key) }.merging(agreed) { $1 }
            operations.append(Plan.Operation(
                action: .rebase, ghlId: link.ghlId, espoId: link.espoId, base: kept, replacesBase: true,
                reason: "the mapping no longer has \(base.keys.filter { !mappedFields.contains($0) }.sorted().joined(separator: ", "))"))
        } else if !agreed.isEmpty {
            operations.append(Plan.Operation(action: .rebase, ghlId: link.ghlId, espoId: link.espoId, base: agreed))
        }
        for side in Side.allCases where !changes[side].isEmpty {
            var update = Plan.Operation(
                action: .update, target: side, ghlId: link.ghlId, espoId: link.espoId,
                fields: changes[side], base: newBase[side])
            for name in mapping.sides[side].updateSends where !changes[side].contains(where: { $0.field == name }) {
                if let value = records[side].values[name] ?? base[name], !value.isEmpty { update.carried[name] = value }
            }
            operations.append(update)
        }
        let staleBase = start == nil && base.keys.contains { !mappedFields.contains($0) }
        if start == nil && !staleBase && agreed.isEmpty && changes.ghl.isEmpty && changes.espo.isEmpty && pairConflicts.isEmpty {
            unchanged += 1
        }
    }

    /// Deleted on `gone`, edited on the other side: a conflict over the whole record, settled as
    /// `RecordDecision` says (`keepEdit` nil: queued for a person).
    private mutating func settleDeleteVersusEdit(_ link: Link, gone: Side, kept: SideRecord, keepEdit: Bool?) {
        let ids = (ghlId: link.ghlId, espoId: link.espoId)
        var conflict = Conflict(
            link: link.key, field: "*", kind: .deleteVersusEdit(deletedOn: gone), base: nil,
            ghl: nil, espo: nil, policy: mapping.conflict, resolution: .queued)
        if keepEdit != false { registerLinked(kept, side: gone.other) }
        switch keepEdit {
        case nil:
            missingConflicts.append(conflict)
        case false?:
            removed[link.key] = gone
            deletedHolders.append((kept, gone.other))
            conflict.resolution = .took(gone)
            missingConflicts.append(conflict)
            missingOperations.append(Plan.Operation(
                action: .delete, target: gone.other, ghlId: ids.ghlId, espoId: ids.espoId,
                reason: "deleted in \(gone.displayName); the deletion won over the edit"))
        case true?:
            conflict.resolution = .took(gone.other)
            missingConflicts.append(conflict)
            if let create = creation(of: kept, from: gone.other, replacing: link.key) {
                missingOperations.append(create)
            } else {
                missingOperations.append(Plan.Operation(
                    action: .unlink, target: gone, ghlId: ids.ghlId, espoId: ids.espoId,
                    reason: "deleted in \(gone.displayName), edited in \(gone.other.displayName), and cannot be created again"))
            }
        }
    }

    // MARK: - Unlinked records

    private enum Candidate: Hashable {
        case unlinked(String)
        case outOfScope(String)
        case linked(String)

        var id: String {
            switch self {
            case .unlinked(let id), .outOfScope(let id), .linked(let id): id
            }
        }
    }

    /// Matches unlinked records one-to-one on identity; creates what has no candidate.
    ///
    /// Matching runs in rounds until none matches more: a pair matched in one round is linked from then
    /// on, holding the values this plan gives it, exactly as the next run will see it. So a record that
    /// stood beside it as a second candidate is matched, skipped or created now rather than next run.
    private mutating func planUnlinked() -> [Ambiguity] {
        var open = unlinked.map { records in
            Dictionary(records.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        }
        while true {
            let index = candidateIndex(open)
            var matches: [PerSide<SideRecord>] = []
            for id in open.ghl.keys.sorted() where open.ghl[id]!.inScope {
                guard let found = candidates(of: id, on: .ghl, in: index), found.list.count == 1,
                      case .unlinked(let otherId) = found.list[0],
                      let reverse = candidates(of: otherId, on: .espo, in: index), reverse.list == [.unlinked(id)]
                else { continue }
                matches.append(PerSide(ghl: open.ghl[id]!, espo: open.espo[otherId]!))
            }
            if matches.isEmpty { break }
            for pair in matches {
                open.ghl[pair.ghl.id] = nil
                open.espo[pair.espo.id] = nil
                planPair(Link(ghlId: pair.ghl.id, espoId: pair.espo.id, base: [:]), pair, base: [:], start: .match)
            }
        }
        let index = candidateIndex(open)
        var ambiguities: [String: (field: String, value: String, ids: PerSide<Set<String>>)] = [:]
        for side in Side.allCases {
            for id in open[side].keys.sorted() {
                let record = open[side][id]!
                guard record.inScope else { continue }
                guard let found = candidates(of: id, on: side, in: index) else {
                    if let create = creation(of: record, from: side, replacing: nil) { operations.append(create) }
                    continue
                }
                let list = found.list
                let linked = list.compactMap { if case .linked(let id) = $0 { id } else { nil } }
                if !linked.isEmpty {
                    skipped.append(Skip(side: side, id: id, reason: .matchesLinked(ids: linked.sorted())))
                    continue
                }
                if list.allSatisfy({ if case .outOfScope = $0 { true } else { false } }) {
                    skipped.append(Skip(side: side, id: id, reason: .matchesOutOfScope(ids: list.map(\.id).sorted())))
                    continue
                }
                let field = mapping.identity[found.level].name
                let key = "\(field)\u{1F}\(found.value)"
                var entry = ambiguities[key] ?? (field, found.value, PerSide(ghl: [], espo: []))
                entry.ids[side].insert(id)
                entry.ids[side.other].formUnion(list.map(\.id))
                ambiguities[key] = entry
            }
        }
        return ambiguities.values
            .map { Ambiguity(field: $0.field, value: $0.value, ghlIds: $0.ids.ghl.sorted(), espoIds: $0.ids.espo.sorted()) }
            .sorted { ($0.field, $0.value) < ($1.field, $1.value) }
    }

    /// Side → identity level → value → the records holding it: the open unlinked records, and the
    /// linked ones holding a value some unlinked record looks for.
    private func candidateIndex(_ open: PerSide<[String: SideRecord]>) -> PerSide<[[String: [Candidate]]]> {
        let levels = mapping.identity.count
        var index = PerSide<[[String: [Candidate]]]>(
            ghl: Array(repeating: [:], count: levels), espo: Array(repeating: [:], count: levels))
        for side in Side.allCases {
            for id in open[side].keys.sorted() {
                let candidate: Candidate = open[side][id]!.inScope ? .unlinked(id) : .outOfScope(id)
                for (level, value) in (unlinkedIdentity[side][id] ?? []).enumerated() where !value.isEmpty {
                    index[side][level][value, default: []].append(candidate)
                }
            }
            for level in 0..<levels {
                for (value, ids) in linkedHolders[side][level] {
                    index[side][level][value, default: []] += ids.map(Candidate.linked)
                }
            }
        }
        return index
    }

    /// The candidates of unlinked record `id` of `side`: those on the other side sharing its first
    /// identity value that has any.
    private func candidates(
        of id: String, on side: Side, in index: PerSide<[[String: [Candidate]]]>
    ) -> (level: Int, value: String, list: [Candidate])? {
        for (level, value) in (unlinkedIdentity[side][id] ?? []).enumerated() where !value.isEmpty {
            if let list = index[side.other][level][value], !list.isEmpty { return (level, value, list) }
        }
        return nil
    }

    /// The operation creating `record` (from `source`) on the other side, or nil after recording why it cannot be.
    private mutating func creation(of record: SideRecord, from source: Side, replacing: LinkKey?) -> Plan.Operation? {
        let target = source.other
        // Never under a parent this run deletes.
        if let parent = mapping.parent, let entity = mapping.parentEntity,
           let reference = Reference(record.values[parent]),
           Side.allCases.contains(where: { side in reference.id(on: side).map { removedParentIds[side][$0] != nil } ?? false }) {
            skipped.append(Skip(side: source, id: record.id, reason: .parentNotLinked(field: parent, entity: entity)))
            return nil
        }
        var values = FieldValues()
        var changes: [FieldChange] = []
        for field in mapping.fields where field.direction.writes(to: target) {
            guard let value = record.values[field.name], !value.isEmpty else {
                // A default the target needs, written back to the source so both sides agree.
                if let fill = field.defaultOnCreate, field.direction.writes(to: source) {
                    let seconds = Int64(options.now.timeIntervalSince1970 + fill.daysAhead * 86_400)
                    let value = FieldValue.string(Timestamp.iso8601(seconds - seconds % 60))
                    values[field.name] = value
                    changes.append(FieldChange(field: field.name, from: nil, to: value, writtenBack: true))
                }
                continue
            }
            values[field.name] = value
            changes.append(FieldChange(field: field.name, from: nil, to: value))
        }
        let missingFields = mapping.missingForCreate(values, on: target)
        guard missingFields.isEmpty else {
            skipped.append(Skip(side: source, id: record.id, reason: .missingRequired(fields: missingFields)))
            return nil
        }
        if let filter = mapping.sides[target].filter,
           !filter.matches(mapping.patch(writing: values, to: target, creating: true).applied(to: [:])) {
            skipped.append(Skip(side: source, id: record.id, reason: .outsideTargetFilter))
            return nil
        }
        return Plan.Operation(
            action: .create, target: target,
            ghlId: source == .ghl ? record.id : nil, espoId: source == .espo ? record.id : nil,
            fields: changes, base: values, replacing: replacing,
            reason: replacing == nil ? nil : "deleted in \(target.displayName) but edited in \(source.displayName): created again")
    }

    // MARK: - Result

    /// The plan, sorted, with the mass-delete guard applied.
    public func finish() -> Plan {
        var builder = self
        let tripped = options.allowMassDelete ? nil : builder.massDeleteGuard()
        if tripped != nil {
            for (record, side) in deletedHolders { builder.registerLinked(record, side: side) }
        }
        let ambiguities = builder.planUnlinked()
        var plan = Plan(entity: mapping.entity, skipped: builder.skipped, ambiguities: ambiguities,
                        unchanged: builder.unchanged, linkCount: builder.linkCount)
        if let tripped {
            // Creates in a side whose listing is in doubt would duplicate what the listing missed.
            let doubtful = builder.operations.filter { $0.action == .create && tripped.suspect.contains($0.target!) }
            builder.operations.removeAll { $0.action == .create && tripped.suspect.contains($0.target!) }
            plan.massDeleteGuard = tripped
            plan.withheld = Plan.Operation.sorted(builder.missingOperations + doubtful)
        } else {
            builder.operations += builder.missingOperations
            builder.conflicts += builder.missingConflicts
            plan.removed = builder.removed
        }
        plan.operations = Plan.Operation.sorted(builder.operations)
        plan.conflicts = builder.conflicts.sorted { ($0.link, $0.field) < ($1.link, $1.field) }
        plan.skipped.sort { ($0.side, $0.id) < ($1.side, $1.id) }
        return plan
    }

    /// The guard, when this plan trips it: a full listing came back empty while links exist, or more
    /// linked records went missing on a side than the threshold allows.
    private func massDeleteGuard() -> MassDeleteGuard? {
        func tripped(_ reason: MassDeleteGuard.Reason, suspect: [Side]) -> MassDeleteGuard {
            MassDeleteGuard(reason: reason, suspect: suspect, missing: missing, linkCount: linkCount,
                            maxCount: options.maxDeletes, maxFraction: options.maxDeleteFraction)
        }
        let empty = Side.allCases.filter { listings[$0].isFull && listings[$0].coversEverything && listings[$0].count == 0 }
        if !empty.isEmpty && linkCount - cascaded > 0 {
            return tripped(.emptyListing, suspect: empty)
        }
        let over = Side.allCases.filter { side in
            missing[side] > options.maxDeletes && Double(missing[side]) > options.maxDeleteFraction * Double(linkCount - cascaded)
        }
        return over.isEmpty ? nil : tripped(.threshold, suspect: over)
    }

    /// The side changed last; nil when unknown or simultaneous.
    static func newer(_ ghl: Date?, _ espo: Date?) -> Side? {
        guard let ghl, let espo, ghl != espo else { return nil }
        return ghl > espo ? .ghl : .espo
    }
}
