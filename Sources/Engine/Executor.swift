import Foundation
import StateStore
import Synchronization
import SyncCore
import Transport

/// Applies one entity's plan: state-only operations in one commit, then the API calls, concurrently
/// within each side's pacer, each journaled before its call and committed with its new base after it.
struct Executor: Sendable {
    let store: StateStore
    let mapping: Mapping
    let connectors: PerSide<any Connector>
    let run: Int64
    let concurrency: Int
    let stop: StopSignal
    let progress: @Sendable (ProgressEvent) -> Void

    /// What became of one operation.
    private enum Outcome: Sendable {
        /// With the id of the record a create made.
        case applied(String?)
        case failed(Plan.Operation, String)
        case notStarted
    }

    func apply(_ plan: Plan) async throws(EngineError) -> RunSummary.Entity {
        let adapters = PerSide(ghl: try connectors.ghl.adapter(for: mapping), espo: try connectors.espo.adapter(for: mapping))
        // Fields written many records a call (GHL's contact company) leave their operations: an update
        // sends them in batches after the other calls, a create once the record exists.
        var operations: [Plan.Operation] = []
        var batched: [Plan.Operation] = []
        var afterCreate: [Int: Plan.Operation] = [:]
        /// The plan's operation each part stands for: what is reported applied or failed.
        var original: [Plan.Operation: Plan.Operation] = [:]
        for operation in plan.operations {
            guard let target = operation.target, [.create, .update].contains(operation.action),
                  case let keys = adapters[target].batchedKeys, !keys.isEmpty else {
                operations.append(operation)
                continue
            }
            let (rest, split) = Self.split(operation, keys: keys, mapping: mapping, target: target)
            if let rest { original[rest] = operation }
            if let split { original[split] = operation }
            if operation.action == .create {
                if let split { afterCreate[operations.count] = split }
                operations.append(rest ?? operation)
            } else {
                if let rest { operations.append(rest) }
                if let split { batched.append(split) }
            }
        }
        let entries = try state { try store.journal(run: run, entity: mapping.entity, operations: operations) }
        let journaled = Array(zip(operations, entries))
        let local = journaled.filter { !$0.0.action.callsAPI }
        try state { try store.complete(local.map(\.1)) }

        // Each side in its own lane, bounded by its own pacer: GHL's rate limit does not hold EspoCRM back.
        let indexed = Array(journaled.enumerated()).filter { $0.element.0.action.callsAPI }
        let done = Counter()
        async let ghlLane = lane(indexed.filter { $0.element.0.target == .ghl }, adapters: adapters, done: done, total: indexed.count)
        async let espoLane = lane(indexed.filter { $0.element.0.target == .espo }, adapters: adapters, done: done, total: indexed.count)
        let lanes = await [ghlLane, espoLane]
        var outcomes: [LaneOutcome] = []
        for result in lanes {
            let outcome = try result.get()
            outcomes.append(outcome)
            for (index, createdId) in outcome.created {
                guard var follow = afterCreate[index], let target = follow.target, let source = original[follow] else { continue }
                if target == .ghl { follow.ghlId = createdId } else { follow.espoId = createdId }
                original[follow] = source
                batched.append(follow)
            }
        }
        if !batched.isEmpty, !stop.isSet { outcomes.append(try await sendBatches(batched, adapters: adapters)) }
        // A plan operation sent in parts counts once: applied when every part sent was, else failed.
        var failures: [RunSummary.FailedOperation] = []
        var failed: Set<Plan.Operation> = []
        var applied: Set<Plan.Operation> = []
        for outcome in outcomes {
            for failure in outcome.failures {
                let operation = original[failure.operation] ?? failure.operation
                if failed.insert(operation).inserted { failures.append(.init(operation: operation, message: failure.message)) }
            }
            for operation in outcome.appliedOperations { applied.insert(original[operation] ?? operation) }
        }
        let appliedCount = local.count + applied.subtracting(failed).count
        let settled = plan.conflicts.compactMap { conflict -> ConflictKey? in
            if case .took = conflict.resolution { return conflict.key } else { return nil }
        }
        try state { try store.markResolutionsApplied(settled, entity: mapping.entity) }
        let queued = plan.conflicts.filter { $0.resolution == .queued }
        if !queued.isEmpty { try state { try store.queueConflicts(queued, entity: mapping.entity, run: run) } }
        return RunSummary.Entity(plan: plan, failures: failures, applied: appliedCount)
    }

    /// What one lane did.
    private struct LaneOutcome: Sendable {
        var applied = 0
        var appliedOperations: [Plan.Operation] = []
        var failures: [RunSummary.FailedOperation] = []
        /// Created record ids, by the operation's index in the journaled list.
        var created: [Int: String] = [:]
    }

    /// The operations of one side, `concurrency` in flight at once.
    private func lane(
        _ calls: [(offset: Int, element: (Plan.Operation, Int64))], adapters: PerSide<any ObjectAdapter>,
        done: Counter, total: Int
    ) async -> Result<LaneOutcome, EngineError> {
        var outcome = LaneOutcome()
        var fatal: EngineError?
        await withTaskGroup(of: (Int, Plan.Operation, Result<Outcome, EngineError>).self) { group in
            var pending = calls.makeIterator()
            var running = 0
            func startNext() -> Bool {
                guard !stop.isSet, fatal == nil, let next = pending.next() else { return false }
                let (operation, entry) = next.element
                let index = next.offset
                group.addTask { (index, operation, await self.perform(operation, entry: entry, adapters: adapters)) }
                running += 1
                return true
            }
            while running < concurrency, startNext() {}
            while let (index, operation, result) = await group.next() {
                running -= 1
                switch result {
                case .success(.applied(let createdId)):
                    outcome.applied += 1
                    outcome.appliedOperations.append(operation)
                    if let createdId { outcome.created[index] = createdId }
                case .success(.failed(let operation, let message)): outcome.failures.append(.init(operation: operation, message: message))
                case .success(.notStarted): break
                case .failure(let error): fatal = fatal ?? error
                }
                progress(.applied(entity: mapping.entity, done: done.increment(), total: total))
                _ = startNext()
            }
        }
        if let fatal { return .failure(fatal) }
        return .success(outcome)
    }

    /// `operation` in two: what is sent record by record, and the fields of `keys` sent in batches
    /// (nil where there is none of either).
    static func split(
        _ operation: Plan.Operation, keys: Set<String>, mapping: Mapping, target: Side
    ) -> (rest: Plan.Operation?, batched: Plan.Operation?) {
        let names = Set(mapping.fields.filter { field in
            field.sources[target].paths.contains { path in
                if case .keys(let segments) = path { return keys.contains(segments[0].name) }
                return false
            }
        }.map(\.name))
        let moving = operation.fields.filter { names.contains($0.field) }
        guard !moving.isEmpty else { return (operation, nil) }
        var batched = operation
        batched.action = .update
        batched.fields = moving
        batched.base = operation.base.filter { names.contains($0.key) }
        batched.replacing = nil
        batched.reason = nil
        var rest = operation
        rest.fields.removeAll { names.contains($0.field) }
        rest.base = operation.base.filter { !names.contains($0.key) }
        if operation.action == .update && rest.fields.isEmpty { return (nil, batched) }
        // A create whose batched fields are not empty gets them once the record exists.
        if operation.action == .create && moving.allSatisfy({ $0.to.isEmpty }) { return (rest, nil) }
        return (rest, batched)
    }

    /// Batched updates: grouped by what they write, `batchSize` records a call, each entry committed
    /// after its call.
    private func sendBatches(
        _ operations: [Plan.Operation], adapters: PerSide<any ObjectAdapter>
    ) async throws(EngineError) -> LaneOutcome {
        let entries = try state { try store.journal(run: run, entity: mapping.entity, operations: operations) }
        var groups: [String: [(Plan.Operation, Int64)]] = [:]
        var order: [String] = []
        for (operation, entry) in zip(operations, entries) {
            guard let target = operation.target else { continue }
            let patch = mapping.patch(writing: operation.values, to: target)
            let key = target.rawValue + JSON.array(patch.assignments.map { .string("\($0.path)=\($0.value.serialized())") }).serialized()
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append((operation, entry))
        }
        var outcome = LaneOutcome()
        for key in order {
            let members = groups[key]!
            let target = members[0].0.target!
            let adapter = adapters[target]
            for start in stride(from: 0, to: members.count, by: max(1, adapter.batchSize)) {
                if stop.isSet { return outcome }
                let chunk = Array(members[start..<min(start + max(1, adapter.batchSize), members.count)])
                let ids = chunk.compactMap { $0.0.id(on: target) }
                for (_, entry) in chunk { try state { try store.markStarted(entry) } }
                var failure: APIError?
                do {
                    try await adapter.updateMany(mapping, ids: ids, patch: mapping.patch(writing: chunk[0].0.values, to: target))
                } catch {
                    failure = error
                }
                for (operation, entry) in chunk {
                    if let failure {
                        try state { try store.fail(entry, error: failure.description, outcomeUnknown: failure.kind == .outcomeUnknown) }
                        outcome.failures.append(.init(operation: operation, message: failure.description))
                    } else {
                        try state { try store.complete(entry, createdId: nil) }
                        outcome.applied += 1
                        outcome.appliedOperations.append(operation)
                    }
                }
            }
        }
        return outcome
    }

    /// One API operation: journal start, the call, then commit or record the failure.
    private func perform(
        _ operation: Plan.Operation, entry: Int64, adapters: PerSide<any ObjectAdapter>
    ) async -> Result<Outcome, EngineError> {
        guard let target = operation.target else {
            return .success(.failed(operation, "the operation names no target side"))
        }
        let connector = adapters[target]
        var createdId: String?
        do {
            try store.markStarted(entry)
        } catch {
            return .failure(.state(error))
        }
        do {
            switch operation.action {
            case .create:
                let (id, base) = try await create(operation, on: target, connector: connector)
                let kept = await writeBack(operation, to: target.other, adapter: adapters[target.other])
                try store.complete(entry, createdId: id, base: base ?? kept, createdNew: base == nil, wroteBack: kept == nil)
                createdId = id
            case .update:
                guard let id = operation.id(on: target) else { return .success(.failed(operation, "an update needs the target's id")) }
                let previous = Dictionary(operation.fields.map { ($0.field, $0.from ?? .empty) }, uniquingKeysWith: { $1 })
                try await connector.update(
                    mapping, id: id, patch: mapping.patch(writing: operation.values.merging(operation.carried) { changed, _ in changed }, to: target),
                    previous: mapping.patch(writing: previous, to: target))
                try store.complete(entry, createdId: nil)
            case .delete:
                guard let id = operation.id(on: target) else { return .success(.failed(operation, "a delete needs the target's id")) }
                // The API deleted it with its parent already (GHL, a contact's tasks): nothing to send.
                if !(operation.cascade && connector.deletedWithParent) {
                    try await connector.delete(mapping, id: id)
                }
                try store.complete(entry, createdId: nil)
            default:
                try store.complete(entry, createdId: nil)
            }
            return .success(.applied(createdId))
        } catch let error as APIError {
            // A create that failed in any way but "never sent" may still have made the record (GHL has
            // answered 422 after creating): the next run looks it up before creating again.
            let mayHaveApplied = error.kind == .outcomeUnknown
                || (operation.action == .create && [.rejected, .conflict, .serverFailed, .invalidResponse].contains(error.kind))
            do {
                try store.fail(entry, error: error.description, outcomeUnknown: mayHaveApplied)
            } catch {
                return .failure(.state(error))
            }
            if error.kind == .dailyQuotaExhausted || error.kind == .unauthorized || error.kind == .forbidden {
                // Every further call would fail the same way.
                stop.stop(because: error.description)
                progress(.note("stopping: \(error.description)"))
            }
            return .success(.failed(operation, error.description))
        } catch let error as StateStoreError {
            return .failure(.state(error))
        } catch {
            return .failure(.api(APIError(.invalidResponse, service: target.displayName, endpoint: operation.action.rawValue, message: "\(error)")))
        }
    }

    /// Writes the defaults a create filled in (`defaultOnCreate`) back to the record it came from.
    /// Returns the base to keep when that fails (the create stands; the next run carries the value
    /// over from the created record), nil when it succeeded or there was nothing to write.
    private func writeBack(
        _ operation: Plan.Operation, to source: Side, adapter: any ObjectAdapter
    ) async -> FieldValues? {
        let filled = operation.fields.filter(\.writtenBack)
        guard !filled.isEmpty, let id = operation.id(on: source) else { return nil }
        let values = Dictionary(filled.map { ($0.field, $0.to) }, uniquingKeysWith: { $1 })
        let patch = mapping.patch(writing: values, to: source)
        let previous = mapping.patch(writing: values.mapValues { _ in FieldValue.empty }, to: source)
        do throws(APIError) {
            try await adapter.update(mapping, id: id, patch: patch, previous: previous)
            return nil
        } catch {
            progress(.note("\(source.displayName) \(mapping.entity) \(id): the default written to \(source.other.displayName) could not be written back (\(error.description)); the next run does"))
            return operation.base.filter { key, _ in !values.keys.contains(key) }
        }
    }

    /// Creates the record; when the API holds one it considers the same, links to it if it shares an
    /// identity value, and otherwise creates anyway (a same-name match is not the same person here).
    /// Returns the record's id and, for a link to an existing record, the base to keep.
    private func create(
        _ operation: Plan.Operation, on target: Side, connector: any ObjectAdapter
    ) async throws(APIError) -> (String, FieldValues?) {
        let patch = mapping.patch(writing: operation.values, to: target, creating: true)
        var creation = try await connector.create(mapping, patch: patch, allowDuplicate: false)
        if case .duplicates(let matches) = creation {
            let wanted = Set(mapping.identityValues(of: operation.values).filter { !$0.isEmpty })
            for match in matches {
                guard let record = mapping.record(from: match, side: target) else { continue }
                if !wanted.isDisjoint(with: mapping.identityValues(of: record.values).filter({ !$0.isEmpty })) {
                    let agreed = operation.values.filter { record.values[$0.key] == $0.value }
                    progress(.note("\(target.displayName) already holds \(record.id) with the same identity; linked to it"))
                    return (record.id, agreed)
                }
            }
            creation = try await connector.create(mapping, patch: patch, allowDuplicate: true)
        }
        guard case .created(let object) = creation, let id = mapping.record(from: object, side: target)?.id ?? object["id"]?.stringValue else {
            throw APIError(.invalidResponse, service: target.displayName, endpoint: "create", message: "the created record has no id")
        }
        return (id, nil)
    }

    private func state<T>(_ body: () throws -> T) throws(EngineError) -> T {
        do { return try body() } catch let error as StateStoreError { throw .state(error) } catch {
            throw .state(StateStoreError(path: store.path, kind: .database(detail: "\(error)")))
        }
    }
}

/// Operations finished over both lanes, for progress.
final class Counter: Sendable {
    private let value = Mutex(0)

    /// Counts one more; returns the new count.
    func increment() -> Int { value.withLock { $0 += 1; return $0 } }
}
