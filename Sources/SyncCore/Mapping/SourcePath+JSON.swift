extension SourcePath {
    /// The value at this path; nil when the record does not have it (the API did not return it).
    ///
    /// A `[primary]` segment over an array without a primary element, and a custom field missing from a
    /// present `customFields` array, read as null: the record has the container, so the value is empty.
    public func read(from record: JSONObject) -> JSON? {
        switch self {
        case .keys(let segments):
            var current = JSON.object(record)
            for segment in segments {
                guard let next = current[segment.name] else { return nil }
                if segment.selectsPrimary {
                    guard case .array(let items) = next else { return next.isNull ? .null : nil }
                    guard let primary = items.first(where: { $0["primary"] == .bool(true) }) else { return .null }
                    current = primary
                } else {
                    current = next
                }
            }
            return current
        case .customField(.id(let id)):
            guard let fields = record["customFields"] else { return nil }
            guard case .array(let items) = fields else { return fields.isNull ? .null : nil }
            guard let entry = items.first(where: { $0["id"]?.stringValue == id }) else { return .null }
            return entry["value"] ?? .null
        case .customField(.key):
            return nil
        }
    }

    /// `record` with `value` written at this path, creating containers as needed.
    public func write(_ value: JSON, into record: JSONObject) -> JSONObject {
        switch self {
        case .keys(let segments):
            guard case .object(let result) = SourcePath.write(value, into: .object(record), at: segments[...]) else {
                return record
            }
            return result
        case .customField(.id(let id)):
            var record = record
            var items = record["customFields"]?.arrayValue ?? []
            let index = items.firstIndex { $0["id"]?.stringValue == id }
            if value.isNull {
                if let index { items.remove(at: index) }
            } else if let index, case .object(var entry) = items[index] {
                entry["value"] = value
                items[index] = .object(entry)
            } else {
                items.append(.object(["id": .string(id), "value": value]))
            }
            record["customFields"] = .array(items)
            return record
        case .customField(.key):
            return record
        }
    }

    private static func write(_ value: JSON, into container: JSON, at segments: ArraySlice<PathSegment>) -> JSON {
        guard let segment = segments.first else { return value }
        var object = container.objectValue ?? [:]
        let rest = segments.dropFirst()
        if segment.selectsPrimary {
            var items = object[segment.name]?.arrayValue ?? []
            if let index = items.firstIndex(where: { $0["primary"] == .bool(true) }) {
                items[index] = write(value, into: items[index], at: rest)
            } else {
                items.insert(write(value, into: .object(["primary": .bool(true)]), at: rest), at: 0)
            }
            object[segment.name] = .array(items)
        } else {
            object[segment.name] = write(value, into: object[segment.name] ?? .null, at: rest)
        }
        return .object(object)
    }
}
