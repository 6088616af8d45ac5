import SyncCore
import Transport

/// A query string read the way PHP reads it: `+` is a space, `%2B` a plus, and bracketed names
/// (`where[0][value][1]=x`) build nested arrays. Arrays come out as JSON arrays when their keys are
/// 0, 1, 2…, else as objects.
enum BracketQuery {
    static func parse(_ rawQuery: String) -> JSONObject {
        var root: JSONObject = [:]
        for field in PercentEncoding.decodeQuery(rawQuery, plusIsSpace: true) {
            let (base, keys) = split(field.name)
            guard !base.isEmpty else { continue }
            insert(.string(field.value), into: &root, path: [base] + keys)
        }
        return root.mapValues(arrays)
    }

    /// `where[0][type]` → (`where`, [`0`, `type`]); `ids[]` → (`ids`, [``]).
    static func split(_ name: String) -> (String, [String]) {
        guard let open = name.firstIndex(of: "[") else { return (name, []) }
        let base = String(name[..<open])
        var keys: [String] = []
        var rest = name[open...]
        while rest.first == "[", let close = rest.firstIndex(of: "]") {
            keys.append(String(rest[rest.index(after: rest.startIndex)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return (base, keys)
    }

    private static func insert(_ value: JSON, into object: inout JSONObject, path: [String]) {
        var key = path[0]
        if key.isEmpty { key = String(object.count) }
        if path.count == 1 {
            object[key] = value
            return
        }
        var child: JSONObject
        if case .object(let existing)? = object[key] { child = existing } else { child = [:] }
        insert(value, into: &child, path: Array(path.dropFirst()))
        object[key] = .object(child)
    }

    private static func arrays(_ value: JSON) -> JSON {
        guard case .object(let object) = value else { return value }
        let converted = object.mapValues(arrays)
        let isList = !converted.isEmpty && converted.keys.enumerated().allSatisfy { $0.element == String($0.offset) }
        return isList ? .array(Array(converted.values)) : .object(converted)
    }
}
