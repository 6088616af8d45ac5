import SyncCore

/// A conflict in the queue.
public struct StoredConflict: Sendable, Hashable {
    /// Where a queued conflict stands.
    public enum Status: String, Sendable, Hashable, CaseIterable {
        /// Waiting for a person.
        case open
        /// A person chose a side; the next plan takes it.
        case resolved
        /// The choice was carried out.
        case applied
    }

    public var id: Int64
    public var entity: String
    /// The conflict as last detected; its resolution is `.queued` while open, `.took(side)` once resolved.
    public var conflict: Conflict
    /// The run that first found it.
    public var detectedRun: Int64
    public var status: Status

    public init(id: Int64, entity: String, conflict: Conflict, detectedRun: Int64, status: Status) {
        self.id = id
        self.entity = entity
        self.conflict = conflict
        self.detectedRun = detectedRun
        self.status = status
    }
}
