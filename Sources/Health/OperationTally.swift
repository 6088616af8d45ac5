import Engine
import SyncCore

/// What became of a sync run's operations, counted by entity, action and outcome: the series of
/// `espo_ghl_sync_operations_total`. Pure: read off a `RunSummary`.
///
/// | outcome    | action                                                     | counts                              |
/// |------------|------------------------------------------------------------|-------------------------------------|
/// | `applied`  | `link` `unlink` `forget` `rebase` `create` `update` `delete` | operations applied                  |
/// | `applied`  | `unknown`                                                  | writes applied in an interrupted run, whose kind the summary does not tell |
/// | `failed`   | the operation's action                                     | operations that failed (retried next run) |
/// | `skipped`  | `create`                                                   | records not created on the other side (missing required field, likely duplicate, parent not linked, …) |
/// | `skipped`  | `update`                                                   | clears not written because the other side requires the field |
/// | `skipped`  | `write`                                                    | edits or deletes the other side refuses (a note's author only) |
/// | `conflict` | `settled`                                                  | conflicting fields a policy settled |
/// | `conflict` | `queued`                                                   | conflicting fields left for a person |
///
/// A `plan` run applies nothing and counts nothing here.
public struct OperationTally: Sendable, Equatable {
    /// One series' labels.
    public struct Key: Sendable, Hashable, Comparable {
        public var entity: String
        public var action: String
        public var outcome: String

        public init(entity: String, action: String, outcome: String) {
            self.entity = entity
            self.action = action
            self.outcome = outcome
        }

        public static func < (a: Key, b: Key) -> Bool {
            (a.entity, a.action, a.outcome) < (b.entity, b.action, b.outcome)
        }
    }

    /// How many operations each series counts; no zero entries.
    public var counts: [Key: Int] = [:]

    /// The tally of `summary`.
    public init(_ summary: RunSummary) {
        guard summary.mode == .sync else { return }
        for entity in summary.entities { add(entity) }
    }

    private mutating func add(_ entity: RunSummary.Entity) {
        let name = entity.plan.entity
        func count(_ action: String, _ outcome: String, _ n: Int = 1) {
            guard n > 0 else { return }
            counts[Key(entity: name, action: action, outcome: outcome), default: 0] += n
        }
        let failed = Set(entity.failures.map(\.operation))
        for failure in entity.failures { count(failure.operation.action.rawValue, "failed") }
        let rest = entity.plan.operations.filter { !failed.contains($0) }
        if rest.count == entity.applied {
            for operation in rest { count(operation.action.rawValue, "applied") }
        } else {
            // Interrupted: bookkeeping is applied before any write; the writes applied are only counted.
            let local = rest.filter { !$0.action.callsAPI }
            for operation in local { count(operation.action.rawValue, "applied") }
            count("unknown", "applied", entity.applied - local.count)
        }
        for skip in entity.plan.skipped { count(Self.action(of: skip.reason), "skipped") }
        for conflict in entity.plan.conflicts {
            count(conflict.resolution == .queued ? "queued" : "settled", "conflict")
        }
    }

    /// What a skipped record did not get: created, a clear written, or a refused change.
    static func action(of reason: Skip.Reason) -> String {
        switch reason {
        case .requiredOnTarget: "update"
        case .refused: "write"
        case .missingRequired, .matchesLinked, .matchesOutOfScope, .outsideTargetFilter, .parentNotLinked, .unsupported:
            "create"
        }
    }
}
