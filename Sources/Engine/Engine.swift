import Foundation
import StateStore
import SyncCore
import Transport

/// How a run behaves.
public struct RunOptions: Sendable {
    public var mode: RunSummary.Mode
    /// List every record on both sides (only a full listing shows deletes).
    public var full: Bool
    public var allowMassDelete: Bool
    public var maxDeletes: Int
    public var maxDeleteFraction: Double
    /// Force a full listing when the last one is older than this many days (nil or 0: never).
    public var fullScanEveryDays: Double?
    /// Incremental listings start this long before the last high-water mark.
    public var overlapSeconds: Double
    /// Operations in flight at once, over both sides (each side's pacer limits its own share).
    public var concurrency: Int

    public init(
        mode: RunSummary.Mode, full: Bool = false, allowMassDelete: Bool = false, maxDeletes: Int = 10,
        maxDeleteFraction: Double = 0.1, fullScanEveryDays: Double? = 7, overlapSeconds: Double = 300,
        concurrency: Int = 16
    ) {
        self.mode = mode
        self.full = full
        self.allowMassDelete = allowMassDelete
        self.maxDeletes = maxDeletes
        self.maxDeleteFraction = maxDeleteFraction
        self.fullScanEveryDays = fullScanEveryDays
        self.overlapSeconds = overlapSeconds
        self.concurrency = max(1, concurrency)
    }
}

/// Fetch → plan → execute, for every mapping, against one state file.
///
/// A run lists both sides (incrementally from the high-water mark, or fully), stores the snapshots,
/// reconciles what an earlier run left unfinished, plans every entity, and, for `sync`, applies the
/// plans: every operation journaled before its call and committed with its new base after it.
public final class Engine: Sendable {
    public let store: StateStore
    public let mappings: [Mapping]
    public let connectors: PerSide<any Connector>
    let lock: RunLock
    let progress: @Sendable (ProgressEvent) -> Void
    public let stop: StopSignal

    /// An engine over an open state file, whose run lock the caller holds (`Engine.open` takes both).
    public init(
        lock: RunLock, store: StateStore, mappings: [Mapping], connectors: PerSide<any Connector>,
        stop: StopSignal = StopSignal(), progress: @escaping @Sendable (ProgressEvent) -> Void = { _ in }
    ) {
        self.lock = lock
        self.store = store
        // Contacts first: the other entities hang off them.
        self.mappings = mappings.sorted { ($0.entity == "contact" ? 0 : 1, $0.entity) < ($1.entity == "contact" ? 0 : 1, $1.entity) }
        self.connectors = connectors
        self.stop = stop
        self.progress = progress
    }

    /// Takes the run lock of the state file at `statePath`, then opens it (creating it only where
    /// nothing exists): another run holding it is `EngineError.busy`.
    public static func open(statePath: String) throws(EngineError) -> (RunLock, StateStore) {
        let lock = try RunLock(statePath: statePath)
        do { return (lock, try StateStore(path: statePath)) } catch { throw .state(error) }
    }

    /// Runs `plan` or `sync` once.
    public func run(_ options: RunOptions) async throws(EngineError) -> RunSummary {
        let run = try state { try store.beginRun(mode: options.mode.rawValue, at: Date()) }
        do throws(EngineError) {
            var prepared: [(mapping: Mapping, plan: Plan, states: PerSide<FetchState>)] = []
            for mapping in mappings {
                let resolved = try await prepare(mapping)
                let (listings, states) = try await fetch(resolved, run: run, options: options)
                try await reconcile(resolved, run: run, closing: options.mode == .sync)
                let resolutions = try state { try store.resolutions(entity: resolved.entity) }
                let plan = try state {
                    try store.plan(
                        mapping: resolved,
                        options: PlanOptions(
                            allowMassDelete: options.allowMassDelete, maxDeletes: options.maxDeletes,
                            maxDeleteFraction: options.maxDeleteFraction, resolutions: resolutions),
                        listings: listings)
                }
                progress(.planned(entity: resolved.entity, writes: plan.writes.count))
                prepared.append((resolved, plan, states))
            }
            if options.mode == .sync, let tripped = prepared.lazy.compactMap(\.plan.massDeleteGuard).first {
                throw EngineError.massDeleteGuard(tripped.message)
            }
            var entities: [RunSummary.Entity] = []
            for (mapping, plan, states) in prepared {
                var entity = RunSummary.Entity(plan: plan)
                if options.mode == .sync {
                    let executor = Executor(
                        store: store, mapping: mapping, connectors: connectors, run: run,
                        concurrency: options.concurrency, stop: stop, progress: progress)
                    entity = try await executor.apply(plan)
                }
                // The snapshot now holds everything listed; the next listing may start from here.
                for side in Side.allCases {
                    try state { try store.setWatermark(states[side].stored, entity: mapping.entity, side: side) }
                }
                entities.append(entity)
            }
            let summary = RunSummary(
                mode: options.mode, entities: entities,
                apiCalls: PerSide(ghl: connectors.ghl.apiCalls, espo: connectors.espo.apiCalls),
                interrupted: stop.isSet)
            let status = stop.isSet ? "interrupted" : summary.failureCount > 0 ? "partial" : "ok"
            try state { try store.finishRun(run, status: status, at: Date(), summary: summary.countsJSON) }
            // The journal keeps the last 30 runs' settled entries; older ones are history nobody reads.
            _ = try state { try store.pruneJournal(keepingRuns: 30) }
            return summary
        } catch {
            let counts = JSON.object([
                "error": .string(error.description),
                "apiCalls": .object(["ghl": .number(Double(connectors.ghl.apiCalls)), "espo": .number(Double(connectors.espo.apiCalls))]),
            ])
            let status = if case .massDeleteGuard = error { "aborted" } else { "failed" }
            try? store.finishRun(run, status: status, at: Date(), summary: counts)
            throw error
        }
    }

    private func prepare(_ mapping: Mapping) async throws(EngineError) -> Mapping {
        var resolved = mapping
        for side in Side.allCases {
            do { resolved = try await connectors[side].prepare(resolved) } catch { throw .api(error) }
        }
        return resolved
    }

    /// Lists both sides into the snapshot; a full listing then drops the records it did not hold.
    private func fetch(
        _ mapping: Mapping, run: Int64, options: RunOptions
    ) async throws(EngineError) -> (PerSide<Listing>, PerSide<FetchState>) {
        var listings = PerSide(ghl: Listing.incremental(count: 0), espo: .incremental(count: 0))
        var states = PerSide(ghl: FetchState(), espo: FetchState())
        let now = Date()
        let fingerprint = mapping.fingerprint
        for side in Side.allCases {
            let previous = FetchState(stored: try state { try store.watermark(entity: mapping.entity, side: side) })
            let reason = options.full ? "--full" : previous.fullReason(
                now: now, mapping: fingerprint, fullScanEvery: options.fullScanEveryDays)
            let full = reason != nil
            if let reason, !options.full {
                progress(.note("\(side.displayName) \(mapping.entity): full listing (\(reason))"))
            }
            let since = full ? nil : previous.highWater.map { $0.addingTimeInterval(-options.overlapSeconds) }
            var count = 0
            var highWater = previous.highWater
            let listingStarted = Date()
            let connector = connectors[side]
            do {
                try await connector.fetch(mapping, since: since) { page in
                    var rows: [(record: SideRecord, identity: [String])] = []
                    rows.reserveCapacity(page.count)
                    for item in page {
                        guard let object = item.objectValue, let record = mapping.record(from: object, side: side) else {
                            progress(.note("\(side.displayName) \(mapping.entity): a listed record has no id; skipped"))
                            continue
                        }
                        if let updated = record.updatedAt, highWater.map({ updated > $0 }) ?? true { highWater = updated }
                        rows.append((record, mapping.identityValues(of: record.values)))
                    }
                    try store.saveSnapshot(entity: mapping.entity, side: side, records: rows, run: run)
                    count += page.count
                    progress(.fetched(entity: mapping.entity, side: side, count: count, full: full))
                }
            } catch let error as APIError {
                throw .api(error)
            } catch let error as StateStoreError {
                throw .state(error)
            } catch {
                throw .api(APIError(.invalidResponse, service: side.displayName, endpoint: "listing", message: "\(error)"))
            }
            if full { _ = try state { try store.pruneSnapshot(entity: mapping.entity, side: side, notSeenIn: run) } }
            listings[side] = full ? .full(count: count) : .incremental(count: count)
            // A record changed while the listing ran may have been passed over (GHL's search drops a
            // second sighting, EspoCRM's feed holds it back): the next listing starts no later than
            // this one did.
            if let seen = highWater, seen > listingStarted { highWater = listingStarted }
            states[side] = FetchState(
                highWater: highWater, fullAt: full ? now : previous.fullAt, mapping: fingerprint)
        }
        return (listings, states)
    }

    /// Before planning: a create an earlier run sent without learning the outcome may have made the
    /// record. Look it up by identity on its target side and put what is found in the snapshot, so the
    /// planner links it instead of creating it again. Then, `closing` (a sync), close the earlier
    /// runs' entries: the plan is made afresh from the current state. A plan leaves them for `status`.
    private func reconcile(_ mapping: Mapping, run: Int64, closing: Bool) async throws(EngineError) {
        let unfinished = try state { try store.unfinished(entity: mapping.entity) }
        for entry in unfinished where entry.run < run && entry.operation.action == .create
            && [.unknown, .inFlight].contains(entry.status)
        {
            guard let target = entry.operation.target else { continue }
            let values = entry.operation.values
            for key in mapping.identity {
                guard let value = values[key.field], !value.isEmpty,
                      let field = mapping.fields.first(where: { $0.name == key.field }),
                      case .keys(let segments)? = field.sources[target].paths.first, segments.count == 1,
                      !segments[0].selectsPrimary,
                      let written = mapping.write(value, of: field, side: target).stringValue
                else { continue }
                let found: [JSONObject]
                do {
                    found = try await connectors[target].find(mapping, attribute: segments[0].name, value: written)
                } catch { throw .api(error) }
                let rows = found.compactMap { object in
                    mapping.record(from: object, side: target).map { (record: $0, identity: mapping.identityValues(of: $0.values)) }
                }
                try state { try store.saveSnapshot(entity: mapping.entity, side: target, records: rows, run: run) }
                if !rows.isEmpty {
                    progress(.note("\(target.displayName) \(mapping.entity): a create whose answer was lost did happen (\(rows.map(\.record.id).joined(separator: ", "))); linking it"))
                    break
                }
            }
        }
        if closing { _ = try state { try store.supersedeUnfinished(before: run) } }
    }

    /// Runs a state-store call, its error as an `EngineError`.
    func state<T>(_ body: () throws -> T) throws(EngineError) -> T {
        do { return try body() } catch let error as StateStoreError { throw .state(error) } catch {
            throw .state(StateStoreError(path: store.path, kind: .database(detail: "\(error)")))
        }
    }
}
