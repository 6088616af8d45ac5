import Foundation
import OrderedCollections

extension Transform {
    /// Every transform name a mapping file may use, with the options it takes.
    public static let registry: OrderedDictionary<String, String> = [
        "trim": "no options",
        "lower": "no options",
        "upper": "no options",
        "collapseWhitespace": "no options",
        "e164": #"{"defaultRegion": "US"}"#,
        "dateTime": #"{"format": "iso8601" | "espo" | "epochMillis", "timeZone": "UTC"}"#,
        "date": #"{"timeZone": "UTC"} (optional)"#,
        "number": #"{"raw": "native" | "string"} (optional)"#,
        "bool": #"{"raw": "native" | "string"} (optional)"#,
        "string": "no options",
        "map": #"{"values": {"raw": "canonical", …}, "inverse": {…} (optional), "otherwise": "keep" | "empty" (optional)}"#,
        "default": "the value itself, e.g. {\"default\": \"Unknown\"}",
        "fullName": "no options; needs \"paths\" [first name, last name]",
        "split": #"{"separator": ",", "joinWith": ", " (optional)}"#,
    ]

    /// Reads one entry of a `transforms` array: `"name"` or `{"name": options}`.
    static func parse(_ json: JSON, at path: String, reader: inout DocumentReader) -> Transform? {
        let names = registry.keys.map { "\"\($0)\"" }.joined(separator: ", ")
        let name: String
        let options: JSON?
        switch json {
        case .string(let s):
            name = s
            options = nil
        case .object(let object) where object.count == 1:
            name = object.keys[0]
            options = object.values[0]
        default:
            reader.fail(path, "a transform is a name or an object with one key, found \(json.kindName)",
                        fix: "write \"trim\" or {\"e164\": {\"defaultRegion\": \"US\"}}")
            return nil
        }
        guard let usage = registry[name] else {
            let suggestion = DocumentReader.closest(to: name, in: Array(registry.keys)).map { "did you mean \"\($0)\"? " } ?? ""
            reader.fail(path, "unknown transform \"\(name)\"", fix: "\(suggestion)the transforms are \(names)")
            return nil
        }
        let optionsPath = DocumentReader.child(path, name)
        func noOptions(_ t: Transform) -> Transform? {
            if let options, options != .object([:]), options != .null {
                reader.fail(optionsPath, "\"\(name)\" takes no options", fix: "write just \"\(name)\"")
                return nil
            }
            return t
        }
        func object(_ allowed: [String], required: Bool) -> JSONObject? {
            guard let options else {
                if required { reader.fail(path, "\"\(name)\" needs options", fix: "write {\"\(name)\": \(usage)}") }
                return required ? nil : [:]
            }
            return reader.object(options, at: optionsPath, allowed: allowed, what: "the options of \"\(name)\"")
        }
        func timeZone(_ object: JSONObject) -> TimeZone? {
            guard let json = object["timeZone"] else { return .utc }
            guard let id = reader.string(json, at: optionsPath + ".timeZone", what: "a time zone"),
                  let zone = TimeZone(identifier: id) else {
                if let id = json.stringValue {
                    reader.fail(optionsPath + ".timeZone", "unknown time zone \"\(id)\"",
                                fix: "use an IANA name such as \"UTC\", \"America/New_York\" or \"Europe/Berlin\"")
                }
                return nil
            }
            return zone
        }
        func rawForm(_ object: JSONObject) -> RawForm? {
            guard let json = object["raw"] else { return .native }
            return reader.choice(json, at: optionsPath + ".raw", as: RawFormName.self).map { $0 == .native ? .native : .string }
        }

        switch name {
        case "trim": return noOptions(.trim)
        case "lower": return noOptions(.lower)
        case "upper": return noOptions(.upper)
        case "collapseWhitespace": return noOptions(.collapseWhitespace)
        case "string": return noOptions(.string)
        case "fullName": return noOptions(.fullName)
        case "e164":
            guard let o = object(["defaultRegion"], required: true),
                  let region = reader.string(reader.required(o, "defaultRegion", at: optionsPath, what: "\"US\""),
                                             at: optionsPath + ".defaultRegion", what: "a region code") else { return nil }
            guard PhoneNumber.callingCode(ofRegion: region) != nil else {
                reader.fail(optionsPath + ".defaultRegion", "unknown region \"\(region)\"",
                            fix: "use an ISO 3166-1 alpha-2 code such as \"US\", \"GB\" or \"DE\"")
                return nil
            }
            return .e164(defaultRegion: region.uppercased())
        case "dateTime":
            guard let o = object(["format", "timeZone"], required: true),
                  let format = reader.choice(reader.required(o, "format", at: optionsPath, what: "\"iso8601\""),
                                             at: optionsPath + ".format", as: DateTimeFormat.self),
                  let zone = timeZone(o) else { return nil }
            return .dateTime(format: format, timeZone: zone)
        case "date":
            guard let o = object(["timeZone"], required: false), let zone = timeZone(o) else { return nil }
            return .date(timeZone: zone)
        case "number":
            guard let o = object(["raw"], required: false), let raw = rawForm(o) else { return nil }
            return .number(raw: raw)
        case "bool":
            guard let o = object(["raw"], required: false), let raw = rawForm(o) else { return nil }
            return .bool(raw: raw)
        case "default":
            switch options {
            case .string(let s)? where !s.isEmpty: return .defaultValue(.string(s))
            case .number(let n)?: return .defaultValue(.number(n))
            case .bool(let b)?: return .defaultValue(.bool(b))
            default:
                reader.fail(optionsPath, "\"default\" needs a non-empty text, number or boolean",
                            fix: "write {\"default\": \"Unknown\"}")
                return nil
            }
        case "split":
            guard let o = object(["separator", "joinWith"], required: true),
                  let separator = reader.string(reader.required(o, "separator", at: optionsPath, what: "\",\""),
                                                at: optionsPath + ".separator", what: "a separator") else { return nil }
            let joinWith = o["joinWith"].flatMap { reader.string($0, at: optionsPath + ".joinWith", what: "a joiner") } ?? separator
            return .split(separator: separator, joinWith: joinWith)
        case "map":
            return parseMap(options, at: optionsPath, reader: &reader)
        default:
            return nil
        }
    }

    private enum RawFormName: String, CaseIterable {
        case native, string
    }

    private static func parseMap(_ options: JSON?, at path: String, reader: inout DocumentReader) -> Transform? {
        guard let options,
              let o = reader.object(options, at: path, allowed: ["values", "inverse", "otherwise"], what: "the options of \"map\"")
        else {
            if options == nil {
                reader.fail(path, "\"map\" needs a table", fix: #"write {"map": {"values": {"raw value": "canonical value"}}}"#)
            }
            return nil
        }
        // A table's keys are data, not mapping keys: read them without the unknown-key check.
        func plainTable(_ key: String) -> OrderedDictionary<String, String>? {
            guard let json = o[key] else { return nil }
            guard case .object(let object) = json else {
                reader.fail(path + "." + key, "expected a table of values (an object), found \(json.kindName)",
                            fix: #"write {"raw value": "canonical value", …}"#)
                return nil
            }
            var result = OrderedDictionary<String, String>()
            for (k, v) in object {
                guard case .string(let s) = v else {
                    reader.fail(DocumentReader.child(path + "." + key, k), "table values must be text, found \(v.kindName)",
                                fix: "write the value in double quotes")
                    continue
                }
                result[k] = s
            }
            return result
        }
        guard let values = plainTable("values") else {
            if o["values"] == nil {
                reader.fail(path, "missing \"values\"", fix: #"add "values": {"raw value": "canonical value"}"#)
            }
            return nil
        }
        let otherwise: ValueMap.Otherwise
        switch o["otherwise"] {
        case nil: otherwise = .keep
        case .string("keep")?: otherwise = .keep
        case .string("empty")?: otherwise = .empty
        case let other?:
            reader.fail(path + ".otherwise", "\(other.stringValue.map { "\"\($0)\"" } ?? other.kindName) is not \"keep\" or \"empty\"",
                        fix: "use \"keep\" (pass unknown values through) or \"empty\"")
            return nil
        }
        if o["inverse"] != nil {
            guard let inverse = plainTable("inverse") else { return nil }
            for canonical in Set(values.values) where inverse[canonical] == nil {
                reader.fail(path + ".inverse", "the inverse does not say what to write for \"\(canonical)\"",
                            fix: "add \"\(canonical)\": \"<raw value>\" to \"inverse\"")
            }
            return .map(ValueMap(values: values, inverse: inverse, otherwise: otherwise, declaredAt: path))
        }
        return .map(ValueMap(values: values, otherwise: otherwise, declaredAt: path))
    }
}
