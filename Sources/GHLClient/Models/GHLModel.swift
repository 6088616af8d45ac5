import SyncCore

/// A record as GHL returned it: the raw JSON object (the engine maps it through the mapping files)
/// with typed accessors that tolerate what the spec leaves loose.
public protocol GHLModel: Sendable, Hashable {
    /// The object as received, unknown members included.
    var raw: JSONObject { get }
    /// The record's id.
    var id: String { get }
    /// Reads a record; only the id is required.
    init(raw: JSONObject) throws(ModelError)
}

/// A record GHL returned that cannot be read: which field, and what was wrong with it.
public struct ModelError: Error, Sendable, CustomStringConvertible {
    public var field: String
    public var problem: String
    public var description: String { "field `\(field)`: \(problem)" }
}

extension JSONObject {
    /// The required string id (`id`, or `_id` in some older shapes).
    func requiredId() throws(ModelError) -> String {
        for key in ["id", "_id"] {
            if let value = self[key] {
                guard let text = value.stringValue, !text.isEmpty else {
                    throw ModelError(field: key, problem: "expected a non-empty string, found \(value.kindName)")
                }
                return text
            }
        }
        throw ModelError(field: "id", problem: "missing")
    }

    /// A string member; numbers are given as their text, anything else is nil.
    func text(_ key: String) -> String? {
        switch self[key] {
        case .string(let text)?: text
        case .number(let number)?: number.rounded() == number ? String(Int64(number)) : String(number)
        default: nil
        }
    }

    /// A Boolean member; the strings `true`/`false` are accepted too.
    func flag(_ key: String) -> Bool? {
        switch self[key] {
        case .bool(let flag)?: flag
        case .string("true")?: true
        case .string("false")?: false
        default: nil
        }
    }

    /// An instant member in any of GHL's date shapes, as seconds since 1970 UTC.
    func instant(_ key: String) -> Int64? { GHLDate.seconds(self[key]) }

    /// An array of strings; other elements are skipped.
    func texts(_ key: String) -> [String] { self[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
}

/// GHL's date shapes: ISO with `Z` and milliseconds (contacts, tasks, notes), ISO with an offset
/// (calendars), naive `YYYY-MM-DD HH:mm:ss` read as UTC (contact appointments), epoch milliseconds as
/// a number or a string of digits (FACTS §9.3).
public enum GHLDate {
    /// Seconds since 1970 UTC, or nil when `value` is no date.
    public static func seconds(_ value: JSON?) -> Int64? {
        milliseconds(value).map { $0 >= 0 ? $0 / 1000 : ($0 - 999) / 1000 }
    }

    /// Milliseconds since 1970 UTC (fractions of a second kept for ISO text).
    public static func milliseconds(_ value: JSON?) -> Int64? {
        switch value {
        case .number(let number)?: return Int64(number)
        case .string(let text)?:
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty, trimmed.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), trimmed.count >= 11 { return Int64(trimmed) }
            guard let seconds = Timestamp.parse(trimmed) else { return nil }
            return seconds * 1000 + fraction(trimmed)
        default: return nil
        }
    }

    /// `2026-01-31T23:59:58.123Z`: how GHL writes instants.
    public static func iso8601(milliseconds: Int64) -> String {
        let seconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        let millis = milliseconds - seconds * 1000
        var text = Timestamp.iso8601(seconds)
        text.removeLast()
        let digits = String(millis)
        return text + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    /// The milliseconds of `HH:mm:ss.fff` in `text`, 0 when there are none.
    private static func fraction(_ text: String) -> Int64 {
        guard let colon = text.lastIndex(of: ":"), let dot = text[colon...].firstIndex(where: { $0 == "." || $0 == "," }) else { return 0 }
        let digits = text[text.index(after: dot)...].prefix { $0.isASCII && $0.isNumber }
        let padded = (digits + "000").prefix(3)
        return Int64(padded) ?? 0
    }
}
