import Foundation
import StateStore
import SyncCore

extension Engine {
    /// The parents whose children `mapping` reads this run, when an adapter lists them per parent
    /// (GHL notes): every linked parent on the first run, on `--full`, after a mapping change or once
    /// `notesSweepDays` have passed; otherwise the parents listed as changed in this run on either side,
    /// plus the share of the rest whose day of the rotating sweep came, so every parent's children are
    /// read within `notesSweepDays`. Both add the parents this run's parent plan links or creates: a
    /// contact created tonight because last night's create failed has changed on neither side, yet
    /// its notes must travel with it tonight, not on its sweep day (a dry run has no link for them yet).
    func parentScope(
        for mapping: Mapping, options: RunOptions, planned: [String: Plan], listed: [String: PerSide<Set<String>>]
    ) throws(EngineError) -> ParentScope? {
        guard let parentEntity = mapping.parentEntity else { return nil }
        var perParent = false
        for side in Side.allCases where try connectors[side].adapter(for: mapping).listsPerParent { perParent = true }
        guard perParent else { return nil }
        let links = try state { try store.linkKeys(entity: parentEntity, by: .ghl) }.values
        let previous = FetchState(stored: try state { try store.watermark(entity: mapping.entity, side: .ghl) })
        let days = max(1, Int(settings.notesSweepDays.rounded()))
        let now = Date()
        let today = Int(now.timeIntervalSince1970 / 86_400)
        let lastDay = previous.sweptAt.map { Int($0.timeIntervalSince1970 / 86_400) }
        let everything = options.full || lastDay == nil || previous.mapping != mapping.fingerprint
            || today - lastDay! >= days
        var ids = PerSide<Set<String>>(ghl: [], espo: [])
        let description: String
        if everything {
            for key in links {
                ids.ghl.insert(key.ghlId)
                ids.espo.insert(key.espoId)
            }
            description = "\(parentEntity) records (every one)"
        } else {
            let changed = listed[parentEntity] ?? PerSide(ghl: [], espo: [])
            let buckets = Self.sweepBuckets(lastDay: lastDay!, today: today, days: days)
            for key in links where changed.ghl.contains(key.ghlId) || changed.espo.contains(key.espoId)
                || buckets.contains(Self.sweepBucket(of: key.ghlId, days: days)) {
                ids.ghl.insert(key.ghlId)
                ids.espo.insert(key.espoId)
            }
            description = "\(parentEntity) records (changed, and \(buckets.count)/\(days) of the rest)"
        }
        for operation in planned[parentEntity]?.operations ?? [] {
            switch operation.action {
            case .link:
                if let key = operation.link {
                    ids.ghl.insert(key.ghlId)
                    ids.espo.insert(key.espoId)
                }
            case .create:
                if let source = operation.target?.other, let id = operation.id(on: source) { ids[source].insert(id) }
            default: continue
            }
        }
        return ParentScope(ids: ids, description: description, isEverything: everything)
    }

    /// For the benchmark: makes `entity`'s rotating sweep take its last run for `days` earlier, as
    /// when the next run comes a night later.
    package static func rewindSweep(of entity: String, in store: StateStore, days: Double) throws {
        for side in Side.allCases {
            var state = FetchState(stored: try store.watermark(entity: entity, side: side))
            guard let swept = state.sweptAt else { continue }
            state.sweptAt = swept.addingTimeInterval(-days * 86_400)
            try store.setWatermark(state.stored, entity: entity, side: side)
        }
    }

    /// The buckets of the rotating sweep a run on day `today` reads when the last one was on `lastDay`
    /// (days since 1970): one per day since, none when it ran today already, so that a parent's
    /// children are read within `days` days however often or seldom the runs come.
    package static func sweepBuckets(lastDay: Int, today: Int, days: Int) -> Set<Int> {
        guard today > lastDay else { return [] }
        return Set((lastDay + 1...min(today, lastDay + days)).map { $0 % days })
    }

    /// Which day of the rotating sweep reads the children of the parent with GHL id `id`.
    package static func sweepBucket(of id: String, days: Int) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return Int(hash % UInt64(days))
    }

    /// The parent pairs whose delete this run applied (a dry run: planned), for their children.
    static func removedParents(of mapping: Mapping, planned: [String: Plan], failed: [String: [RunSummary.FailedOperation]]) -> [LinkKey: Side?] {
        guard let parentEntity = mapping.parentEntity, var removed = planned[parentEntity]?.removed else { return [:] }
        for failure in failed[parentEntity] ?? [] where failure.operation.action == .delete {
            if let key = failure.operation.link { removed[key] = nil }
        }
        return removed
    }

    /// Creates toward a side that cannot create such records (no calendar configured) become skips.
    func refuseCreates(in plan: Plan, of mapping: Mapping) throws(EngineError) -> Plan {
        var plan = plan
        for side in Side.allCases {
            guard let reason = try connectors[side].adapter(for: mapping).createRefusal else { continue }
            let refused = plan.operations.filter { $0.action == .create && $0.target == side }
            guard !refused.isEmpty else { continue }
            plan.operations.removeAll { $0.action == .create && $0.target == side }
            for operation in refused {
                plan.skipped.append(Skip(side: side.other, id: operation.id(on: side.other) ?? "?", reason: .unsupported(reason)))
            }
        }
        return plan
    }
}
