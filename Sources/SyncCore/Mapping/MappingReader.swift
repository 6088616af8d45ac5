/// Walks a mapping document, remembering where it is, collecting every problem instead of stopping at the first.
struct MappingReader {
    let file: String
    private(set) var issues: [MappingIssue] = []

    init(file: String) {
        self.file = file
    }

    mutating func fail(_ path: String, _ message: String, fix: String) {
        issues.append(MappingIssue(file: file, path: path, message: message, fix: fix))
    }

    /// The members of an object, after reporting any key not in `allowed`.
    mutating func object(_ json: JSON, at path: String, allowed: [String], what: String) -> JSONObject? {
        guard case .object(let object) = json else {
            fail(path, "expected \(what) (an object), found \(json.kindName)", fix: "write \(what) as a JSON object { … }")
            return nil
        }
        for key in object.keys where !allowed.contains(key) {
            let suggestion = MappingReader.closest(to: key, in: allowed).map { "did you mean \"\($0)\"? " } ?? ""
            fail(MappingReader.child(path, key), "unknown key \"\(key)\"",
                 fix: "\(suggestion)the keys allowed here are \(allowed.map { "\"\($0)\"" }.joined(separator: ", "))")
        }
        return object
    }

    mutating func string(_ json: JSON?, at path: String, what: String) -> String? {
        guard let json else { return nil }
        guard case .string(let s) = json, !s.isEmpty else {
            fail(path, "expected \(what) (a non-empty string), found \(json.kindName)", fix: "write \(what) as a string in double quotes")
            return nil
        }
        return s
    }

    mutating func required(_ object: JSONObject, _ key: String, at path: String, what: String) -> JSON? {
        guard let value = object[key] else {
            fail(path, "missing \"\(key)\"", fix: "add \"\(key)\": \(what)")
            return nil
        }
        return value
    }

    mutating func choice<T: RawRepresentable & CaseIterable>(_ json: JSON?, at path: String, as: T.Type) -> T? where T.RawValue == String {
        guard let json else { return nil }
        let options = T.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        guard case .string(let s) = json, let value = T(rawValue: s) else {
            let shown = json.stringValue.map { "\"\($0)\"" } ?? json.kindName
            fail(path, "\(shown) is not one of \(options)", fix: "use one of \(options)")
            return nil
        }
        return value
    }

    mutating func array(_ json: JSON?, at path: String, what: String) -> [JSON]? {
        guard let json else { return nil }
        guard case .array(let items) = json else {
            fail(path, "expected \(what) (an array), found \(json.kindName)", fix: "write \(what) as a JSON array [ … ]")
            return nil
        }
        return items
    }

    mutating func strings(_ json: JSON?, at path: String, what: String) -> [String]? {
        guard let items = array(json, at: path, what: what) else { return nil }
        var result: [String] = []
        for (i, item) in items.enumerated() {
            if let s = string(item, at: "\(path)[\(i)]", what: "a field name") { result.append(s) }
        }
        return result
    }

    static func child(_ path: String, _ key: String) -> String {
        let plain = !key.isEmpty && key.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
        return plain ? "\(path).\(key)" : "\(path)[\"\(key)\"]"
    }

    /// The allowed word nearest to a typo, when it is near enough to be what was meant.
    static func closest(to word: String, in candidates: [String]) -> String? {
        let lower = word.lowercased()
        if let prefixed = candidates.first(where: { lower.hasPrefix($0.lowercased()) || $0.lowercased().hasPrefix(lower) }),
           min(lower.count, prefixed.count) >= 3 {
            return prefixed
        }
        let scored = candidates.map { ($0, distance(lower, $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, word.count / 3) else { return nil }
        return best.0
    }

    private static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
