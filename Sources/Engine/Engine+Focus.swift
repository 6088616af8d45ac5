import Foundation
import StateStore
import SyncCore
import Transport

/// What one pass of `serve`'s worker looks at: records named by events, read again on their side,
/// and the entities its poll lists from their high-water marks. Everything else stays as it is.
public struct Focus: Sendable, Equatable {
    /// Records to read again, by entity and side, by the id the connector knows them by.
    public var records: [String: PerSide<Set<String>>] = [:]
    /// Entities whose whole listing on a side is read because an event named a record that cannot be
    /// read by id alone (a GHL TaskCreate without its contact): the listing finds it.
    public var listed: [String: Set<Side>] = [:]
    /// Entities listed on a side from the high-water mark (the poll).
    public var polled: [String: Set<Side>] = [:]

    public init() {}

    public var isEmpty: Bool { records.isEmpty && listed.isEmpty && polled.isEmpty }

    /// Adds record `id` of `entity` on `side`.
    public mutating func add(_ id: String, of entity: String, on side: Side) {
        records[entity, default: PerSide(ghl: [], espo: [])][side].insert(id)
    }

    /// Adds every record and listing of `other`.
    public mutating func merge(_ other: Focus) {
        for (entity, ids) in other.records {
            for side in Side.allCases { for id in ids[side] { add(id, of: entity, on: side) } }
        }
        for (entity, sides) in other.listed { listed[entity, default: []].formUnion(sides) }
        for (entity, sides) in other.polled { polled[entity, default: []].formUnion(sides) }
    }
}

/// Where an event's record goes in a `Focus`.
public enum FocusTarget: Sendable, Equatable {
    /// Record `id` (the connector's id) of `entity`.
    case record(entity: String, id: String)
    /// The record cannot be read by id (its parent is unknown): `entity`'s whole listing finds it.
    case listing(entity: String)
    /// No mapping syncs this object.
    case unmapped
}

extension Engine {
    /// Where a record named by an event goes: the mapping that syncs `object` on `side`, and the id its
    /// connector knows the record by (`parentId` is the parent's id on that side when the event gives it).
    public func target(object: String, on side: Side, apiId: String, parentId: String?) -> FocusTarget {
        guard let mapping = mappings.first(where: { $0.sides[side].object == object }),
              let adapter = try? connectors[side].adapter(for: mapping)
        else { return .unmapped }
        guard let id = adapter.recordId(apiId: apiId, parentId: parentId) else {
            // Only a listing of every record finds it; one listed per parent cannot.
            return adapter.listsEverything ? .listing(entity: mapping.entity) : .unmapped
        }
        return .record(entity: mapping.entity, id: id)
    }

    /// The entities whose listing `serve` polls on `side`: those listed from a change time (neither
    /// listed whole every time nor per parent), as `sync` lists them between its full listings.
    public func pollable(on side: Side) -> [String] {
        mappings.compactMap { mapping in
            guard let adapter = try? connectors[side].adapter(for: mapping),
                  !adapter.listsEverything, !adapter.listsPerParent
            else { return nil }
            return mapping.entity
        }
    }

    /// Runs the planner over the records `focus` names, with the journal, base, conflict policies and
    /// guards of a `sync`: each named record is read again on its side, and its linked record on the
    /// other; a record its API no longer holds is taken for deleted; polled entities are listed from
    /// their high-water marks (both sides in one pass, as `sync` lists them, so that edits made on both
    /// sides meet as a conflict); and only the operations on those records, and on the children of a
    /// parent whose delete it applies, are executed.
    /// Every mapping with each side's names resolved (GHL custom field keys to ids; may call the
    /// API), by entity: a `serve` pass takes them from the worker instead of resolving them again.
    public func prepared() async throws(EngineError) -> [String: Mapping] {
        var prepared: [String: Mapping] = [:]
        for mapping in mappings { prepared[mapping.entity] = try await prepare(mapping) }
        return prepared
    }

    /// `prepared`: the mappings as `prepared()` gave them; an entity missing there is prepared now.
    public func run(focus: Focus, prepared: [String: Mapping] = [:]) async throws(EngineError) -> RunSummary {
        let ordered = try EntityOrder.sorted(mappings)
        // This run's own signal: set by the engine's signal, or by an answer that stops this run alone.
        let stop = StopSignal(parent: self.stop)
        let run = try state { try store.beginRun(mode: "serve", at: Date()) }
        let options = RunOptions(mode: .sync, full: false, allowMassDelete: true)
        do throws(EngineError) {
            var entities: [RunSummary.Entity] = []
            var planned: [String: Plan] = [:]
            var failed: [String: [RunSummary.FailedOperation]] = [:]
            for mapping in ordered {
                if stop.isSet { break }
                let removedParents = Self.removedParents(of: mapping, planned: planned, failed: failed)
                let named = focus.records[mapping.entity] ?? PerSide(ghl: [], espo: [])
                let listed = focus.listed[mapping.entity] ?? []
                let polled = focus.polled[mapping.entity] ?? []
                guard !named.ghl.isEmpty || !named.espo.isEmpty || !listed.isEmpty || !polled.isEmpty || !removedParents.isEmpty
                else { continue }
                let resolved = if let ready = prepared[mapping.entity] { ready } else { try await prepare(mapping) }
                // A named record's linked record is read too: a change made there that no event has
                // brought yet is merged, not overwritten.
                var read = named
                for side in Side.allCases {
                    for id in named[side] {
                        guard let link = try state({ try store.link(entity: mapping.entity, side: side, id: id) }) else { continue }
                        read[side.other].insert(side == .ghl ? link.espoId : link.ghlId)
                    }
                }
                var unreadable: [UnreadableRow] = []
                var listings = PerSide(ghl: Listing.incremental(count: 0), espo: Listing.incremental(count: 0))
                var seen = read
                for side in Side.allCases {
                    if listed.contains(side) || polled.contains(side) {
                        let fetched = try await listSide(
                            side, resolved, run: run, options: options, parents: nil, written: nil, incrementalOnly: true)
                        seen[side].formUnion(fetched.listed)
                        unreadable += fetched.unreadable
                        listings[side] = fetched.listing
                        try state { try store.setWatermark(fetched.state.stored, entity: resolved.entity, side: side) }
                    }
                    guard !read[side].isEmpty else { continue }
                    let result = try await reread(read[side], of: resolved, on: side, run: run)
                    unreadable += result.unreadable
                    // A record its API answered "not found" for is gone: its pair reads as deleted.
                    if !listings[side].isFull { listings[side] = .fullForParents(count: read[side].count) }
                }
                try await reconcile(resolved, run: run, closing: false)
                var plan = try plan(resolved, listings: listings, options: options, planned: planned, removedParents: removedParents)
                plan = Self.narrowed(plan, to: seen, removedParents: removedParents)
                plan = try resolveReferences(in: plan, of: resolved, mode: .sync, planned: planned)
                plan = try refuseCreates(in: plan, of: resolved)
                plan = guarded(plan)
                planned[resolved.entity] = plan
                progress(.planned(entity: resolved.entity, writes: plan.writes.count))
                let executor = Executor(
                    store: store, mapping: resolved, connectors: connectors, run: run,
                    concurrency: settings.concurrency, stop: stop, progress: progress)
                var entity = try await executor.apply(plan)
                entity.unreadable = unreadable
                failed[resolved.entity] = entity.failures
                entities.append(entity)
            }
            let summary = RunSummary(
                mode: .sync, entities: entities,
                apiCalls: PerSide(ghl: connectors.ghl.apiCalls, espo: connectors.espo.apiCalls), interrupted: stop.isSet, stoppedBy: stop.reason)
            let status = stop.reason != nil ? "failed" : stop.isSet ? "interrupted" : summary.failureCount > 0 || summary.unreadableCount > 0 ? "partial" : "ok"
            try state { try store.finishRun(run, status: status, at: Date(), summary: summary.countsJSON) }
            return summary
        } catch {
            try? store.finishRun(run, status: "failed", at: Date(), summary: .object(["error": .string(error.description)]))
            throw error
        }
    }

    /// Reads a pass starts at once per side.
    static let readsAtOnce = 8

    /// Reads `ids` of `mapping` on `side` into the snapshot, `readsAtOnce` at a time; one the API no longer holds
    /// leaves the snapshot. A record that cannot be read fails alone, as an unreadable row.
    private func reread(
        _ ids: Set<String>, of mapping: Mapping, on side: Side, run: Int64
    ) async throws(EngineError) -> (gone: Set<String>, unreadable: [UnreadableRow]) {
        let adapter = try connectors[side].adapter(for: mapping)
        let links = try referenceLinks(of: mapping, side: side)
        var gone = Set<String>()
        var unreadable: [UnreadableRow] = []
        var rows: [(record: SideRecord, identity: [String])] = []
        // Several reads at once (each side's pacer still bounds them): a pass's latency is not the
        // sum of its round trips.
        let answers = await withTaskGroup(of: ReadAnswer.self) { group in
            var answers: [ReadAnswer] = []
            for (n, id) in ids.sorted().enumerated() {
                if n >= Self.readsAtOnce, let answer = await group.next() { answers.append(answer) }
                group.addTask { await ReadAnswer.read(id, of: mapping, from: adapter) }
            }
            for await answer in group { answers.append(answer) }
            return answers.sorted { $0.id < $1.id }
        }
        for answer in answers {
            let id = answer.id
            switch answer.result {
            case .success(nil):
                gone.insert(id)
            case .success(let raw?):
                guard var record = mapping.record(
                    from: raw, side: side, absentMeansEmpty: true, links: { entity, id in links[entity]?[id] })
                else {
                    unreadable.append(UnreadableRow(
                        id: id, field: "id", endpoint: "\(side.displayName) \(mapping.sides[side].object) read",
                        message: "the record has no readable id"))
                    continue
                }
                record.refusal = adapter.refusal(of: raw)
                rows.append((record, mapping.identityValues(of: record.values)))
            case .failure(let error):
                unreadable.append(UnreadableRow(id: id, field: "*", endpoint: error.endpoint, message: error.description))
            }
        }
        try state { try store.saveSnapshot(entity: mapping.entity, side: side, records: rows, run: run) }
        if !gone.isEmpty { try state { try store.removeSnapshot(entity: mapping.entity, side: side, ids: gone) } }
        return (gone, unreadable)
    }

    /// What reading one record gave.
    struct ReadAnswer: Sendable {
        var id: String
        var result: Result<JSONObject?, APIError>

        static func read(_ id: String, of mapping: Mapping, from adapter: any ObjectAdapter) async -> ReadAnswer {
            do {
                return ReadAnswer(id: id, result: .success(try await adapter.read(mapping, id: id)))
            } catch {
                return ReadAnswer(id: id, result: .failure(error))
            }
        }
    }

    /// The part of `plan` about the records `ids` (either side), and the deletes cascading from
    /// parents removed in this pass.
    static func narrowed(_ plan: Plan, to ids: PerSide<Set<String>>, removedParents: [LinkKey: Side?]) -> Plan {
        func named(_ ghlId: String?, _ espoId: String?) -> Bool {
            ghlId.map(ids.ghl.contains) ?? false || espoId.map(ids.espo.contains) ?? false
        }
        var narrowed = plan
        narrowed.operations = plan.operations.filter { named($0.ghlId, $0.espoId) || ($0.cascade && !removedParents.isEmpty) }
        narrowed.withheld = plan.withheld.filter { named($0.ghlId, $0.espoId) }
        narrowed.conflicts = plan.conflicts.filter { named($0.link.ghlId, $0.link.espoId) }
        narrowed.skipped = plan.skipped.filter { ids[$0.side].contains($0.id) }
        narrowed.ambiguities = plan.ambiguities.filter { ambiguity in
            ambiguity.ghlIds.contains(where: ids.ghl.contains) || ambiguity.espoIds.contains(where: ids.espo.contains)
        }
        narrowed.removed = plan.removed.filter { named($0.key.ghlId, $0.key.espoId) }
        narrowed.massDeleteGuard = nil
        return narrowed
    }

    /// The mass-delete guard over the deletes of one pass: more than `maxDeletes` toward a side, and
    /// more than `maxDeleteFraction` of the links, are held back (the next `sync` trips the same guard
    /// until a person allows them).
    func guarded(_ plan: Plan) -> Plan {
        var plan = plan
        for side in Side.allCases {
            let deletes = plan.operations.filter { $0.action == .delete && $0.target == side && !$0.cascade }
            guard deletes.count > settings.maxDeletes,
                  Double(deletes.count) > settings.maxDeleteFraction * Double(max(plan.linkCount, 1))
            else { continue }
            plan.operations.removeAll { $0.action == .delete && $0.target == side && !$0.cascade }
            plan.withheld += deletes
            plan.massDeleteGuard = MassDeleteGuard(
                reason: .threshold, suspect: [side.other], missing: side == .ghl ? PerSide(ghl: 0, espo: deletes.count) : PerSide(ghl: deletes.count, espo: 0),
                linkCount: plan.linkCount, maxCount: settings.maxDeletes, maxFraction: settings.maxDeleteFraction)
        }
        return plan
    }
}
