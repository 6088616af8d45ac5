extension Espo {
    /// The EspoCRM entity types the sync reads and writes, by their API names.
    public enum EntityType: String, Sendable, Hashable, CaseIterable {
        case contact = "Contact"
        case account = "Account"
        case task = "Task"
        case note = "Note"
        case meeting = "Meeting"
        case call = "Call"

        /// Whether EspoCRM 9.1+ keeps a `versionNumber` and honours `X-Version-Number` (FACTS §8).
        public var hasOptimisticConcurrency: Bool { self == .account || self == .task }

        /// Whether a create runs the duplicate check and may answer 409 `duplicate` (FACTS §8).
        public var hasDuplicateCheck: Bool { self == .contact || self == .account }

        /// Whether records of this type have a stream that notes can be posted on (FACTS §11).
        public var hasStream: Bool { self != .call && self != .note }
    }
}
