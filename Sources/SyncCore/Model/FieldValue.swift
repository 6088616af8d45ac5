/// A canonical field value: what both systems' records are compared in.
///
/// Absence (the API did not return the field) is not a value: a record simply has no entry for that
/// field. `.empty` is a real value, a cleared field, and clearing one side clears the other.
public enum FieldValue: Sendable, Hashable {
    case empty
    case string(String)
    case number(Double)
    case bool(Bool)
    /// A set of strings, kept sorted and without duplicates (tags).
    case list([String])

    /// A set value: sorted, duplicates and empty strings removed, `.empty` when nothing is left.
    public static func set(_ items: some Sequence<String>) -> FieldValue {
        let sorted = Array(Set(items.filter { !$0.isEmpty })).sorted()
        return sorted.isEmpty ? .empty : .list(sorted)
    }

    public var isEmpty: Bool {
        switch self {
        case .empty: true
        case .string(let s): s.isEmpty
        case .list(let items): items.isEmpty
        case .number, .bool: false
        }
    }

    /// The value with "" and [] folded into `.empty`.
    public var normalized: FieldValue { isEmpty ? .empty : self }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The members of a set value; `[]` for `.empty`, nil for scalars.
    public var listValue: [String]? {
        switch self {
        case .list(let items): items
        case .empty: []
        default: nil
        }
    }

    /// Text for messages and the dry-run view.
    public var displayText: String {
        switch self {
        case .empty: "(empty)"
        case .string(let s): "\"\(s)\""
        case .number(let n): FieldValue.format(n)
        case .bool(let b): b ? "true" : "false"
        case .list(let items): "[" + items.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        }
    }

    /// A number as people write it: "42" for integral values, shortest round-trip form otherwise.
    public static func format(_ n: Double) -> String {
        if n.isFinite, n == n.rounded(), abs(n) < 9_007_199_254_740_992 {
            return String(Int64(n))
        }
        return String(n)
    }
}

extension FieldValue: Comparable {
    private var rank: Int {
        switch self {
        case .empty: 0
        case .bool: 1
        case .number: 2
        case .string: 3
        case .list: 4
        }
    }

    /// A total order, used only to break ties deterministically.
    public static func < (lhs: FieldValue, rhs: FieldValue) -> Bool {
        switch (lhs, rhs) {
        case (.bool(let a), .bool(let b)): return !a && b
        case (.number(let a), .number(let b)): return a < b
        case (.string(let a), .string(let b)): return a < b
        case (.list(let a), .list(let b)): return a.lexicographicallyPrecedes(b)
        default: return lhs.rank < rhs.rank
        }
    }
}

extension FieldValue: CustomStringConvertible {
    public var description: String { displayText }
}

/// A record's canonical values by canonical field name.
public typealias FieldValues = [String: FieldValue]

extension FieldValue {
    /// The value as JSON: `.empty` is null, a set is an array of strings, so "" and [] stay apart
    /// from `.empty`.
    public var json: JSON {
        switch self {
        case .empty: .null
        case .string(let s): .string(s)
        case .number(let n): .number(n)
        case .bool(let b): .bool(b)
        case .list(let items): .array(items.map(JSON.string))
        }
    }
}
