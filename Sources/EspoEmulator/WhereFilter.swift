import SyncCore

/// EspoCRM's `where` items (FACTS §3.3), evaluated against records.
struct WhereFilter: Sendable {
    /// A `where` list that cannot be used, with the status EspoCRM answers.
    struct Problem: Error {
        var status: Int
        var reason: String
    }

    indirect enum Item: Sendable {
        case compare(type: String, attribute: String, value: JSON)
        case group(isAnd: Bool, [Item])
    }

    let items: [Item]

    static let comparisons: Set<String> = [
        "equals", "notEquals", "in", "notIn", "greaterThan", "greaterThanOrEquals", "lessThan", "lessThanOrEquals",
        "after", "before", "isNull", "isNotNull", "isTrue", "isFalse", "like", "notLike", "contains", "notContains",
        "startsWith", "endsWith", "between",
    ]
    static let forbidden: Set<String> = ["not", "subQueryIn", "subQueryNotIn", "expression"]

    /// Reads a `where` value (a list of items) for `definition`.
    init(_ json: JSON?, definition: EntityDefinition) throws(Problem) {
        guard let json else {
            items = []
            return
        }
        items = try WhereFilter.items(json, definition: definition)
    }

    private static func items(_ json: JSON, definition: EntityDefinition) throws(Problem) -> [Item] {
        let list: [JSON]
        switch json {
        case .array(let array): list = array
        case .object(let object): list = Array(object.values)
        default: throw Problem(status: 400, reason: "Bad where.")
        }
        var out: [Item] = []
        for raw in list { out.append(try item(raw, definition: definition)) }
        return out
    }

    private static func item(_ json: JSON, definition: EntityDefinition) throws(Problem) -> Item {
        guard case .string(let type)? = json["type"] else { throw Problem(status: 400, reason: "Bad where item. No type.") }
        if forbidden.contains(type) { throw Problem(status: 403, reason: "Forbidden where item type '\(type)'.") }
        if type == "and" || type == "or" {
            return .group(isAnd: type == "and", try items(json["value"] ?? .array([]), definition: definition))
        }
        guard comparisons.contains(type) else { throw Problem(status: 400, reason: "Unknown where item type '\(type)'.") }
        guard let attribute = (json["attribute"] ?? json["field"])?.stringValue else {
            throw Problem(status: 400, reason: "Bad where item. No attribute.")
        }
        if attribute.contains("#") || attribute.contains(".") || attribute.contains(":") {
            throw Problem(status: 403, reason: "Forbidden attribute '\(attribute)' in where.")
        }
        guard definition.knows(attribute) else {
            throw Problem(status: 400, reason: "Not existing attribute '\(attribute)' in where.")
        }
        return .compare(type: type, attribute: attribute, value: json["value"] ?? .null)
    }

    /// Whether a record passes every item; `values` gives an attribute's candidate values (a contact
    /// matches `emailAddress` by any of its addresses).
    func matches(_ values: (String) -> [JSON]) -> Bool {
        items.allSatisfy { WhereFilter.test($0, values) }
    }

    private static func test(_ item: Item, _ values: (String) -> [JSON]) -> Bool {
        switch item {
        case .group(let isAnd, let items):
            return isAnd ? items.allSatisfy { test($0, values) } : items.contains { test($0, values) }
        case .compare(let type, let attribute, let value):
            let candidates = values(attribute)
            if candidates.count == 1, let verdict = scalarTest(type, candidates[0], value) { return verdict }
            let present = candidates.filter { !isEmpty($0) }
            switch type {
            case "isNull": return present.isEmpty
            case "isNotNull": return !present.isEmpty
            case "isTrue": return present.contains { $0 == .bool(true) }
            case "isFalse": return !present.contains { $0 == .bool(true) }
            case "notEquals": return !present.contains { compare($0, value) == 0 }
            case "notIn": return !present.contains { candidate in list(value).contains { compare(candidate, $0) == 0 } }
            case "notLike", "notContains": return !present.contains { textTest(type == "notLike" ? "like" : "contains", $0, value) }
            default: break
            }
            return present.contains { candidate in
                switch type {
                case "equals": return compare(candidate, value) == 0
                case "in": return list(value).contains { compare(candidate, $0) == 0 }
                case "greaterThan", "after": return (compare(candidate, value) ?? -1) > 0
                case "greaterThanOrEquals": return (compare(candidate, value) ?? -1) >= 0
                case "lessThan", "before": return (compare(candidate, value) ?? 1) < 0
                case "lessThanOrEquals": return (compare(candidate, value) ?? 1) <= 0
                case "between":
                    let bounds = list(value)
                    guard bounds.count == 2 else { return false }
                    return (compare(candidate, bounds[0]) ?? -1) >= 0 && (compare(candidate, bounds[1]) ?? 1) <= 0
                default: return textTest(type, candidate, value)
                }
            }
        }
    }

    /// The common comparisons of one non-empty string value, without building lists; nil for the rest.
    private static func scalarTest(_ type: String, _ candidate: JSON, _ value: JSON) -> Bool? {
        guard case .string(let text) = candidate, !text.isEmpty, case .string(let other) = value else { return nil }
        let order = foldedCompare(text, other)
        switch type {
        case "equals": return order == 0
        case "notEquals": return order != 0
        case "greaterThan", "after": return order > 0
        case "greaterThanOrEquals": return order >= 0
        case "lessThan", "before": return order < 0
        case "lessThanOrEquals": return order <= 0
        default: return nil
        }
    }

    private static func isEmpty(_ value: JSON) -> Bool {
        switch value {
        case .null: true
        case .string(let text): text.isEmpty
        default: false
        }
    }

    private static func list(_ value: JSON) -> [JSON] {
        switch value {
        case .array(let items): items
        case .object(let object): Array(object.values)
        default: [value]
        }
    }

    /// -1, 0 or 1 as SQL would order the two; strings case-insensitively (MySQL's default collation),
    /// numbers and booleans by value; nil when they cannot be compared.
    static func compare(_ left: JSON, _ right: JSON) -> Int? {
        switch (left, right) {
        case (.string(let a), .string(let b)): return foldedCompare(a, b)
        case (.number(let a), .number(let b)): return a == b ? 0 : (a < b ? -1 : 1)
        case (.number(let a), .string(let b)):
            guard let b = Double(b) else { return nil }
            return a == b ? 0 : (a < b ? -1 : 1)
        case (.bool(let a), .bool(let b)): return a == b ? 0 : (a ? 1 : -1)
        case (.bool(let a), .string(let b)): return a == (b == "true" || b == "1") ? 0 : (a ? 1 : -1)
        default: return nil
        }
    }

    /// Compares two strings with ASCII letters folded to lower case, byte by byte, without allocating.
    static func foldedCompare(_ a: String, _ b: String) -> Int {
        if a == b { return 0 }
        let x = a.lowercased(), y = b.lowercased()
        return x == y ? 0 : (x < y ? -1 : 1)
    }

    static func foldedCompareBytes(_ a: String, _ b: String) -> Int {
        var left = a.utf8.makeIterator(), right = b.utf8.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return 0
            case (nil, _): return -1
            case (_, nil): return 1
            case (let x?, let y?):
                let fx = (x >= 65 && x <= 90) ? x + 32 : x
                let fy = (y >= 65 && y <= 90) ? y + 32 : y
                if fx != fy { return fx < fy ? -1 : 1 }
            }
        }
    }

    private static func textTest(_ type: String, _ candidate: JSON, _ value: JSON) -> Bool {
        guard case .string(let text) = candidate, case .string(let pattern) = value else { return false }
        let lower = text.lowercased(), needle = pattern.lowercased()
        switch type {
        case "contains": return lower.contains(needle)
        case "startsWith": return lower.hasPrefix(needle)
        case "endsWith": return lower.hasSuffix(needle)
        case "like":
            let parts = needle.split(separator: "%", omittingEmptySubsequences: false).map(String.init)
            return likeMatch(lower, parts)
        default: return false
        }
    }

    private static func likeMatch(_ text: String, _ parts: [String]) -> Bool {
        guard parts.count > 1 else { return text == parts.first }
        guard text.hasPrefix(parts[0]) else { return false }
        var rest = Substring(text.dropFirst(parts[0].count))
        for part in parts.dropFirst().dropLast() where !part.isEmpty {
            guard let range = rest.range(of: part) else { return false }
            rest = rest[range.upperBound...]
        }
        return rest.hasSuffix(parts.last!)
    }
}
