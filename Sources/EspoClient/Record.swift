import SyncCore

extension Espo {
    /// One record as EspoCRM sent it: the raw attribute object, plus typed reads that name the field
    /// that does not have the expected type.
    public struct Record: Sendable, Equatable {
        /// Every attribute the answer carried, in its order.
        public let attributes: JSONObject
        public let id: String
        /// `YYYY-MM-DD HH:mm:ss` UTC; nil when the answer did not carry it (a `select` without it).
        public let modifiedAt: String?

        /// Reads a record object; fails when `id` is missing or `modifiedAt` is not a UTC date-time.
        public init(_ json: JSON) throws(FieldError) {
            guard case .object(let attributes) = json else { throw FieldError(field: "(record)", expected: "an object", got: json) }
            self.attributes = attributes
            guard case .string(let id)? = attributes["id"], !id.isEmpty else {
                throw FieldError(field: "id", expected: "a non-empty string", got: attributes["id"])
            }
            self.id = id
            switch attributes["modifiedAt"] {
            case nil, .null?: modifiedAt = nil
            case .string(let text)? where Record.isDateTime(text): modifiedAt = text
            case let other: throw FieldError(field: "modifiedAt", expected: "a `YYYY-MM-DD HH:mm:ss` date-time", got: other)
            }
        }

        public subscript(attribute: String) -> JSON? { attributes[attribute] }

        /// A string attribute; nil when absent or null.
        public func string(_ field: String) throws(FieldError) -> String? {
            switch attributes[field] {
            case nil, .null?: return nil
            case .string(let text)?: return text
            case let other: throw FieldError(field: field, expected: "a string", got: other)
            }
        }

        /// A boolean attribute; nil when absent or null.
        public func bool(_ field: String) throws(FieldError) -> Bool? {
            switch attributes[field] {
            case nil, .null?: return nil
            case .bool(let flag)?: return flag
            case let other: throw FieldError(field: field, expected: "a boolean", got: other)
            }
        }

        /// An integer attribute; nil when absent or null.
        public func int(_ field: String) throws(FieldError) -> Int? {
            switch attributes[field] {
            case nil, .null?: return nil
            case .number(let number)? where number.rounded() == number && abs(number) < 1e15: return Int(number)
            case let other: throw FieldError(field: field, expected: "an integer", got: other)
            }
        }

        /// A list of strings (`accountsIds`); nil when absent or null.
        public func strings(_ field: String) throws(FieldError) -> [String]? {
            switch attributes[field] {
            case nil, .null?: return nil
            case .array(let items)?:
                var out: [String] = []
                for (index, item) in items.enumerated() {
                    guard case .string(let text) = item else {
                        throw FieldError(field: "\(field)[\(index)]", expected: "a string", got: item)
                    }
                    out.append(text)
                }
                return out
            case let other: throw FieldError(field: field, expected: "an array of strings", got: other)
            }
        }

        /// A list of objects (`emailAddressData`) read by `read`; nil when absent or null.
        public func objects<Item>(_ field: String, _ read: (JSONObject, String) throws(FieldError) -> Item) throws(FieldError) -> [Item]? {
            switch attributes[field] {
            case nil, .null?: return nil
            case .array(let items)?:
                var out: [Item] = []
                for (index, item) in items.enumerated() {
                    guard case .object(let object) = item else {
                        throw FieldError(field: "\(field)[\(index)]", expected: "an object", got: item)
                    }
                    out.append(try read(object, "\(field)[\(index)]"))
                }
                return out
            case let other: throw FieldError(field: field, expected: "an array", got: other)
            }
        }

        /// Whether `text` is `YYYY-MM-DD HH:mm:ss`.
        static func isDateTime(_ text: String) -> Bool {
            let bytes = Array(text.utf8)
            guard bytes.count == 19 else { return false }
            for (index, byte) in bytes.enumerated() {
                switch index {
                case 4, 7: if byte != UInt8(ascii: "-") { return false }
                case 10: if byte != UInt8(ascii: " ") { return false }
                case 13, 16: if byte != UInt8(ascii: ":") { return false }
                default: if !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { return false }
                }
            }
            return true
        }
    }

    /// An attribute of an answer that does not have the type the spec gives it.
    public struct FieldError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The attribute's path in the record: `emailAddressData[1].primary`.
        public var field: String
        public var expected: String
        /// What arrived instead (`null`, `number`, `absent`…).
        public var got: String

        public init(field: String, expected: String, got: JSON?) {
            self.field = field
            self.expected = expected
            self.got = got?.kindName ?? "absent"
        }

        public var description: String { "field `\(field)`: expected \(expected), got \(got)" }
    }
}

/// A record type the client can read and write.
public protocol EspoEntity: Sendable {
    static var entityType: Espo.EntityType { get }
    /// The raw record behind the typed properties.
    var record: Espo.Record { get }
    /// Reads the typed properties, naming the first field of the wrong type.
    init(record: Espo.Record) throws(Espo.FieldError)
}

extension EspoEntity {
    public var id: String { record.id }
    public var modifiedAt: String? { record.modifiedAt }
    /// Any attribute, typed or not (custom `c…` fields, for example).
    public subscript(attribute: String) -> JSON? { record[attribute] }
}
