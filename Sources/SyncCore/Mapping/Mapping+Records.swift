import Foundation

extension Mapping {
    /// The canonical form of a raw record of `side`; nil when it has no id.
    ///
    /// `absentMeansEmpty` says the record is whole (an API that leaves unset fields out answered it
    /// whole), so a field it lacks is empty; otherwise a lacking field is unknown, and has no entry.
    /// `links` finds the link of a referenced record (entity, this side's id); without it, or when the
    /// record is not linked, a reference reads as `Reference.unlinked`.
    public func record(
        from raw: JSONObject, side: Side, absentMeansEmpty: Bool = false,
        links: ((_ entity: String, _ id: String) -> LinkKey?)? = nil
    ) -> SideRecord? {
        let spec = sides[side]
        let id: String
        switch spec.idPath.read(from: raw) {
        case .string(let s)? where !s.isEmpty: id = s
        case .number(let n)?: id = FieldValue.format(n)
        default: return nil
        }
        var values = FieldValues(minimumCapacity: fields.count)
        for field in fields {
            if let entity = field.references {
                values[field.name] = reference(of: field, from: raw, side: side, absentMeansEmpty: absentMeansEmpty) { links?(entity, $0) }
            } else if let value = readValue(of: field, from: raw, side: side) {
                values[field.name] = value
            } else if absentMeansEmpty {
                values[field.name] = .empty
            }
        }
        return SideRecord(
            id: id,
            updatedAt: spec.updatedAtPath.flatMap { Mapping.instant($0.read(from: raw)) },
            inScope: spec.filter?.matches(raw) ?? true,
            values: values
        )
    }

    /// The canonical value of `field` in a raw record of `side`; nil when the record does not have it.
    public func readValue(of field: FieldMapping, from raw: JSONObject, side: Side) -> FieldValue? {
        let source = field.sources[side]
        var value: FieldValue
        if source.paths.count == 1 {
            guard let json = source.paths[0].read(from: raw) else { return nil }
            value = FieldValue(raw: json)
        } else {
            let parts = source.paths.map { $0.read(from: raw) }
            guard parts.contains(where: { $0 != nil }) else { return nil }
            value = .list(parts.map { part in
                switch FieldValue(raw: part ?? .null) {
                case .string(let s): s
                case .number(let n): FieldValue.format(n)
                default: ""
                }
            })
        }
        return read(value, of: field, side: side)
    }

    /// The canonical value of reference `field`: the link of the record it names, `.unlinked` when
    /// `link` knows none, `.empty` when it names none; nil when the record does not say.
    func reference(
        of field: FieldMapping, from raw: JSONObject, side: Side, absentMeansEmpty: Bool, link: (String) -> LinkKey?
    ) -> FieldValue? {
        guard let json = field.sources[side].paths.first?.read(from: raw) else { return absentMeansEmpty ? .empty : nil }
        let id: String
        switch json {
        case .string(let s): id = s.trimmingCharacters(in: .whitespaces)
        case .number(let n): id = FieldValue.format(n)
        default: id = ""
        }
        guard !id.isEmpty else { return .empty }
        return (link(id).map(Reference.linked) ?? .unlinked(side, id)).value
    }

    /// Runs `field`'s read transforms of `side` on a raw value, then settles the type.
    public func read(_ raw: FieldValue, of field: FieldMapping, side: Side) -> FieldValue {
        var value = raw
        for transform in field.sources[side].transforms { value = transform.read(value) }
        return Mapping.settle(value, as: field.type)
    }

    /// Runs `field`'s write transforms of `side` on a canonical value.
    public func write(_ value: FieldValue, of field: FieldMapping, side: Side) -> FieldValue {
        var value = value
        for transform in field.sources[side].transforms.reversed() { value = transform.write(value) }
        return value
    }

    /// The path assignments that put canonical `value` of `field` into a record of `side`.
    public func assignments(of value: FieldValue, for field: FieldMapping, side: Side) -> [(SourcePath, JSON)] {
        let paths = field.sources[side].paths
        if field.type == .reference {
            // Resolved before rendering (`Operation` values hold `side`'s id only when it has one).
            let id = Reference(value)?.id(on: side)
            return paths.map { ($0, id.map(JSON.string) ?? .null) }
        }
        let written = write(value, of: field, side: side)
        if paths.count == 1 {
            return [(paths[0], written.json(asSet: field.type == .set))]
        }
        let parts: [String] = if case .list(let items) = written { items } else { [] }
        return paths.enumerated().map { index, path in
            let part = index < parts.count ? parts[index] : ""
            return (path, part.isEmpty ? .null : .string(part))
        }
    }

    /// The changes that write `values` into a record of `side`.
    ///
    /// For a create (`creating`), every field that travels to `side` is rendered, so defaults fill what
    /// is empty; for an update only the fields in `values` are.
    public func patch(writing values: FieldValues, to side: Side, creating: Bool = false) -> RecordPatch {
        var patch = RecordPatch()
        for field in fields where field.direction.writes(to: side) {
            guard let value = values[field.name] ?? (creating ? .empty : nil) else { continue }
            for (path, json) in assignments(of: value, for: field, side: side) {
                if creating && json.isEmptyValue { continue }
                patch.assignments.append(RecordPatch.Assignment(path: path, value: json))
            }
        }
        if creating {
            for (key, json) in sides[side].createWith where !patch.assignments.contains(where: { $0.path == .key(key) }) {
                patch.assignments.append(RecordPatch.Assignment(path: .key(key), value: json))
            }
        }
        return patch
    }

    /// The requirements of `side` that a record with `values` would miss when created there; empty when it can be.
    public func missingForCreate(_ values: FieldValues, on side: Side) -> [String] {
        guard let requirement = sides[side].createRequires else { return [] }
        func present(_ name: String) -> Bool {
            guard let field = field(named: name) else { return false }
            return assignments(of: values[name] ?? .empty, for: field, side: side).contains { !$0.1.isEmptyValue }
        }
        var missing = requirement.allOf.filter { !present($0) }
        if !requirement.anyOf.isEmpty, !requirement.anyOf.contains(where: present) {
            missing.append(requirement.anyOf.joined(separator: " or "))
        }
        return missing
    }

    /// The record's normalised identity values, one per identity key ("" when it has none).
    public func identityValues(of values: FieldValues) -> [String] {
        identity.map { key in
            var parts: [String] = []
            for part in key.parts {
                guard let value = values[part.field] else { return "" }
                let normalized = part.match.normalize(value)
                if normalized.isEmpty { return "" }
                parts.append(normalized)
            }
            return parts.joined(separator: "\u{1E}")
        }
    }

    private static func settle(_ value: FieldValue, as type: FieldType) -> FieldValue {
        switch (type, value) {
        case (.set, .string(let s)): return .set([s])
        case (.set, .list(let items)): return .set(items)
        case (.string, .number(let n)), (.date, .number(let n)), (.dateTime, .number(let n)):
            return .string(FieldValue.format(n))
        case (.string, .bool(let b)): return .string(b ? "true" : "false")
        case (.number, .string(let s)): return Double(s.trimmingCharacters(in: .whitespaces)).map(FieldValue.number) ?? value.normalized
        case (.bool, .string(let s)): return Transform.boolWords[s.lowercased()].map(FieldValue.bool) ?? value.normalized
        case (_, .list(let items)) where type != .set: return items.isEmpty ? .empty : .string(items.joined(separator: ", "))
        default: return value.normalized
        }
    }

    private static func instant(_ json: JSON?) -> Date? {
        switch json {
        case .string(let s)?: Timestamp.parse(s).map { Date(timeIntervalSince1970: TimeInterval($0)) }
        case .number(let ms)?: Date(timeIntervalSince1970: ms / 1000)
        default: nil
        }
    }
}

extension IdentityMatch {
    /// The comparable form of an identity value: "" when it has none.
    public func normalize(_ value: FieldValue) -> String {
        let text: String
        switch value {
        case .string(let s): text = s
        case .number(let n): text = FieldValue.format(n)
        case .list(let items): text = items.joined(separator: ",")
        case .empty, .bool: return ""
        }
        switch self {
        case .text: return Transform.collapse(text).lowercased()
        case .email: return text.filter { !$0.isWhitespace }.lowercased()
        case .phone(let region):
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return PhoneNumber.e164(trimmed, defaultRegion: region) ?? trimmed.filter(\.isNumber)
        case .exact: return text
        case .minute:
            guard let seconds = Timestamp.parse(text) else { return Transform.collapse(text).lowercased() }
            return Timestamp.iso8601(seconds - ((seconds % 60) + 60) % 60)
        }
    }
}

/// Changes to write into one record: assignments of raw JSON values at paths.
public struct RecordPatch: Sendable, Hashable {
    public struct Assignment: Sendable, Hashable {
        public var path: SourcePath
        public var value: JSON
    }

    public var assignments: [Assignment] = []

    public init(assignments: [Assignment] = []) {
        self.assignments = assignments
    }

    public var isEmpty: Bool { assignments.isEmpty }

    /// Whether applying it needs the record's current JSON (it writes a selected array element).
    public var needsCurrentRecord: Bool { assignments.contains { $0.path.needsCurrentRecord } }

    /// `record` with every assignment applied.
    public func applied(to record: JSONObject) -> JSONObject {
        assignments.reduce(record) { $1.path.write($1.value, into: $0) }
    }
}

extension FieldValue {
    /// A raw JSON value before any transform: null reads as empty, arrays as a set of their scalars.
    public init(raw json: JSON) {
        switch json {
        case .null: self = .empty
        case .bool(let b): self = .bool(b)
        case .number(let n): self = .number(n)
        case .string(let s): self = s.isEmpty ? .empty : .string(s)
        case .array(let items):
            self = .set(items.compactMap { item -> String? in
                switch item {
                case .string(let s): s
                case .number(let n): FieldValue.format(n)
                case .bool(let b): b ? "true" : "false"
                case .null, .array, .object: nil
                }
            })
        case .object: self = .string(json.serialized(sortedKeys: true))
        }
    }

    /// The JSON written for this value; an empty set is `[]`, other empties `null`.
    public func json(asSet: Bool = false) -> JSON {
        switch self {
        case .empty: asSet ? .array([]) : .null
        case .string(let s): .string(s)
        case .number(let n): .number(n)
        case .bool(let b): .bool(b)
        case .list(let items): .array(items.map(JSON.string))
        }
    }
}

extension JSON {
    /// null, "", or [].
    var isEmptyValue: Bool {
        switch self {
        case .null: true
        case .string(let s): s.isEmpty
        case .array(let a): a.isEmpty
        default: false
        }
    }
}
