/// Which records of a side are in scope. String comparisons ignore case.
public indirect enum Filter: Sendable, Hashable {
    /// Every filter holds.
    case all([Filter])
    /// At least one filter holds.
    case any([Filter])
    /// The filter does not hold.
    case not(Filter)
    /// A test on the value at a path.
    case test(SourcePath, FilterTest)

    /// Whether `record` passes.
    public func matches(_ record: JSONObject) -> Bool {
        switch self {
        case .all(let filters): return filters.allSatisfy { $0.matches(record) }
        case .any(let filters): return filters.contains { $0.matches(record) }
        case .not(let filter): return !filter.matches(record)
        case .test(let path, let test): return test.holds(for: path.read(from: record))
        }
    }
}

/// A test on one value; `nil` stands for a value the record does not have.
public enum FilterTest: Sendable, Hashable {
    /// The value equals this one.
    case equals(JSON)
    /// The value is one of these.
    case oneOf([JSON])
    /// An array value has this element, or a text value contains this text.
    case contains(JSON)
    /// The value is present and not null (`true`), or absent or null (`false`).
    case exists(Bool)
    /// The value is absent, null, "" or [] (`true`), or none of those (`false`).
    case isEmpty(Bool)

    func holds(for value: JSON?) -> Bool {
        switch self {
        case .equals(let expected):
            guard let value else { return false }
            return FilterTest.same(value, expected)
        case .oneOf(let options):
            guard let value else { return false }
            return options.contains { FilterTest.same(value, $0) }
        case .contains(let needle):
            switch value {
            case .array(let items)?: return items.contains { FilterTest.same($0, needle) }
            case .string(let s)?:
                guard case .string(let n) = needle else { return false }
                return s.lowercased().contains(n.lowercased())
            default: return false
            }
        case .exists(let expected):
            let present = value.map { !$0.isNull } ?? false
            return present == expected
        case .isEmpty(let expected):
            return (value?.isEmptyValue ?? true) == expected
        }
    }

    private static func same(_ a: JSON, _ b: JSON) -> Bool {
        if case .string(let x) = a, case .string(let y) = b {
            return x.caseInsensitiveCompare(y) == .orderedSame
        }
        return a == b
    }
}
