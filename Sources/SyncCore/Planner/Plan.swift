/// What one run intends to do for one entity, in a deterministic order, with everything the dry run shows.
public struct Plan: Sendable, Hashable {
    public var entity: String
    /// The operations to apply, in the order to apply them.
    public var operations: [Plan.Operation]
    /// Fields (or records) changed differently on both sides, and how each was settled.
    public var conflicts: [Conflict]
    /// Records that were not created on the other side, with the reason.
    public var skipped: [Skip]
    /// Identity values shared by more than one candidate: reported, neither merged nor created.
    public var ambiguities: [Ambiguity]
    /// Set when the mass-delete guard refused this plan's deletes.
    public var massDeleteGuard: MassDeleteGuard?
    /// The operations the guard held back: deletes, what else follows from a missing record, and
    /// creates in a side whose listing is in doubt.
    public var withheld: [Plan.Operation]
    /// Linked pairs with nothing to do.
    public var unchanged: Int
    /// How many links the plan started from.
    public var linkCount: Int
    /// Pairs whose records this plan removes for a delete: the side the record was deleted on (nil:
    /// both). Their children go with them.
    public var removed: [LinkKey: Side?] = [:]

    public init(
        entity: String, operations: [Plan.Operation] = [], conflicts: [Conflict] = [], skipped: [Skip] = [],
        ambiguities: [Ambiguity] = [], massDeleteGuard: MassDeleteGuard? = nil, withheld: [Plan.Operation] = [],
        unchanged: Int = 0, linkCount: Int = 0
    ) {
        self.entity = entity
        self.operations = operations
        self.conflicts = conflicts
        self.skipped = skipped
        self.ambiguities = ambiguities
        self.massDeleteGuard = massDeleteGuard
        self.withheld = withheld
        self.unchanged = unchanged
        self.linkCount = linkCount
    }

    /// Operations that call an API (create, update, delete), as opposed to bookkeeping.
    public var writes: [Plan.Operation] { operations.filter { $0.action.callsAPI } }

    /// Whether applying the plan would change anything in either system or in the state.
    public var isEmpty: Bool { operations.isEmpty }

    /// How many operations of `action` write to `side`.
    public func count(_ action: Plan.Operation.Action, on side: Side) -> Int {
        operations.count { $0.action == action && $0.target == side }
    }

    /// Records with at least one conflicting field.
    public var conflictingRecords: Int { Set(conflicts.map(\.link)).count }
}

extension Plan {
/// One step of a plan.
public struct Operation: Sendable, Hashable {
    public enum Action: String, Sendable, Hashable, CaseIterable {
        /// Start syncing two matched records (or resume a paused pair): the link's base takes `base`.
        case link
        /// Stop syncing a pair but keep the link as a marker: a record left its filter, or was deleted and
        /// the delete policy keeps the other. Nothing is deleted, and neither record is created again.
        case unlink
        /// Drop a link whose records are gone.
        case forget
        /// Both sides changed fields to the same values: only the base moves.
        case rebase
        /// Create a record on `target` from the record on the other side, then link the two.
        case create
        /// Change fields of the record on `target`.
        case update
        /// Delete the record on `target`, then drop the link.
        case delete

        /// Whether the operation calls either system's API.
        public var callsAPI: Bool { self == .create || self == .update || self == .delete }

        /// Application order: bookkeeping first, then creates and updates, deletes last.
        var rank: Int {
            switch self {
            case .link: 0
            case .unlink: 1
            case .forget: 2
            case .rebase: 3
            case .update: 4
            case .create: 5
            case .delete: 6
            }
        }
    }

    public var action: Action
    /// The side written to (create, update, delete), or whose record left or was deleted (unlink); nil otherwise.
    public var target: Side?
    public var ghlId: String?
    public var espoId: String?
    /// Per-field changes, in mapping order: for a create every field sent, for an update every field changed.
    public var fields: [FieldChange]
    /// Values to merge into the link's base once the operation succeeded.
    public var base: FieldValues
    /// For a rebase: `base` is the whole new base, replacing the old one (which held fields the
    /// mapping no longer has, and would keep the pair off the planner's fast path).
    public var replacesBase: Bool
    /// For a create that replaces a record deleted on `target`: the link to replace.
    public var replacing: LinkKey?
    /// For a delete: it follows from its parent's delete in this run (outside the mass-delete guard;
    /// an API that deletes children with their parent needs no call).
    public var cascade: Bool
    /// For an update: unchanged values sent along because the target's API wants them with every
    /// update (`updateSends`: a GHL task's title and due date), so it need not be read first.
    public var carried: FieldValues = [:]
    /// Why, in words, for bookkeeping operations.
    public var reason: String?

    public init(
        action: Action, target: Side? = nil, ghlId: String? = nil, espoId: String? = nil,
        fields: [FieldChange] = [], base: FieldValues = [:], replacesBase: Bool = false, replacing: LinkKey? = nil,
        reason: String? = nil, cascade: Bool = false
    ) {
        self.cascade = cascade
        self.action = action
        self.target = target
        self.ghlId = ghlId
        self.espoId = espoId
        self.fields = fields
        self.base = base
        self.replacesBase = replacesBase
        self.replacing = replacing
        self.reason = reason
    }

    /// The record's id on `side`.
    public func id(on side: Side) -> String? { side == .ghl ? ghlId : espoId }

    /// The values to send to `target`: every field's new value.
    public var values: FieldValues {
        Dictionary(fields.map { ($0.field, $0.to) }, uniquingKeysWith: { $1 })
    }

    /// The link this operation is about, when both ids are known.
    public var link: LinkKey? {
        guard let ghlId, let espoId else { return nil }
        return LinkKey(ghlId: ghlId, espoId: espoId)
    }

    /// Where the operation stands in application order: action, target (bookkeeping first), ids.
    var sortKey: (Int, Int, String, String) {
        (action.rank, target.map { $0 == .ghl ? 0 : 1 } ?? -1, ghlId ?? "", espoId ?? "")
    }

    /// `operations` in application order, each key computed once rather than per comparison.
    static func sorted(_ operations: [Plan.Operation]) -> [Plan.Operation] {
        operations.indices.map { (operations[$0].sortKey, $0) }.sorted { $0.0 < $1.0 }.map { operations[$0.1] }
    }

    static func order(_ a: Plan.Operation, _ b: Plan.Operation) -> Bool { a.sortKey < b.sortKey }
}

}

/// One field's change, as the dry run shows it.
public struct FieldChange: Sendable, Hashable {
    public var field: String
    /// The value on the target now; nil when the target does not have the field (or the record).
    public var from: FieldValue?
    public var to: FieldValue
    /// Set when the value won a conflict.
    public var settledConflict: Bool
    /// For a create: a default filled in because the record had no value (`defaultOnCreate`); it is
    /// written back to the record the create came from, so both sides agree.
    public var writtenBack: Bool

    public init(field: String, from: FieldValue?, to: FieldValue, settledConflict: Bool = false, writtenBack: Bool = false) {
        self.writtenBack = writtenBack
        self.field = field
        self.from = from
        self.to = to
        self.settledConflict = settledConflict
    }
}

/// A field changed differently on both sides since they last agreed, or a record deleted on one side
/// and edited on the other.
public struct Conflict: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case values
        /// The record is gone on `deletedOn` and was edited on the other side.
        case deleteVersusEdit(deletedOn: Side)
    }

    public enum Resolution: Sendable, Hashable {
        /// That side's value (or record) was taken.
        case took(Side)
        /// Left for a person (`manual` policy): nothing was written for it.
        case queued
    }

    public var link: LinkKey
    /// The canonical field, or "*" for a whole record.
    public var field: String
    public var kind: Kind
    public var base: FieldValue?
    public var ghl: FieldValue?
    public var espo: FieldValue?
    public var policy: ConflictPolicy
    public var resolution: Resolution

    public init(
        link: LinkKey, field: String, kind: Kind = .values, base: FieldValue?, ghl: FieldValue?, espo: FieldValue?,
        policy: ConflictPolicy, resolution: Resolution
    ) {
        self.link = link
        self.field = field
        self.kind = kind
        self.base = base
        self.ghl = ghl
        self.espo = espo
        self.policy = policy
        self.resolution = resolution
    }

    /// Identifies the conflict for resolutions: the link and the field.
    public var key: ConflictKey { ConflictKey(link: link, field: field) }
}

/// A conflict's identity: a link and a field ("*" for a whole record).
public struct ConflictKey: Sendable, Hashable {
    public var link: LinkKey
    public var field: String

    public init(link: LinkKey, field: String) {
        self.link = link
        self.field = field
    }
}

/// A record the plan does not create on the other side.
public struct Skip: Sendable, Hashable {
    public enum Reason: Sendable, Hashable {
        /// The other side requires these fields (after defaults) and the record lacks them.
        case missingRequired(fields: [String])
        /// Its identity matches records on the other side that are already linked: likely a duplicate.
        case matchesLinked(ids: [String])
        /// Its identity matches records on the other side that are outside that side's filter.
        case matchesOutOfScope(ids: [String])
        /// Created as the mapping writes it, it would fall outside the other side's filter, and be unlinked again.
        case outsideTargetFilter
        /// It points (reference `field`) at a record of `entity` that is not linked, so the other side
        /// has no id to point at: `parent not linked`.
        case parentNotLinked(field: String, entity: String)
        /// The connector cannot write it there, for the reason given (e.g. no calendar configured).
        case unsupported(String)
        /// `field` was emptied here, and the other side requires it: the clear is not written there.
        case requiredOnTarget(field: String)
        /// The other side refuses this change of its record, for the reason given (only a note's author
        /// may edit or delete it): not sent, shown on every run, and nothing is undone.
        case refused(String)
    }

    /// The side the record lives on.
    public var side: Side
    public var id: String
    public var reason: Reason

    public init(side: Side, id: String, reason: Reason) {
        self.side = side
        self.id = id
        self.reason = reason
    }

    /// The reason in words, for the dry run.
    public var message: String {
        let other = side.other.displayName
        switch reason {
        case .missingRequired(let fields):
            return "\(other) requires \(fields.joined(separator: ", ")) to create a record; add the value or a mapping default"
        case .matchesLinked(let ids):
            return "same identity as \(other) record \(ids.joined(separator: ", ")), which is already linked: a likely duplicate"
        case .matchesOutOfScope(let ids):
            return "same identity as \(other) record \(ids.joined(separator: ", ")), which is outside the \(other) filter"
        case .outsideTargetFilter:
            return "created as mapped it would be outside the \(other) filter; map a field (or a default) that puts it in scope"
        case .parentNotLinked(let field, let entity):
            return "parent not linked: its \(field) is a \(entity) that is not linked to a \(other) record (outside a filter, failed, or not synced yet)"
        case .unsupported(let reason):
            return reason
        case .refused(let reason):
            return "not written to \(other): \(reason)"
        case .requiredOnTarget(let field):
            return "\(field) was emptied here, but \(other) requires it: the clear is not written there; give the field a value again, or empty it in \(other) too"
        }
    }
}

/// Records that share an identity value with more than one candidate on the other side.
public struct Ambiguity: Sendable, Hashable {
    /// The identity field, e.g. "email".
    public var field: String
    /// The normalised value they share.
    public var value: String
    public var ghlIds: [String]
    public var espoIds: [String]

    public init(field: String, value: String, ghlIds: [String], espoIds: [String]) {
        self.field = field
        self.value = value
        self.ghlIds = ghlIds
        self.espoIds = espoIds
    }
}

/// Why the mass-delete guard held back a plan's deletes.
public struct MassDeleteGuard: Sendable, Hashable {
    public enum Reason: Sendable, Hashable {
        /// A full listing of a side came back empty while links exist.
        case emptyListing
        /// More records went missing than the threshold allows.
        case threshold
    }

    public var reason: Reason
    /// The sides whose listing is in doubt: nothing is deleted anywhere, and nothing is created there.
    public var suspect: [Side]
    /// Linked records found missing, by the side they went missing from.
    public var missing: PerSide<Int>
    public var linkCount: Int
    /// The threshold: more than `maxCount` records and more than `maxFraction` of links.
    public var maxCount: Int
    public var maxFraction: Double

    public init(reason: Reason, suspect: [Side], missing: PerSide<Int>, linkCount: Int, maxCount: Int, maxFraction: Double) {
        self.reason = reason
        self.suspect = suspect
        self.missing = missing
        self.linkCount = linkCount
        self.maxCount = maxCount
        self.maxFraction = maxFraction
    }

    /// The warning a person reads, with the counts and the way to proceed.
    public var message: String {
        let counts = "\(missing.ghl) of \(linkCount) linked records missing in GoHighLevel, \(missing.espo) missing in EspoCRM"
        let names = suspect.map(\.displayName).joined(separator: " and ")
        let held = "no record is deleted, and none is created in \(names)"
        switch reason {
        case .emptyListing:
            let listings = suspect.count == 1 ? "listing" : "listings"
            return "mass-delete guard: the full \(names) \(listings) came back empty while \(linkCount) records are linked (\(counts)); \(held). If that really is so, run again with --allow-mass-delete"
        case .threshold:
            let percent = FieldValue.format(maxFraction * 100)
            return "mass-delete guard: \(counts), more than \(maxCount) records and more than \(percent)% of linked records; \(held). If this is intended, run again with --allow-mass-delete"
        }
    }
}
