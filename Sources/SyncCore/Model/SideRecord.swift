import Foundation

/// One record of one side, in canonical form.
public struct SideRecord: Sendable, Hashable {
    /// The record's id in its own system.
    public var id: String
    /// When the system last changed it (GHL `dateUpdated`, EspoCRM `modifiedAt`), nil when unknown.
    public var updatedAt: Date?
    /// Whether the record passes the mapping's filter for its side.
    public var inScope: Bool
    /// Canonical values; a field the API did not return has no entry.
    public var values: FieldValues

    public init(id: String, updatedAt: Date? = nil, inScope: Bool = true, values: FieldValues) {
        self.id = id
        self.updatedAt = updatedAt
        self.inScope = inScope
        self.values = values
    }
}

/// What one fetch of a side saw.
public struct Listing: Sendable, Hashable {
    /// True when every record of the side was listed, so a record missing from it is gone.
    public var isFull: Bool
    /// How many records the listing returned, in scope or not.
    public var count: Int

    public init(isFull: Bool, count: Int) {
        self.isFull = isFull
        self.count = count
    }

    /// A listing of changes only: absence means nothing.
    public static func incremental(count: Int) -> Listing { Listing(isFull: false, count: count) }
    /// A listing of every record: absence means deleted.
    public static func full(count: Int) -> Listing { Listing(isFull: true, count: count) }
}
