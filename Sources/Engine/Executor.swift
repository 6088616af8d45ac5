import Foundation
import StateStore
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
        case applied
        case failed(SyncCore.Operation, String)
        case notStarted
    }

    func apply(_ plan: Plan) async throws(EngineError) -> RunSummary.Entity {
        let entries = try state { try store.journal(run: run, entity: mapping.entity, operations: plan.operations) }
        let journaled = Array(zip(plan.operations, entries))
        let local = journaled.filter { !$0.0.action.callsAPI }
        let calls = journaled.filter { $0.0.action.callsAPI }
        try state { try store.complete(local.map(\.1)) }

        var applied = local.count
        var failures: [RunSummary.Failure] = []
        var done = 0
        var fatal: EngineError?
        await withTaskGroup(of: Result<Outcome, EngineError>.self) { group in
            var pending = calls.makeIterator()
            var running = 0
            func startNext() -> Bool {
                guard !stop.isSet, fatal == nil, let (operation, entry) = pending.next() else { return false }
                group.addTask { await self.perform(operation, entry: entry) }
                running += 1
                return true
            }
            while running < concurrency, startNext() {}
            while let result = await group.next() {
                running -= 1
                done += 1
                switch result {
                case .success(.applied): applied += 1
                case .success(.failed(let operation, let message)): failures.append(.init(operation: operation, message: message))
                case .success(.notStarted): break
                case .failure(let error): fatal = fatal ?? error
                }
                progress(.applied(entity: mapping.entity, done: done, total: calls.count))
                _ = startNext()
            }
        }
        if let fatal { throw fatal }
        let settled = plan.conflicts.compactMap { conflict -> ConflictKey? in
            if case .took = conflict.resolution { return conflict.key } else { return nil }
        }
        try state { try store.markResolutionsApplied(settled, entity: mapping.entity) }
        let queued = plan.conflicts.filter { $0.resolution == .queued }
        if !queued.isEmpty { try state { try store.queueConflicts(queued, entity: mapping.entity, run: run) } }
        return RunSummary.Entity(plan: plan, failures: failures, applied: applied)
    }

    /// One API operation: journal start, the call, then commit or record the failure.
    private func perform(_ operation: SyncCore.Operation, entry: Int64) async -> Result<Outcome, EngineError> {
        guard let target = operation.target else {
            return .success(.failed(operation, "the operation names no target side"))
        }
        let connector = connectors[target]
        do {
            try store.markStarted(entry)
        } catch {
            return .failure(.state(error))
        }
        do {
            switch operation.action {
            case .create:
                let (createdId, base) = try await create(operation, on: target, connector: connector)
                try store.complete(entry, createdId: createdId, base: base)
            case .update:
                guard let id = operation.id(on: target) else { return .success(.failed(operation, "an update needs the target's id")) }
                try await connector.update(mapping, id: id, patch: mapping.patch(writing: operation.values, to: target))
                try store.complete(entry, createdId: nil)
            case .delete:
                guard let id = operation.id(on: target) else { return .success(.failed(operation, "a delete needs the target's id")) }
                try await connector.delete(mapping, id: id)
                try store.complete(entry, createdId: nil)
            default:
                try store.complete(entry, createdId: nil)
            }
            return .success(.applied)
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
                stop.stop()
                progress(.note("stopping: \(error.description)"))
            }
            return .success(.failed(operation, error.description))
        } catch let error as StateStoreError {
            return .failure(.state(error))
        } catch {
            return .failure(.api(APIError(.invalidResponse, service: target.displayName, endpoint: operation.action.rawValue, message: "\(error)")))
        }
    }

    /// Creates the record; when the API holds one it considers the same, links to it if it shares an
    /// identity value, and otherwise creates anyway (a same-name match is not the same person here).
    /// Returns the record's id and, for a link to an existing record, the base to keep.
    private func create(
        _ operation: SyncCore.Operation, on target: Side, connector: any Connector
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
