import SyncCore

/// What a `plan` or `sync` run did or would do, for every output format.
public struct RunSummary: Sendable {
    public enum Mode: String, Sendable { case plan, sync }

    /// One entity's plan and, after `sync`, what became of its operations.
    public struct Entity: Sendable {
        public var plan: Plan
        /// Operations that failed, with the reason; they are retried next run.
        public var failures: [FailedOperation]
        /// Operations applied (0 for `plan`).
        public var applied: Int
        /// Listed rows that could not be read: their listing counted as incremental, no delete inferred.
        public var unreadable: [UnreadableRow]

        public init(plan: Plan, failures: [FailedOperation] = [], applied: Int = 0, unreadable: [UnreadableRow] = []) {
            self.plan = plan
            self.failures = failures
            self.applied = applied
            self.unreadable = unreadable
        }
    }

    /// An operation that did not succeed.
    public struct FailedOperation: Sendable {
        public var operation: Plan.Operation
        public var message: String

        public init(operation: Plan.Operation, message: String) {
            self.operation = operation
            self.message = message
        }
    }

    public var mode: Mode
    public var entities: [Entity]
    /// Requests sent to each API during the run.
    public var apiCalls: PerSide<Int>
    /// Whether the run stopped before every operation was issued: SIGINT or SIGTERM, or `stoppedBy`.
    public var interrupted: Bool
    /// The answer that stopped the run because every further call would fail the same way (a 401, a
    /// 403, GHL's daily quota); nil when it was not stopped, or a signal stopped it.
    public var stoppedBy: String?

    public init(mode: Mode, entities: [Entity], apiCalls: PerSide<Int>, interrupted: Bool = false, stoppedBy: String? = nil) {
        self.mode = mode
        self.entities = entities
        self.apiCalls = apiCalls
        self.interrupted = interrupted || stoppedBy != nil
        self.stoppedBy = stoppedBy
    }

    /// Whether any entity has work to do, or deletes held back by the mass-delete guard (for `plan`'s
    /// exit code).
    public var hasPendingChanges: Bool {
        entities.contains { !$0.plan.operations.isEmpty || $0.plan.massDeleteGuard != nil }
    }

    /// Failed operations over all entities.
    public var failureCount: Int { entities.reduce(0) { $0 + $1.failures.count } }

    /// Unreadable listed rows over all entities.
    public var unreadableCount: Int { entities.reduce(0) { $0 + $1.unreadable.count } }

    /// Whether a mass-delete guard tripped in any entity.
    public var guardTripped: Bool { entities.contains { $0.plan.massDeleteGuard != nil } }
}
