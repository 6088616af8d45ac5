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
    /// What its system refuses us to do to it, with the reason (only a note's author may edit it).
    public var refusal: Refusal

    public init(id: String, updatedAt: Date? = nil, inScope: Bool = true, values: FieldValues, refusal: Refusal = Refusal()) {
        self.refusal = refusal
        self.id = id
        self.updatedAt = updatedAt
        self.inScope = inScope
        self.values = values
    }
}

/// Changes a system refuses to take for one record, each with the reason a person reads.
public struct Refusal: Sendable, Hashable {
    /// Why an update would be refused; nil when it would be taken.
    public var edit: String?
    /// Why a delete would be refused; nil when it would be taken.
    public var delete: String?

    public init(edit: String? = nil, delete: String? = nil) {
        self.edit = edit
        self.delete = delete
    }

    public var isEmpty: Bool { edit == nil && delete == nil }
}

/// What one fetch of a side saw.
public struct Listing: Sendable, Hashable {
    /// True when every record of the side was listed, so a record missing from it is gone.
    public var isFull: Bool
    /// How many records the listing returned, in scope or not.
    public var count: Int
    /// Whether a full listing held every record of the side, not only those of some parents (the
    /// notes of the contacts read this run): only then does an empty one look like a broken listing.
    public var coversEverything: Bool

    public init(isFull: Bool, count: Int, coversEverything: Bool = true) {
        self.isFull = isFull
        self.count = count
        self.coversEverything = coversEverything
    }

    /// A listing of changes only: absence means nothing.
    public static func incremental(count: Int) -> Listing { Listing(isFull: false, count: count) }
    /// A listing of every record: absence means deleted.
    public static func full(count: Int) -> Listing { Listing(isFull: true, count: count) }
    /// A listing of every record of some parents: absence among theirs means deleted.
    public static func fullForParents(count: Int) -> Listing { Listing(isFull: true, count: count, coversEverything: false) }
}
