import OrderedCollections

/// The members of a JSON object, in document (insertion) order.
public typealias JSONObject = OrderedDictionary<String, JSON>

/// A JSON value (RFC 8259).
///
/// Numbers are held as `Double`; integers beyond 2^53 lose precision.
/// Two values are equal when they are structurally equal; object members are
/// compared as a set of key/value pairs, so member order does not affect `==`
/// or hashing (it is still preserved for iteration and serialization).
public enum JSON: Sendable {
    /// The literal `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number; always finite when produced by the parser.
    case number(Double)
    /// A string.
    case string(String)
    /// An ordered list of values.
    case array([JSON])
    /// An object whose members keep their insertion order.
    case object(JSONObject)
}

// MARK: - Parsing entry points

extension JSON {
    /// Parses UTF-8 JSON text (RFC 8259). Throws `JSONSyntaxError` with 1-based line and column.
    public init(parsing bytes: some Collection<UInt8>) throws(JSONSyntaxError) {
        let result = bytes.withContiguousStorageIfAvailable { JSONParser.parse($0) }
            ?? Array(bytes).withUnsafeBufferPointer { JSONParser.parse($0) }
        self = try result.get()
    }

    /// Parses JSON text (RFC 8259). Throws `JSONSyntaxError` with 1-based line and column.
    public init(parsing text: String) throws(JSONSyntaxError) {
        var text = text
        self = try text.withUTF8 { JSONParser.parse($0) }.get()
    }
}

// MARK: - Accessors

extension JSON {
    /// The member named `key` when this is an object; `nil` otherwise.
    public subscript(key: String) -> JSON? {
        guard case .object(let members) = self else { return nil }
        return members[key]
    }

    /// The element at `index` when this is an array and `index` is in range; `nil` otherwise.
    public subscript(index: Int) -> JSON? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    /// The members when this is an object.
    public var objectValue: JSONObject? {
        guard case .object(let members) = self else { return nil }
        return members
    }

    /// The elements when this is an array.
    public var arrayValue: [JSON]? {
        guard case .array(let elements) = self else { return nil }
        return elements
    }

    /// The string when this is a string.
    public var stringValue: String? {
        guard case .string(let string) = self else { return nil }
        return string
    }

    /// The number when this is a number.
    public var numberValue: Double? {
        guard case .number(let number) = self else { return nil }
        return number
    }

    /// The Boolean when this is `true` or `false`.
    public var boolValue: Bool? {
        guard case .bool(let bool) = self else { return nil }
        return bool
    }

    /// Whether this is `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A short name of the kind for error messages: "null", "boolean", "number", "string", "array", "object".
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

// MARK: - Equality and hashing

extension JSON: Hashable {
    /// Structural equality; object members are compared regardless of their order.
    public static func == (lhs: JSON, rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null):
            return true
        case (.bool(let a), .bool(let b)):
            return a == b
        case (.number(let a), .number(let b)):
            return a == b
        case (.string(let a), .string(let b)):
            return a == b
        case (.array(let a), .array(let b)):
            return a == b
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            for (key, value) in a {
                guard let other = b[key], other == value else { return false }
            }
            return true
        default:
            return false
        }
    }

    /// Hashes consistently with `==`: object members contribute independently of their order.
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null:
            hasher.combine(0 as UInt8)
        case .bool(let bool):
            hasher.combine(1 as UInt8)
            hasher.combine(bool)
        case .number(let number):
            hasher.combine(2 as UInt8)
            hasher.combine(number)
        case .string(let string):
            hasher.combine(3 as UInt8)
            hasher.combine(string)
        case .array(let elements):
            hasher.combine(4 as UInt8)
            hasher.combine(elements)
        case .object(let members):
            hasher.combine(5 as UInt8)
            hasher.combine(members.count)
            var combined = 0
            for (key, value) in members {
                var memberHasher = Hasher()
                memberHasher.combine(key)
                memberHasher.combine(value)
                combined ^= memberHasher.finalize()
            }
            hasher.combine(combined)
        }
    }
}

// MARK: - Literals

extension JSON: ExpressibleByNilLiteral {
    /// `nil` is `JSON.null`.
    public init(nilLiteral: ()) {
        self = .null
    }
}

extension JSON: ExpressibleByBooleanLiteral {
    /// A Boolean literal is `JSON.bool`.
    public init(booleanLiteral value: Bool) {
        self = .bool(value)
    }
}

extension JSON: ExpressibleByIntegerLiteral {
    /// An integer literal is `JSON.number`.
    public init(integerLiteral value: Int) {
        self = .number(Double(value))
    }
}

extension JSON: ExpressibleByFloatLiteral {
    /// A floating-point literal is `JSON.number`.
    public init(floatLiteral value: Double) {
        self = .number(value)
    }
}

extension JSON: ExpressibleByStringLiteral {
    /// A string literal is `JSON.string`.
    public init(stringLiteral value: String) {
        self = .string(value)
    }
}

extension JSON: ExpressibleByArrayLiteral {
    /// An array literal is `JSON.array`.
    public init(arrayLiteral elements: JSON...) {
        self = .array(elements)
    }
}

extension JSON: ExpressibleByDictionaryLiteral {
    /// A dictionary literal is `JSON.object` with members in literal order; duplicate keys trap.
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self = .object(JSONObject(uniqueKeysWithValues: elements))
    }
}
