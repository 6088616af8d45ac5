/// How one entity pair (GHL contacts ↔ EspoCRM contacts, …) is synced: loaded from a JSON file in `mappings/`.
public struct Mapping: Sendable, Hashable {
    /// The canonical entity name, e.g. "contact".
    public var entity: String
    /// The file it was loaded from, for messages.
    public var file: String
    /// Per-side settings: object name, record filter, creation requirements.
    public var sides: PerSide<SideSpec>
    /// Canonical fields in file order.
    public var fields: [FieldMapping]
    /// Keys that pair unlinked records on the first run, tried in order.
    public var identity: [IdentityKey]
    /// Who wins when both sides changed a field differently (fields may override).
    public var conflict: ConflictPolicy
    /// What a delete on one side does to the other.
    public var deletes: DeletePolicy
    /// How a conflict under `newest-wins` is settled when a side keeps no change time (GHL tasks and
    /// notes), so "newest" cannot be known.
    public var conflictFallback: ConflictPolicy
    /// The reference field naming the record this one belongs to (a task's `contact`): children are
    /// listed per parent where an API lists them so, and go when their parent's delete propagates.
    public var parent: String?

    public init(
        entity: String, file: String, sides: PerSide<SideSpec>, fields: [FieldMapping],
        identity: [IdentityKey], conflict: ConflictPolicy = .newestWins, deletes: DeletePolicy = .propagate,
        conflictFallback: ConflictPolicy = .manual, parent: String? = nil
    ) {
        self.conflictFallback = conflictFallback
        self.parent = parent
        self.entity = entity
        self.file = file
        self.sides = sides
        self.fields = fields
        self.identity = identity
        self.conflict = conflict
        self.deletes = deletes
    }

    /// The field named `name`, if mapped.
    public func field(named name: String) -> FieldMapping? { fields.first { $0.name == name } }

    /// The entities this mapping's reference fields point at.
    public var referencedEntities: [String] {
        var seen: [String] = []
        for field in fields { if let entity = field.references, !seen.contains(entity) { seen.append(entity) } }
        return seen
    }

    /// The policy that settles a conflict on `field`.
    public func conflictPolicy(for field: FieldMapping) -> ConflictPolicy { field.conflict ?? conflict }

    /// The entity of the `parent` field, if any.
    public var parentEntity: String? { parent.flatMap { field(named: $0)?.references } }
}

/// One side's part of a mapping.
public struct SideSpec: Sendable, Hashable {
    /// The object on that side ("contact" in GHL, "Contact" in EspoCRM), for the connector.
    public var object: String
    /// Where the record id is.
    public var idPath: SourcePath
    /// Where the last-change time is (GHL `dateUpdated`, EspoCRM `modifiedAt`); nil when the object
    /// keeps none (GHL tasks and notes).
    public var updatedAtPath: SourcePath?
    /// Records that fail the filter are out of scope: never created elsewhere, unlinked if they were linked.
    public var filter: Filter?
    /// What a record must have for this side to accept its creation.
    public var createRequires: CreateRequirement?
    /// Attributes every record created on this side carries, as the API spells them (`parentType`
    /// `Contact` for an EspoCRM Task): they count for the side's filter too.
    public var createWith: JSONObject = [:]
    /// Canonical fields every update on this side carries, changed or not (GHL refuses a task update
    /// without its title and due date): their current values go along, so nothing is read first.
    public var updateSends: [String] = []

    public init(
        object: String, idPath: SourcePath = .key("id"), updatedAtPath: SourcePath?,
        filter: Filter? = nil, createRequires: CreateRequirement? = nil
    ) {
        self.object = object
        self.idPath = idPath
        self.updatedAtPath = updatedAtPath
        self.filter = filter
        self.createRequires = createRequires
    }
}

/// One canonical field and where it lives on each side.
public struct FieldMapping: Sendable, Hashable {
    public var name: String
    public var type: FieldType
    public var direction: Direction
    /// Overrides the mapping's conflict policy for this field.
    public var conflict: ConflictPolicy?
    /// Where the field lives on each side and how it is transformed there.
    public var sources: PerSide<FieldSource>
    /// Extra raw values to check the round trip with.
    public var samples: [JSON]
    /// For a `reference` field, the entity whose records it points at (`business`).
    public var references: String?
    /// For a `dateTime` field: what a create fills in when the record has no value, written back to the
    /// record it came from so both sides agree (a GHL task needs a due date, an EspoCRM one does not).
    public var defaultOnCreate: CreateDefault?
    /// Sides that take the field only when a record is created there (a GHL task's contact is part of
    /// its address; an EspoCRM note's parent is read-only after create): a change of it is not written
    /// there later, but shown as skipped on every run.
    public var createOnly: Set<Side> = []

    public init(
        name: String, type: FieldType = .string, direction: Direction = .both, conflict: ConflictPolicy? = nil,
        ghl: FieldSource, espo: FieldSource, samples: [JSON] = [], references: String? = nil,
        defaultOnCreate: CreateDefault? = nil
    ) {
        self.defaultOnCreate = defaultOnCreate
        self.name = name
        self.references = references
        self.type = type
        self.direction = direction
        self.conflict = conflict
        self.sources = PerSide(ghl: ghl, espo: espo)
        self.samples = samples
    }
}

/// Where a field lives on one side: one path (or two, joined by `fullName`) and the transforms there.
public struct FieldSource: Sendable, Hashable {
    public var paths: [SourcePath]
    /// Applied in order when reading (side → canonical), in reverse when writing.
    public var transforms: [Transform]

    public init(paths: [SourcePath], transforms: [Transform] = []) {
        self.paths = paths
        self.transforms = transforms
    }

    public init(_ path: SourcePath, transforms: [Transform] = []) {
        self.init(paths: [path], transforms: transforms)
    }
}

/// The canonical type of a field.
public enum FieldType: String, Sendable, Hashable, CaseIterable {
    case string, number, bool, date, dateTime, set
    /// Another entity's record: an id on each side, canonically the link of the pair (see `Reference`).
    case reference
}

/// Which way a field travels.
public enum Direction: String, Sendable, Hashable, CaseIterable {
    case both
    case toEspo = "to-espo"
    case toGhl = "to-ghl"

    /// Whether values travel into `side`.
    public func writes(to side: Side) -> Bool {
        switch self {
        case .both: true
        case .toEspo: side == .espo
        case .toGhl: side == .ghl
        }
    }

    /// The side whose values travel, for one-way fields.
    public var source: Side? {
        switch self {
        case .both: nil
        case .toEspo: .ghl
        case .toGhl: .espo
        }
    }
}

/// How a field changed differently on both sides is settled.
public enum ConflictPolicy: String, Sendable, Hashable, CaseIterable {
    /// The side whose record changed last (GHL `dateUpdated`, EspoCRM `modifiedAt`) wins.
    case newestWins = "newest-wins"
    case ghlWins = "ghl-wins"
    case espoWins = "espo-wins"
    /// Queued for a person; nothing is written for that field until it is resolved.
    case manual

    /// The policy with the sides exchanged.
    public var swapped: ConflictPolicy {
        switch self {
        case .ghlWins: .espoWins
        case .espoWins: .ghlWins
        default: self
        }
    }
}

/// What a delete on one side does to the linked record on the other.
public enum DeletePolicy: String, Sendable, Hashable, CaseIterable {
    /// Delete it too.
    case propagate
    /// Keep it, and stop syncing the pair.
    case ignore
}

/// What a record needs for a side to accept its creation, in canonical field names.
public struct CreateRequirement: Sendable, Hashable {
    /// Every one of these must be non-empty.
    public var allOf: [String]
    /// At least one of these must be non-empty.
    public var anyOf: [String]

    public init(allOf: [String] = [], anyOf: [String] = []) {
        self.allOf = allOf
        self.anyOf = anyOf
    }
}

/// A date-time a create fills in when the record has none: `daysAhead` days after the create.
public struct CreateDefault: Sendable, Hashable {
    public var daysAhead: Double

    public init(daysAhead: Double) { self.daysAhead = daysAhead }
}

/// A key that identifies the same record on both sides: one field, or several that must all match
/// (`{"allOf": […]}`: a task is its contact, title and due minute).
public struct IdentityKey: Sendable, Hashable {
    public var parts: [IdentityPart]

    public init(parts: [IdentityPart]) { self.parts = parts }

    public init(field: String, match: IdentityMatch) { self.parts = [IdentityPart(field: field, match: match)] }

    /// The first field, which names a one-field key.
    public var field: String { parts[0].field }
    /// Every field the key reads.
    public var fields: [String] { parts.map(\.field) }
    /// The key's name for messages: its fields joined with "+".
    public var name: String { fields.joined(separator: "+") }
}

/// One field of an identity key and how its value is compared.
public struct IdentityPart: Sendable, Hashable {
    public var field: String
    public var match: IdentityMatch

    public init(field: String, match: IdentityMatch) {
        self.field = field
        self.match = match
    }
}

/// How identity values are normalised before comparing.
public enum IdentityMatch: Sendable, Hashable {
    /// Trimmed, whitespace collapsed, case ignored.
    case text
    /// Trimmed, whitespace removed, case ignored.
    case email
    /// E.164 with a default region for national numbers.
    case phone(defaultRegion: String)
    /// The canonical value as it is (references, ids).
    case exact
    /// A date-time to the minute, in UTC.
    case minute
}
