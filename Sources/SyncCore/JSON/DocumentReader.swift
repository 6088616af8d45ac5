/// Walks a JSON document a person wrote (a mapping, a config), remembering where it is, collecting every
/// problem instead of stopping at the first.
public struct DocumentReader {
    public let file: String
    public private(set) var issues: [DocumentIssue] = []

    public init(file: String) {
        self.file = file
    }

    /// Records a problem at `path`.
    public mutating func fail(_ path: String, _ message: String, fix: String) {
        issues.append(DocumentIssue(file: file, path: path, message: message, fix: fix))
    }

    /// The members of an object, after reporting any key not in `allowed`.
    public mutating func object(_ json: JSON, at path: String, allowed: [String], what: String) -> JSONObject? {
        guard case .object(let object) = json else {
            fail(path, "expected \(what) (an object), found \(json.kindName)", fix: "write \(what) as a JSON object { … }")
            return nil
        }
        for key in object.keys where !allowed.contains(key) {
            let suggestion = DocumentReader.closest(to: key, in: allowed).map { "did you mean \"\($0)\"? " } ?? ""
            fail(DocumentReader.child(path, key), "unknown key \"\(key)\"",
                 fix: "\(suggestion)the keys allowed here are \(allowed.map { "\"\($0)\"" }.joined(separator: ", "))")
        }
        return object
    }

    /// A non-empty string, when `json` is one.
    public mutating func string(_ json: JSON?, at path: String, what: String) -> String? {
        guard let json else { return nil }
        guard case .string(let s) = json, !s.isEmpty else {
            fail(path, "expected \(what) (a non-empty string), found \(json.kindName)", fix: "write \(what) as a string in double quotes")
            return nil
        }
        return s
    }

    /// The member `key`, or a problem saying it is missing.
    public mutating func required(_ object: JSONObject, _ key: String, at path: String, what: String) -> JSON? {
        guard let value = object[key] else {
            fail(path, "missing \"\(key)\"", fix: "add \"\(key)\": \(what)")
            return nil
        }
        return value
    }

    /// One of an enumeration's raw values, when `json` is one.
    public mutating func choice<T: RawRepresentable & CaseIterable>(_ json: JSON?, at path: String, as: T.Type) -> T? where T.RawValue == String {
        guard let json else { return nil }
        let options = T.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        guard case .string(let s) = json, let value = T(rawValue: s) else {
            let shown = json.stringValue.map { "\"\($0)\"" } ?? json.kindName
            fail(path, "\(shown) is not one of \(options)", fix: "use one of \(options)")
            return nil
        }
        return value
    }

    /// An array, when `json` is one.
    public mutating func array(_ json: JSON?, at path: String, what: String) -> [JSON]? {
        guard let json else { return nil }
        guard case .array(let items) = json else {
            fail(path, "expected \(what) (an array), found \(json.kindName)", fix: "write \(what) as a JSON array [ … ]")
            return nil
        }
        return items
    }

    /// An array of non-empty strings, when `json` is one.
    public mutating func strings(_ json: JSON?, at path: String, what: String) -> [String]? {
        guard let items = array(json, at: path, what: what) else { return nil }
        var result: [String] = []
        for (i, item) in items.enumerated() {
            if let s = string(item, at: "\(path)[\(i)]", what: "a field name") { result.append(s) }
        }
        return result
    }

    /// The path of member `key` below `path`: `$.a.b` or `$.a["odd key"]`.
    public static func child(_ path: String, _ key: String) -> String {
        let plain = !key.isEmpty && key.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
        return plain ? "\(path).\(key)" : "\(path)[\"\(key)\"]"
    }

    /// A number, when `json` is one.
    public mutating func number(_ json: JSON?, at path: String, what: String) -> Double? {
        guard let json else { return nil }
        guard case .number(let n) = json else {
            fail(path, "expected \(what) (a number), found \(json.kindName)", fix: "write \(what) as a number, without quotes")
            return nil
        }
        return n
    }

    /// A whole number at least `minimum`, when `json` is one.
    public mutating func integer(_ json: JSON?, at path: String, what: String, minimum: Int = 0) -> Int? {
        guard let n = number(json, at: path, what: what) else { return nil }
        guard n == n.rounded(), n >= Double(minimum), n < 1e15 else {
            fail(path, "expected \(what) (a whole number ≥ \(minimum)), found \(n)", fix: "write a whole number ≥ \(minimum)")
            return nil
        }
        return Int(n)
    }

    /// A boolean, when `json` is one.
    public mutating func bool(_ json: JSON?, at path: String, what: String) -> Bool? {
        guard let json else { return nil }
        guard case .bool(let b) = json else {
            fail(path, "expected \(what) (true or false), found \(json.kindName)", fix: "write true or false, without quotes")
            return nil
        }
        return b
    }

    /// The allowed word nearest to a typo, when it is near enough to be what was meant.
    public static func closest(to word: String, in candidates: [String]) -> String? {
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
