import SyncCore

/// One planned operation in the journal, and how far it got.
public struct JournalEntry: Sendable, Hashable {
    /// Where an operation stands.
    public enum Status: String, Sendable, Hashable, CaseIterable {
        /// Journaled, not started.
        case pending
        /// Its API call started and has not been reported back.
        case inFlight = "in-flight"
        /// Done, and its effect on links and base committed.
        case applied
        /// The call failed and certainly changed nothing.
        case failed
        /// The call failed in a way that may or may not have changed the record (timeout, lost connection).
        case unknown
        /// An unfinished entry of an earlier run that a later run reconciled and planned afresh.
        case superseded
    }

    public var id: Int64
    public var run: Int64
    public var entity: String
    public var operation: Plan.Operation
    public var status: Status
    /// How many times its API call was started.
    public var attempts: Int
    public var lastError: String?
    /// For a create: the id the target system gave the new record.
    public var createdId: String?

    public init(
        id: Int64, run: Int64, entity: String, operation: Plan.Operation, status: Status, attempts: Int,
        lastError: String?, createdId: String?
    ) {
        self.id = id
        self.run = run
        self.entity = entity
        self.operation = operation
        self.status = status
        self.attempts = attempts
        self.lastError = lastError
        self.createdId = createdId
    }
}
