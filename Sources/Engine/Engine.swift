import Foundation
import StateStore
import SyncCore
import Transport

/// What one run is asked to do: the command's flags. Everything else comes from `Engine.Settings`.
public struct RunOptions: Sendable {
    public var mode: RunSummary.Mode
    /// List every record on both sides (only a full listing shows deletes).
    public var full: Bool
    public var allowMassDelete: Bool

    public init(mode: RunSummary.Mode, full: Bool = false, allowMassDelete: Bool = false) {
        self.mode = mode
        self.full = full
        self.allowMassDelete = allowMassDelete
    }
}

/// Fetch → plan → execute, for every mapping, against one state file.
///
/// A run takes the entities in reference order and puts each through one pipeline: list both sides at
/// once into the snapshot (incrementally from the high-water mark, or fully), settle possible clears,
/// reconcile what an earlier run left unfinished, plan, check the mass-delete guard and, for `sync`,
/// apply the plan: every operation journaled before its call and committed with its new base after it.
public final class Engine: Sendable {
    /// How every run of this engine behaves, from the config's `sync` section; the defaults are here only.
    public struct Settings: Sendable, Equatable {
        /// The mass-delete guard trips when a run would delete more than this many records on a side…
        public var maxDeletes = 10
        /// …and more than this share of that side's linked records.
        public var maxDeleteFraction = 0.1
        /// Every this many days a run lists everything (deletes show only in full listings); 0 = never.
        public var fullScanEveryDays = 7.0
        /// Incremental listings start this many seconds before the last high-water mark.
        public var overlapSeconds = 300.0
        /// Operations in flight at once on each side (each side's pacer limits them further).
        public var concurrency = 16
        /// Children listed per parent (GHL notes) are read for every parent within this many days.
        public var notesSweepDays = 7.0
        /// Overrides `defaultOnCreate.daysAhead` in the `task` mapping (a GHL task needs a due date).
        public var taskDefaultDueDays: Double?
        /// Appointments are read from this many days back…
        public var appointmentPastDays = 30.0
        /// …to this many days ahead (the GHL connector lists calendar events over that window).
        public var appointmentFutureDays = 365.0

        public init() {}
    }

    public let store: StateStore
    public let settings: Settings
    public let mappings: [Mapping]
    public let connectors: PerSide<any Connector>
    let lock: RunLock
    let progress: @Sendable (ProgressEvent) -> Void
    public let stop: StopSignal

    /// An engine over an open state file, whose run lock the caller holds (`Engine.open` takes both).
    public init(
        lock: RunLock, store: StateStore, mappings: [Mapping], connectors: PerSide<any Connector>,
        settings: Settings = Settings(), stop: StopSignal = StopSignal(),
        progress: @escaping @Sendable (ProgressEvent) -> Void = { _ in }
    ) {
        self.settings = settings
        self.lock = lock
        self.store = store
        self.mappings = mappings
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

    /// An engine ready to run: the state file's lock taken, the file opened, the connectors made by
    /// `connectors` (GHL's OAuth tokens live in the store).
    public static func open(
        statePath: String, mappings: [Mapping], settings: Settings,
        connectors: (StateStore) throws -> PerSide<any Connector>,
        stop: StopSignal = StopSignal(), progress: @escaping @Sendable (ProgressEvent) -> Void = { _ in }
    ) throws -> Engine {
        let (lock, store) = try open(statePath: statePath)
        return Engine(
            lock: lock, store: store, mappings: mappings, connectors: try connectors(store), settings: settings,
            stop: stop, progress: progress)
    }

    /// Runs `plan` or `sync` once: every entity in reference order (a referenced entity before the
    /// entities pointing at it), each through one pipeline: fetch → reconcile → plan → guard → execute.
    public func run(_ options: RunOptions) async throws(EngineError) -> RunSummary {
        let ordered = try EntityOrder.sorted(mappings)
        // This run's own signal: set by the engine's signal, or by an answer that stops this run alone.
        let stop = StopSignal(parent: self.stop)
        let run = try state { try store.beginRun(mode: options.mode.rawValue, at: Date()) }
        do throws(EngineError) {
            for side in Side.allCases { try await connectors[side].check(ordered) }
            var entities: [RunSummary.Entity] = []
            var planned: [String: Plan] = [:]
            var listed: [String: PerSide<Set<String>>] = [:]
            var failed: [String: [RunSummary.FailedOperation]] = [:]
            // Parents of children read per parent: their reads start from the parents that changed.
            var readPerParent = Set<String>()
            for mapping in ordered {
                guard let parent = mapping.parentEntity else { continue }
                for side in Side.allCases where try connectors[side].adapter(for: mapping).listsPerParent { readPerParent.insert(parent) }
            }
            for mapping in ordered {
                if stop.isSet { break }
                let resolved = try await prepare(mapping)
                let scope = try parentScope(for: resolved, options: options, planned: planned, listed: listed)
                let fetched = try await fetch(
                    resolved, run: run, options: options, parents: scope, tracksEchoes: readPerParent.contains(resolved.entity))
                listed[resolved.entity] = fetched.listed
                try await reconcile(resolved, run: run, closing: options.mode == .sync)
                var plan = try plan(
                    resolved, listings: fetched.listings, options: options, planned: planned,
                    removedParents: Self.removedParents(of: resolved, planned: planned, failed: failed))
                plan = try resolveReferences(in: plan, of: resolved, mode: options.mode, planned: planned)
                plan = try refuseCreates(in: plan, of: resolved)
                planned[resolved.entity] = plan
                progress(.planned(entity: resolved.entity, writes: plan.writes.count))
                if options.mode == .sync, let tripped = plan.massDeleteGuard {
                    throw EngineError.massDeleteGuard(tripped.message)
                }
                var entity = RunSummary.Entity(plan: plan, unreadable: fetched.unreadable)
                if options.mode == .sync {
                    let executor = Executor(
                        store: store, mapping: resolved, connectors: connectors, run: run,
                        concurrency: settings.concurrency, stop: stop, progress: progress)
                    entity = try await executor.apply(plan)
                    entity.unreadable = fetched.unreadable
                    failed[resolved.entity] = entity.failures
                }
                // The snapshot now holds everything listed; the next listing may start from here.
                for side in Side.allCases {
                    try state { try store.setWatermark(fetched.states[side].stored, entity: resolved.entity, side: side) }
                }
                entities.append(entity)
            }
            let summary = RunSummary(
                mode: options.mode, entities: entities,
                apiCalls: PerSide(ghl: connectors.ghl.apiCalls, espo: connectors.espo.apiCalls),
                interrupted: stop.isSet, stoppedBy: stop.reason)
            let status = stop.reason != nil ? "failed" : stop.isSet ? "interrupted" : summary.failureCount > 0 || summary.unreadableCount > 0 ? "partial" : "ok"
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

    func prepare(_ mapping: Mapping) async throws(EngineError) -> Mapping {
        var resolved = mapping
        if mapping.entity == "task", let days = settings.taskDefaultDueDays {
            for i in resolved.fields.indices where resolved.fields[i].defaultOnCreate != nil {
                resolved.fields[i].defaultOnCreate = CreateDefault(daysAhead: days)
            }
        }
        for side in Side.allCases {
            let adapter = try connectors[side].adapter(for: mapping)
            do { resolved = try await adapter.prepare(resolved) } catch { throw .api(error) }
        }
        return resolved
    }

    /// The plan of one entity from the snapshot, references stored before their target was linked
    /// resolved through the links as they are now.
    ///
    /// A dry run applied nothing, so it also counts the pairs its plans of the referenced entities
    /// match: a reference to either record of such a pair reads as the pair a sync would link.
    func plan(
        _ mapping: Mapping, listings: PerSide<Listing>, options: RunOptions, planned: [String: Plan],
        removedParents: [LinkKey: Side?]
    ) throws(EngineError) -> Plan {
        let resolutions = try state { try store.resolutions(entity: mapping.entity) }
        var links = try referenceLinks(of: mapping)
        if options.mode == .plan {
            for entity in mapping.referencedEntities {
                for operation in planned[entity]?.operations ?? [] where operation.action == .link {
                    guard let key = operation.link else { continue }
                    links.ghl[entity, default: [:]][key.ghlId] = key
                    links.espo[entity, default: [:]][key.espoId] = key
                }
            }
        }
        return try state {
            try store.plan(
                mapping: mapping,
                options: PlanOptions(
                    allowMassDelete: options.allowMassDelete, maxDeletes: settings.maxDeletes,
                    maxDeleteFraction: settings.maxDeleteFraction, resolutions: resolutions,
                    removedParents: removedParents),
                listings: listings,
                resolve: mapping.referencedEntities.isEmpty ? nil : { record, _ in Self.resolve(&record.values, of: mapping, links: links) })
        }
    }

    /// Runs a state-store call, its error as an `EngineError`.
    func state<T>(_ body: () throws -> T) throws(EngineError) -> T {
        do { return try body() } catch let error as StateStoreError { throw .state(error) } catch {
            throw .state(StateStoreError(path: store.path, kind: .database(detail: "\(error)")))
        }
    }
}
