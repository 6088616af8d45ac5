import Engine
import Foundation
import Logging
import StateStore
import Synchronization
import SyncCore

/// `serve`'s worker: drains the inbox and polls both sides, each pass one engine run over the records
/// it names, under the state file's run lock (a nightly `sync` holding it makes the worker wait; the
/// receiver keeps accepting meanwhile).
public final class Worker: Sendable {
    /// What the worker needs from the rest of `serve`.
    public struct Setup: Sendable {
        public var statePath: String
        public var store: StateStore
        public var mappings: [Mapping]
        public var connectors: PerSide<any Connector>
        public var settings: Engine.Settings
        /// Seconds between two polls of a side.
        public var pollSeconds: Double
        /// After a run: what it did (metrics).
        public var recorded: @Sendable (RunSummary) -> Void
        /// After a run that failed: why (metrics).
        public var failed: @Sendable (EngineError) -> Void

        public init(
            statePath: String, store: StateStore, mappings: [Mapping], connectors: PerSide<any Connector>,
            settings: Engine.Settings, pollSeconds: Double,
            recorded: @escaping @Sendable (RunSummary) -> Void = { _ in },
            failed: @escaping @Sendable (EngineError) -> Void = { _ in }
        ) {
            self.statePath = statePath
            self.store = store
            self.mappings = mappings
            self.connectors = connectors
            self.settings = settings
            self.pollSeconds = pollSeconds
            self.recorded = recorded
            self.failed = failed
        }
    }

    /// An inbox entry is tried this many times before it is left to the nightly `sync`.
    public static let maxAttempts = 5
    /// Events naming a record only a whole listing finds (GHL TaskCreate without its contact) wait
    /// for one such listing at most this often: it costs a call per page of every task.
    public static let listingInterval: TimeInterval = 300
    /// The most inbox entries one pass takes.
    public static let passSize = 500

    let setup: Setup
    public let status = ServeStatus()
    private let stop: StopSignal
    private let wakeStream: AsyncStream<Void>
    private let wakeContinuation: AsyncStream<Void>.Continuation
    private let logger: Logger
    private let listedAt = Mutex<[String: Date]>([:])
    /// The mappings resolved against the APIs (GHL custom field ids), and when: resolved again after
    /// `preparedFor`, so that a pass costs no custom-field listing.
    private let ready = Mutex<(mappings: [String: Mapping], at: Date)?>(nil)
    static let preparedFor: TimeInterval = 600

    public init(_ setup: Setup, stop: StopSignal, logger: Logger) {
        self.setup = setup
        self.stop = stop
        self.logger = logger
        (wakeStream, wakeContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Tells the worker the inbox holds something new.
    public func wake() { wakeContinuation.yield() }

    /// Stops taking new passes; the one under way finishes its operations in flight.
    public func shutDown() {
        stop.stop()
        wakeContinuation.yield()
    }

    /// Drains and polls until `stop` is set or the task is cancelled; the pass under way finishes.
    public func run() async {
        var nextPoll = Date.distantPast
        var backoff: TimeInterval = 0
        var prunedAt = Date.distantPast
        var iterator = wakeStream.makeAsyncIterator()
        while !stop.isSet && !Task.isCancelled {
            let untilPoll = nextPoll.timeIntervalSince(Date())
            let wait = max(backoff, min(1, max(0, untilPoll)))
            if wait > 0 { await next(&iterator, within: wait) }
            if stop.isSet || Task.isCancelled { break }
            // Let a burst gather into one pass.
            try? await Task.sleep(for: .milliseconds(100))
            do {
                while try await drain() == Self.passSize {}
                if nextPoll <= Date() {
                    try await poll()
                    nextPoll = Date().addingTimeInterval(setup.pollSeconds)
                }
                backoff = 0
                // Applied entries are kept a day (a GHL webhookId replayed within it is ignored); the
                // passes' own run rows a week, once the journal prune has let go of them.
                if Date().timeIntervalSince(prunedAt) > 3600 {
                    _ = try? setup.store.pruneInbox(appliedBefore: Date().addingTimeInterval(-86_400))
                    _ = try? setup.store.pruneRuns(mode: "serve", finishedBefore: Date().addingTimeInterval(-7 * 86_400))
                    prunedAt = Date()
                }
            } catch let error as Busy {
                _ = error
                status.update { $0.waitingForRun = true }
                backoff = 1
            } catch {
                backoff = min(max(backoff * 2, 1), 60)
            }
        }
    }

    private func next(_ iterator: inout AsyncStream<Void>.Iterator, within seconds: TimeInterval) async {
        // Wakes on an event or after `seconds`, whichever comes first.
        let timer = Task { [wakeContinuation] in
            try? await Task.sleep(for: .seconds(seconds))
            wakeContinuation.yield()
        }
        _ = await iterator.next()
        timer.cancel()
    }

    private struct Busy: Error {}

    /// The prepared mappings, resolved again once they are older than `preparedFor`.
    private func prepared(_ engine: Engine) async throws(EngineError) -> [String: Mapping] {
        if let ready = ready.withLock({ $0 }), Date().timeIntervalSince(ready.at) < Self.preparedFor { return ready.mappings }
        let mappings = try await engine.prepared()
        ready.withLock { $0 = (mappings, Date()) }
        return mappings
    }

    /// The engine for one pass, holding the run lock; `Busy` while a batch run holds it.
    private func engine() throws -> Engine {
        let lock: RunLock
        do { lock = try RunLock(statePath: setup.statePath, as: .serve, waitingFor: []) } catch {
            if case .busy = error { throw Busy() }
            throw error
        }
        status.update { $0.waitingForRun = false }
        return Engine(
            lock: lock, store: setup.store, mappings: setup.mappings, connectors: setup.connectors,
            settings: setup.settings, stop: stop)
    }

    /// One pass over the inbox's oldest entries: each names a record to read again and plan. Returns
    /// how many entries it took.
    @discardableResult
    func drain() async throws -> Int {
        let entries = try setup.store.pendingInbox(limit: Self.passSize)
        guard !entries.isEmpty else { return 0 }
        let engine = try engine()
        var focus = Focus()
        var byRecord: [String: [Int64]] = [:]
        var waiting: [Int64] = []
        var ignored: [Int64] = []
        let now = Date()
        for entry in entries {
            switch engine.target(object: entry.event.object, on: entry.event.side, apiId: entry.event.recordId, parentId: entry.event.parentId) {
            case .record(let entity, let id):
                focus.add(id, of: entity, on: entry.event.side)
                byRecord[Self.key(entity, entry.event.side, id), default: []].append(entry.id)
            case .listing(let entity):
                let last = listedAt.withLock { $0[entity] } ?? .distantPast
                if now.timeIntervalSince(last) >= Self.listingInterval || focus.listed[entity]?.contains(entry.event.side) == true {
                    focus.listed[entity, default: []].insert(entry.event.side)
                    listedAt.withLock { $0[entity] = now }
                    byRecord[Self.key(entity, entry.event.side, "*"), default: []].append(entry.id)
                } else {
                    waiting.append(entry.id)
                }
            case .unmapped:
                ignored.append(entry.id)
            }
        }
        if !ignored.isEmpty { try setup.store.markInboxApplied(ids: ignored, at: now) }
        guard !focus.isEmpty else { return waiting.count == entries.count ? 0 : entries.count }
        try setup.store.releaseInboxKeys(ids: byRecord.values.flatMap { $0 })
        let summary: RunSummary
        do {
            summary = try await engine.run(focus: focus, prepared: try await prepared(engine))
        } catch {
            setup.failed(error)
            try setup.store.markInboxFailed(ids: byRecord.values.flatMap { $0 }, error: error.description)
            logger.error("serve: a pass over \(entries.count) events failed: \(error.description)")
            throw error
        }
        setup.recorded(summary)
        if let reason = summary.stoppedBy { logger.error("serve: a pass stopped early, its other events wait for the next one: \(reason)") }
        // An entry whose record could not be read, or whose write failed, is tried again next pass
        // (up to `maxAttempts`; the nightly `sync` has it after that).
        var retry = Set<String>()
        for entity in summary.entities {
            for row in entity.unreadable {
                guard let id = row.id else { continue }
                for side in Side.allCases { retry.insert(Self.key(entity.plan.entity, side, id)) }
            }
            for failure in entity.failures {
                if let id = failure.operation.ghlId { retry.insert(Self.key(entity.plan.entity, .ghl, id)) }
                if let id = failure.operation.espoId { retry.insert(Self.key(entity.plan.entity, .espo, id)) }
            }
            if let tripped = entity.plan.massDeleteGuard {
                logger.warning("serve: \(entity.plan.entity): \(tripped.message)")
            }
        }
        let attempts = Dictionary(uniqueKeysWithValues: entries.map { ($0.id, $0.attempts) })
        var applied: [Int64] = []
        var failed: [Int64] = []
        for (key, ids) in byRecord {
            for id in ids {
                if retry.contains(key) && (attempts[id] ?? 0) + 1 < Self.maxAttempts { failed.append(id) } else { applied.append(id) }
            }
        }
        try setup.store.markInboxApplied(ids: applied, at: Date())
        if !failed.isEmpty { try setup.store.markInboxFailed(ids: failed, error: "the record could not be read or written") }
        status.update { $0.lastPass = Date() }
        logger.info("serve: applied \(entries.count - waiting.count) events: \(summary.entities.reduce(0) { $0 + $1.applied }) writes")
        return waiting.isEmpty ? entries.count : 0
    }

    /// Lists the pollable entities of both sides from their high-water marks, in one pass as `sync`
    /// lists them, and applies what changed.
    func poll() async throws {
        let engine = try engine()
        var focus = Focus()
        for side in Side.allCases {
            for entity in engine.pollable(on: side) { focus.polled[entity, default: []].insert(side) }
        }
        guard !focus.isEmpty else { return }
        do {
            let summary = try await engine.run(focus: focus, prepared: try await prepared(engine))
            setup.recorded(summary)
            if let reason = summary.stoppedBy { logger.error("serve: the poll stopped early: \(reason)") }
            status.update { for side in Side.allCases { $0.polls[side] = .init(at: Date(), error: nil) } }
        } catch {
            setup.failed(error)
            status.update { for side in Side.allCases { $0.polls[side] = .init(at: Date(), error: error.description) } }
            logger.error("serve: the poll failed: \(error.description)")
            throw error
        }
    }

    private static func key(_ entity: String, _ side: Side, _ id: String) -> String { "\(entity)\u{1F}\(side.rawValue)\u{1F}\(id)" }
}

/// What `serve` has done lately, for `/readyz`.
public final class ServeStatus: Sendable {
    public struct Poll: Sendable, Equatable {
        public var at: Date
        /// Why it failed; nil when it succeeded.
        public var error: String?
    }

    public struct Snapshot: Sendable {
        public var polls: [Side: Poll] = [:]
        public var lastPass: Date?
        /// A batch run holds the state file's lock: the worker waits.
        public var waitingForRun = false
    }

    private let state = Mutex(Snapshot())

    public init() {}

    public var snapshot: Snapshot { state.withLock { $0 } }

    func update(_ change: (inout Snapshot) -> Void) { state.withLock { change(&$0) } }
}
