import Foundation

/// Settings of one planning run.
public struct PlanOptions: Sendable, Hashable {
    /// Let the plan delete even when the mass-delete guard would refuse.
    public var allowMassDelete: Bool
    /// The guard trips when more than this many linked records went missing on one side…
    public var maxDeletes: Int
    /// …and more than this fraction of all links.
    public var maxDeleteFraction: Double
    /// Decisions a person made on queued conflicts: take this side's value.
    public var resolutions: [ConflictKey: Side]
    /// Parent pairs (of `mapping.parent`'s entity) whose delete this run applies, with the side the
    /// record was deleted on (nil: both): their children go too, outside the guard.
    public var removedParents: [LinkKey: Side?]
    /// The time `defaultOnCreate` counts from.
    public var now: Date

    public init(
        allowMassDelete: Bool = false, maxDeletes: Int = 10, maxDeleteFraction: Double = 0.10,
        resolutions: [ConflictKey: Side] = [:], removedParents: [LinkKey: Side?] = [:], now: Date = Date()
    ) {
        self.removedParents = removedParents
        self.now = now
        self.allowMassDelete = allowMassDelete
        self.maxDeletes = maxDeletes
        self.maxDeleteFraction = maxDeleteFraction
        self.resolutions = resolutions
    }
}
