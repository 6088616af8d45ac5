import Foundation
import SyncCore

/// How model values are written into columns.
enum Stored {
    /// Milliseconds since 1970 UTC: `updatedAt` and bookkeeping times keep millisecond precision.
    static func millis(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    static func date(millis: Int64) -> Date {
        Date(timeIntervalSince1970: Double(millis) / 1000)
    }

    /// A UInt64 content hash in an INTEGER column.
    static func hash(_ value: UInt64) -> Int64 { Int64(bitPattern: value) }

    static func hash(_ value: Int64) -> UInt64 { UInt64(bitPattern: value) }

    /// A refusal as the JSON text of its column; nil when nothing is refused.
    static func refusal(_ refusal: Refusal) -> String? {
        guard !refusal.isEmpty else { return nil }
        var object: JSONObject = [:]
        if let edit = refusal.edit { object["edit"] = .string(edit) }
        if let delete = refusal.delete { object["delete"] = .string(delete) }
        return JSON.object(object).serialized(sortedKeys: true)
    }

    /// A refusal read back; anything unreadable reads as none.
    static func refusal(_ text: String?) -> Refusal {
        guard let text, let json = try? JSON(parsing: text) else { return Refusal() }
        return Refusal(edit: json["edit"]?.stringValue, delete: json["delete"]?.stringValue)
    }

    /// Identity values in one TEXT column, joined with U+001F (unit separator).
    static func identity(_ values: [String]) -> String {
        values.joined(separator: "\u{1F}")
    }

    /// The identity values, or nil when the text does not hold `count` of them.
    ///
    /// Split on the byte 0x1F, which UTF-8 never uses inside another character: splitting by
    /// `Character` costs grapheme breaking, a tenth of a plan's time with a million linked pairs.
    static func identity(_ text: String, count: Int) -> [String]? {
        if count == 0 { return text.isEmpty ? [] : nil }
        var text = text
        return text.withUTF8 { bytes -> [String]? in
            var values: [String] = []
            values.reserveCapacity(count)
            var start = 0
            for index in 0...bytes.count where index == bytes.count || bytes[index] == 0x1F {
                guard values.count < count else { return nil }
                values.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
                start = index + 1
            }
            return values.count == count ? values : nil
        }
    }

    static func side(_ text: String?, column: String) throws(StoredValueError) -> Side? {
        guard let text else { return nil }
        guard let side = Side(rawValue: text) else { throw StoredValueError("\(column) holds \"\(text)\", not a side") }
        return side
    }
}

/// A column holds something this build never writes.
struct StoredValueError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) { self.description = description }
}
