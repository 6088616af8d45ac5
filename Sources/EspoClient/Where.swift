import Transport

extension Espo {
    /// One `where` item of a list request (FACTS §3.3), sent in PHP bracket syntax:
    /// `where[0][type]=equals&where[0][attribute]=emailAddress&where[0][value]=a%2Bb@x.com`.
    public indirect enum Where: Sendable, Equatable {
        case equals(String, Value)
        case notEquals(String, Value)
        case `in`(String, [Value])
        case notIn(String, [Value])
        case greaterThan(String, Value)
        case greaterThanOrEquals(String, Value)
        case lessThan(String, Value)
        case lessThanOrEquals(String, Value)
        /// Strictly after (`>`); for date-times compared as stored UTC `YYYY-MM-DD HH:mm:ss` text.
        case after(String, Value)
        /// Strictly before (`<`).
        case before(String, Value)
        case isNull(String)
        case isNotNull(String)
        case and([Where])
        case or([Where])

        /// A scalar compared with an attribute.
        public enum Value: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
            ExpressibleByBooleanLiteral
        {
            case string(String)
            case number(Double)
            case bool(Bool)

            public init(stringLiteral value: String) { self = .string(value) }
            public init(integerLiteral value: Int) { self = .number(Double(value)) }
            public init(booleanLiteral value: Bool) { self = .bool(value) }

            /// The value as a query string carries it.
            var text: String {
                switch self {
                case .string(let text): text
                case .number(let number):
                    number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
                case .bool(let flag): flag ? "true" : "false"
                }
            }
        }

        /// The item's `type` as EspoCRM names it.
        public var type: String {
            switch self {
            case .equals: "equals"
            case .notEquals: "notEquals"
            case .in: "in"
            case .notIn: "notIn"
            case .greaterThan: "greaterThan"
            case .greaterThanOrEquals: "greaterThanOrEquals"
            case .lessThan: "lessThan"
            case .lessThanOrEquals: "lessThanOrEquals"
            case .after: "after"
            case .before: "before"
            case .isNull: "isNull"
            case .isNotNull: "isNotNull"
            case .and: "and"
            case .or: "or"
            }
        }

        /// The query fields of this item at `prefix` (`where[0]`), unencoded; the transport encodes them.
        public func queryFields(prefix: String) -> [Request.FormField] {
            var fields = [Request.FormField(prefix + "[type]", type)]
            switch self {
            case .equals(let attribute, let value), .notEquals(let attribute, let value),
                .greaterThan(let attribute, let value), .greaterThanOrEquals(let attribute, let value),
                .lessThan(let attribute, let value), .lessThanOrEquals(let attribute, let value),
                .after(let attribute, let value), .before(let attribute, let value):
                fields.append(.init(prefix + "[attribute]", attribute))
                fields.append(.init(prefix + "[value]", value.text))
            case .in(let attribute, let values), .notIn(let attribute, let values):
                fields.append(.init(prefix + "[attribute]", attribute))
                for (index, value) in values.enumerated() {
                    fields.append(.init(prefix + "[value][\(index)]", value.text))
                }
            case .isNull(let attribute), .isNotNull(let attribute):
                fields.append(.init(prefix + "[attribute]", attribute))
            case .and(let items), .or(let items):
                for (index, item) in items.enumerated() {
                    fields += item.queryFields(prefix: prefix + "[value][\(index)]")
                }
            }
            return fields
        }

        /// The fields of a top-level `where` list (items are ANDed by the server).
        public static func queryFields(_ items: [Where]) -> [Request.FormField] {
            items.enumerated().flatMap { $0.element.queryFields(prefix: "where[\($0.offset)]") }
        }
    }
}
