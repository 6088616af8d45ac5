import Foundation

/// A step between a side's raw value and the canonical value, with a read direction (side → canonical)
/// and a write direction (canonical → side). The registry of names and options is `Transform.registry`.
public enum Transform: Sendable, Hashable {
    /// Read: strip leading and trailing whitespace. Write: unchanged.
    case trim
    /// Read: lower case. Write: unchanged.
    case lower
    /// Read: upper case. Write: unchanged.
    case upper
    /// Read: trim, and turn every run of whitespace into one space. Write: unchanged.
    case collapseWhitespace
    /// Read: E.164 (`+14155550100`), national numbers read in `defaultRegion`; kept as is when not a number. Write: unchanged.
    case e164(defaultRegion: String)
    /// Read: any accepted date-time to canonical `YYYY-MM-DDTHH:mm:ssZ`. Write: to `format` in `timeZone`.
    case dateTime(format: DateTimeFormat, timeZone: TimeZone)
    /// Read: a date or date-time to canonical `YYYY-MM-DD` (the day in `timeZone`). Write: `YYYY-MM-DD`.
    case date(timeZone: TimeZone)
    /// Read: a number or numeric text to a number. Write: a number, or text when `raw` is `.string`.
    case number(raw: RawForm)
    /// Read: true/false, "true"/"false", "yes"/"no", "on"/"off", 1/0 to a boolean. Write: a boolean, or text.
    case bool(raw: RawForm)
    /// Read: numbers and booleans to text. Write: text.
    case string
    /// Read: raw → canonical through the table. Write: canonical → raw through the inverse.
    case map(ValueMap)
    /// Read: the default reads as empty. Write: empty is written as the default.
    case defaultValue(FieldValue)
    /// Two paths (first name, last name). Read: joined with a space. Write: the last word is the last name.
    case fullName
    /// Read: text split at `separator` into a set. Write: the set joined with `joinWith`.
    case split(separator: String, joinWith: String)

    /// How a coerced value is held on its side.
    public enum RawForm: String, Sendable, Hashable {
        case native, string
    }

    /// The formats `dateTime` writes.
    public enum DateTimeFormat: String, Sendable, Hashable, CaseIterable {
        /// `2026-01-31T23:59:58Z`
        case iso8601
        /// `2026-01-31 23:59:58` (EspoCRM, UTC)
        case espo
        /// Milliseconds since 1970 as a number.
        case epochMillis
    }

    /// Side → canonical.
    public func read(_ value: FieldValue) -> FieldValue {
        switch self {
        case .trim: return mapStrings(value) { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        case .lower: return mapStrings(value) { $0.lowercased() }
        case .upper: return mapStrings(value) { $0.uppercased() }
        case .collapseWhitespace: return mapStrings(value, Transform.collapse)
        case .e164(let region):
            return mapStrings(value) { s in
                let trimmed = s.trimmingCharacters(in: .whitespacesAndNewlines)
                return PhoneNumber.e164(trimmed, defaultRegion: region) ?? trimmed
            }
        case .dateTime(_, let zone):
            switch value {
            case .number(let ms): return .string(Timestamp.iso8601(Int64((ms / 1000).rounded(.down))))
            case .string(let s): return .string(Timestamp.parse(s, timeZone: zone).map(Timestamp.iso8601) ?? s)
            default: return value
            }
        case .date(let zone):
            guard case .string(let s) = value else { return value }
            return .string(Timestamp.parseDay(s, timeZone: zone) ?? s)
        case .number:
            switch value {
            case .string(let s):
                let t = s.trimmingCharacters(in: .whitespaces)
                if t.isEmpty { return .empty }
                return Double(t).map(FieldValue.number) ?? value
            case .bool(let b): return .number(b ? 1 : 0)
            default: return value
            }
        case .bool:
            switch value {
            case .string(let s): return Transform.boolWords[s.trimmingCharacters(in: .whitespaces).lowercased()].map(FieldValue.bool) ?? value
            case .number(let n) where n == 0 || n == 1: return .bool(n == 1)
            default: return value
            }
        case .string:
            switch value {
            case .number(let n): return .string(FieldValue.format(n))
            case .bool(let b): return .string(b ? "true" : "false")
            default: return value
            }
        case .map(let table): return mapStrings(value) { table.read($0) }
        case .defaultValue(let fallback): return value == fallback ? .empty : value
        case .fullName:
            guard case .list(let parts) = value else { return value }
            let words = parts.map { Transform.collapse($0) }.filter { !$0.isEmpty }
            return words.isEmpty ? .empty : .string(words.joined(separator: " "))
        case .split(let separator, _):
            guard case .string(let s) = value else { return value }
            return .set(s.components(separatedBy: separator).map { $0.trimmingCharacters(in: .whitespaces) })
        }
    }

    /// Canonical → side.
    public func write(_ value: FieldValue) -> FieldValue {
        switch self {
        case .trim, .lower, .upper, .collapseWhitespace, .e164, .string:
            return value
        case .dateTime(let format, let zone):
            guard case .string(let s) = value, let seconds = Timestamp.parse(s, timeZone: .utc) else { return value }
            switch format {
            case .iso8601: return .string(Timestamp.iso8601(seconds))
            case .espo: return .string(Timestamp.naive(seconds, timeZone: zone))
            case .epochMillis: return .number(Double(seconds) * 1000)
            }
        case .date:
            return value
        case .number(let raw):
            if raw == .string, case .number(let n) = value { return .string(FieldValue.format(n)) }
            return value
        case .bool(let raw):
            if raw == .string, case .bool(let b) = value { return .string(b ? "true" : "false") }
            return value
        case .map(let table): return mapStrings(value) { table.write($0) }
        case .defaultValue(let fallback): return value.isEmpty ? fallback : value
        case .fullName:
            guard case .string(let s) = value else { return value.isEmpty ? .list(["", ""]) : value }
            var words = Transform.collapse(s).split(separator: " ").map(String.init)
            guard let last = words.popLast() else { return .list(["", ""]) }
            return .list([words.joined(separator: " "), last])
        case .split(_, let joinWith):
            guard case .list(let items) = value else { return value }
            return .string(items.joined(separator: joinWith))
        }
    }

    /// Whether the transform takes several paths' values as its input.
    public var joinsPaths: Bool { self == .fullName }

    static let boolWords: [String: Bool] = [
        "true": true, "false": false, "yes": true, "no": false, "on": true, "off": false,
        "1": true, "0": false, "y": true, "n": false,
    ]

    static func collapse(_ s: String) -> String {
        s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    private func mapStrings(_ value: FieldValue, _ f: (String) -> String) -> FieldValue {
        switch value {
        case .string(let s): return FieldValue.string(f(s)).normalized
        case .list(let items): return .set(items.map(f))
        default: return value
        }
    }
}
