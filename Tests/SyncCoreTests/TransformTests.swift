import Foundation
import Testing
@testable import SyncCore

@Suite struct TransformTests {
    @Test(arguments: [
        (Transform.trim, FieldValue.string("  Ada  "), FieldValue.string("Ada")),
        (.lower, .string("Ada@X.COM"), .string("ada@x.com")),
        (.upper, .string("us"), .string("US")),
        (.collapseWhitespace, .string("  Mary   Ann\tSmith "), .string("Mary Ann Smith")),
        (.e164(defaultRegion: "US"), .string("(415) 555-0100"), .string("+14155550100")),
        (.e164(defaultRegion: "GB"), .string("020 7946 0958"), .string("+442079460958")),
        (.e164(defaultRegion: "US"), .string("call me"), .string("call me")),
        (.number(raw: .native), .string(" 12.50 "), .number(12.5)),
        (.number(raw: .native), .string("n/a"), .string("n/a")),
        (.bool(raw: .native), .string("Yes"), .bool(true)),
        (.bool(raw: .native), .number(0), .bool(false)),
        (.string, .number(42), .string("42")),
        (.string, .bool(true), .string("true")),
        (.defaultValue(.string("Unknown")), .string("Unknown"), .empty),
        (.defaultValue(.string("Unknown")), .string("Smith"), .string("Smith")),
        (.fullName, .list(["Mary Ann", "Smith"]), .string("Mary Ann Smith")),
        (.fullName, .list(["", "Cher"]), .string("Cher")),
        (.fullName, .list(["", ""]), .empty),
        (.split(separator: ",", joinWith: ", "), .string("vip, crm,,vip"), .list(["crm", "vip"])),
        (.lower, .list(["VIP", "crm"]), .list(["crm", "vip"])),
    ])
    func read(transform: Transform, raw: FieldValue, canonical: FieldValue) {
        #expect(transform.read(raw) == canonical)
    }

    @Test(arguments: [
        (Transform.trim, FieldValue.string("Ada"), FieldValue.string("Ada")),
        (.number(raw: .string), .number(12.5), .string("12.5")),
        (.number(raw: .string), .number(7), .string("7")),
        (.number(raw: .native), .number(7), .number(7)),
        (.bool(raw: .string), .bool(false), .string("false")),
        (.defaultValue(.string("Unknown")), .empty, .string("Unknown")),
        (.fullName, .string("Mary Ann Smith"), .list(["Mary Ann", "Smith"])),
        (.fullName, .string("Cher"), .list(["", "Cher"])),
        (.split(separator: ",", joinWith: ", "), .list(["crm", "vip"]), .string("crm, vip")),
        (.dateTime(format: .espo, timeZone: .utc), .string("2026-01-31T23:59:58Z"), .string("2026-01-31 23:59:58")),
        (.dateTime(format: .iso8601, timeZone: .utc), .string("2026-01-31T23:59:58Z"), .string("2026-01-31T23:59:58Z")),
        (.dateTime(format: .epochMillis, timeZone: .utc), .string("1970-01-01T00:00:01Z"), .number(1000)),
        (.dateTime(format: .espo, timeZone: TimeZone(identifier: "Europe/Berlin")!), .string("2026-07-01T10:00:00Z"), .string("2026-07-01 12:00:00")),
    ])
    func write(transform: Transform, canonical: FieldValue, raw: FieldValue) {
        #expect(transform.write(canonical) == raw)
    }

    @Test func dateTimesReadIntoOneCanonicalForm() {
        let iso = Transform.dateTime(format: .iso8601, timeZone: .utc)
        for raw in ["2026-01-31T23:59:58Z", "2026-01-31T23:59:58.123Z", "2026-02-01T01:59:58+02:00",
                    "2026-02-01T01:59:58+0200", "2026-01-31 23:59:58", "2026-01-31t23:59:58z"] {
            #expect(iso.read(.string(raw)) == .string("2026-01-31T23:59:58Z"), "\(raw)")
        }
        #expect(iso.read(.number(1_769_903_998_000)) == .string("2026-01-31T23:59:58Z"))
        let newYork = Transform.dateTime(format: .iso8601, timeZone: TimeZone(identifier: "America/New_York")!)
        #expect(newYork.read(.string("2021-07-16 11:00:00")) == .string("2021-07-16T15:00:00Z"))
        #expect(newYork.read(.string("2021-01-16 11:00:00")) == .string("2021-01-16T16:00:00Z"))
        #expect(iso.read(.string("not a date")) == .string("not a date"))
    }

    @Test func datesKeepTheCalendarDay() {
        let date = Transform.date(timeZone: .utc)
        #expect(date.read(.string("1990-09-25")) == .string("1990-09-25"))
        #expect(date.read(.string("1990-09-25T00:00:00.000Z")) == .string("1990-09-25"))
        #expect(date.read(.string("2000-02-30")) == .string("2000-02-30"))
        let tokyo = Transform.date(timeZone: TimeZone(identifier: "Asia/Tokyo")!)
        #expect(tokyo.read(.string("1990-09-24T20:00:00Z")) == .string("1990-09-25"))
    }

    @Test func timestampsParseAndPrint() {
        #expect(Timestamp.parse("1970-01-01T00:00:00Z") == 0)
        #expect(Timestamp.parse("1969-12-31T23:59:59Z") == -1)
        #expect(Timestamp.parse("2000-02-29 12:00") == 951_825_600)
        #expect(Timestamp.parse("2001-02-29T00:00:00Z") == nil)
        #expect(Timestamp.parse("2026-01-31T24:00:00Z") == nil)
        #expect(Timestamp.parse("2026-01-31T10:00:00+25:00") == nil)
        #expect(Timestamp.iso8601(951_825_600) == "2000-02-29T12:00:00Z")
        #expect(Timestamp.naive(-1) == "1969-12-31 23:59:59")
        for seconds in stride(from: Int64(-4_000_000_000), to: 8_000_000_000, by: 123_456_789) {
            #expect(Timestamp.parse(Timestamp.iso8601(seconds)) == seconds)
            #expect(Timestamp.parse(Timestamp.naive(seconds)) == seconds)
        }
    }

    @Test func valueMapsReadAndWriteThroughTheirInverse() throws {
        let table = ValueMap(values: ["United States": "US", "Germany": "DE"])
        #expect(table.ambiguous.isEmpty)
        let map = Transform.map(table)
        #expect(map.read(.string("Germany")) == .string("DE"))
        #expect(map.write(.string("DE")) == .string("Germany"))
        #expect(map.read(.string("France")) == .string("France"))
        #expect(ValueMap(values: ["USA": "US", "United States": "US"]).ambiguous == ["US": ["USA", "United States"]])
        #expect(ValueMap(values: ["USA": "US", "United States": "US"], inverse: ["US": "USA"]).ambiguous.isEmpty)
        let strict = Transform.map(ValueMap(values: ["Yes": "true"], otherwise: .empty))
        #expect(strict.read(.string("maybe")) == .empty)
    }

    @Test func everyRegistryNameParses() {
        for (name, _) in Transform.registry {
            var reader = DocumentReader(file: "t.json")
            let json: JSON
            switch name {
            case "e164": json = ["e164": ["defaultRegion": "US"]]
            case "dateTime": json = ["dateTime": ["format": "espo"]]
            case "map": json = ["map": ["values": ["a": "b"]]]
            case "default": json = ["default": "x"]
            case "split": json = ["split": ["separator": ";"]]
            default: json = .string(name)
            }
            #expect(Transform.parse(json, at: "$", reader: &reader) != nil, "\(name)")
            #expect(reader.issues.isEmpty, "\(name): \(reader.issues)")
        }
    }
}
