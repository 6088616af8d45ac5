import SyncCore

/// A contact as the emulator keeps it: the writable fields as last written (normalised as GHL
/// normalises them) and the server-kept dates.
struct StoredContact: Sendable {
    enum Shape { case full, created, row }

    let id: String
    let locationId: String
    var fields: JSONObject
    let dateAdded: Int64
    var dateUpdated: Int64

    var email: String? { fields["email"]?.stringValue?.lowercased() }
    var phone: String? { fields["phone"]?.stringValue }

    init(id: String, locationId: String, fields: JSONObject, dateAdded: Int64, dateUpdated: Int64) {
        self.id = id
        self.locationId = locationId
        self.fields = [:]
        self.dateAdded = dateAdded
        self.dateUpdated = dateUpdated
        apply(fields)
    }

    /// Writes `changes` over the fields: phones become E.164, custom field values are kept under
    /// `value` whichever key carried them, `tags` replaces the set, `null` clears.
    mutating func apply(_ changes: JSONObject) {
        for (key, value) in changes {
            switch key {
            case "locationId", "createNewIfDuplicateAllowed": continue
            case "phone":
                if let text = value.stringValue, let e164 = PhoneNumber.e164(text, defaultRegion: "US") {
                    fields[key] = .string(e164)
                } else {
                    fields[key] = StoredContact.clears(value) ? nil : value
                }
            case "dateOfBirth":
                fields[key] = value.stringValue.flatMap { DateOfBirth.day($0) }.map { .string($0) }
            case "customFields":
                var values: [String: JSON] = [:]
                var order: [String] = []
                for item in fields["customFields"]?.arrayValue ?? [] {
                    if let id = item["id"]?.stringValue { values[id] = item["value"]; order.append(id) }
                }
                for item in value.arrayValue ?? [] {
                    guard let id = item["id"]?.stringValue ?? item["key"]?.stringValue else { continue }
                    let new = item["field_value"] ?? item["fieldValue"] ?? item["value"] ?? .null
                    if values[id] == nil { order.append(id) }
                    values[id] = new
                }
                fields["customFields"] = .array(order.compactMap { id in
                    guard let value = values[id], !value.isNull else { return nil }
                    return ["id": .string(id), "value": value]
                })
            default:
                fields[key] = StoredContact.clears(value) ? nil : value
            }
        }
    }

    /// Whether a written value clears the field: `null` or an empty string. A cleared field is left
    /// out of every answer, never answered as null or "".
    static func clears(_ value: JSON) -> Bool { value.isNull || value == .string("") }

    /// The contact in one of the spec's shapes (`GetContectByIdSchema`, `CreateContactSchema`, a search
    /// or list row). `businessId` is there only while the contact belongs to a business.
    func read(shape: Shape) -> JSONObject {
        var out: JSONObject = ["id": .string(id), "locationId": .string(locationId)]
        let first = fields["firstName"]?.stringValue
        let last = fields["lastName"]?.stringValue
        if shape != .created {
            let name = fields["name"]?.stringValue ?? [first, last].compactMap { $0 }.joined(separator: " ")
            if !name.isEmpty { out["name"] = .string(name) }
        }
        for key in ["firstName", "lastName", "email", "phone", "companyName", "address1", "city", "state",
                    "postalCode", "country", "website", "source", "assignedTo", "gender"] {
            // Search rows carry the street as `address`, not `address1` (FACTS §7.1).
            let name = shape == .row && key == "address1" ? "address" : key
            if let value = fields[key], let text = value.stringValue { out[name] = .string(text) }
        }
        if let first { out["firstNameLowerCase"] = .string(first.lowercased()) }
        if let last { out["lastNameLowerCase"] = .string(last.lowercased()) }
        if first != nil || last != nil {
            out["fullNameLowerCase"] = .string([first, last].compactMap { $0 }.joined(separator: " ").lowercased())
        }
        if let email { out["emailLowerCase"] = .string(email) }
        if shape != .created, let zone = fields["timezone"]?.stringValue { out["timezone"] = .string(zone) }
        out["dnd"] = .bool(fields["dnd"]?.boolValue ?? false)
        if let settings = fields["dndSettings"], settings.objectValue != nil { out["dndSettings"] = settings }
        out["type"] = "lead"
        out["tags"] = fields["tags"] ?? []
        if let day = fields["dateOfBirth"]?.stringValue {
            out["dateOfBirth"] = .string(shape == .created ? day + "T00:00:00.000Z" : day)
        }
        out["customFields"] = .array((fields["customFields"]?.arrayValue ?? []).map { item in
            var item = item.objectValue ?? [:]
            if let value = item["value"], value.stringValue == nil { item["value"] = .string(value.serialized()) }
            return .object(item)
        })
        if let business = fields["businessId"]?.stringValue { out["businessId"] = .string(business) }
        out["dateAdded"] = .string(GHLTime.iso(dateAdded))
        out["dateUpdated"] = .string(GHLTime.iso(dateUpdated))
        if shape == .created { out["deleted"] = false }
        if shape == .row { out["searchAfter"] = [.number(Double(dateUpdated)), .string(id)] }
        return out
    }
}

/// `dateOfBirth` as GHL reads it: many input formats, stored as `YYYY-MM-DD`.
enum DateOfBirth {
    static func day(_ text: String) -> String? {
        if let day = Timestamp.parseDay(text.replacingOccurrences(of: "/", with: "-").replacingOccurrences(of: ".", with: "-")
            .replacingOccurrences(of: "_", with: "-")) { return day }
        let parts = text.split(whereSeparator: { "/-._".contains($0) })
        if parts.count == 3, parts[2].count == 4, let m = Int(parts[0]), let d = Int(parts[1]), (1...12).contains(m), (1...31).contains(d) {
            return "\(parts[2])-" + (m < 10 ? "0\(m)" : "\(m)") + "-" + (d < 10 ? "0\(d)" : "\(d)")
        }
        return nil
    }
}

/// GHL's instant format.
enum GHLTime {
    /// `2026-01-31T23:59:58.123Z`
    static func iso(_ milliseconds: Int64) -> String {
        let seconds = milliseconds / 1000
        let millis = milliseconds % 1000
        var text = Timestamp.iso8601(seconds)
        text.removeLast()
        let digits = String(millis)
        return text + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    /// Milliseconds of an ISO time or epoch-milliseconds number.
    static func milliseconds(_ value: JSON?) -> Int64? {
        switch value {
        case .number(let number)?: return Int64(number)
        case .string(let text)?:
            if let number = Int64(text), text.count > 10 { return number }
            guard let seconds = Timestamp.parse(text) else { return nil }
            var millis: Int64 = 0
            if let dot = text.lastIndex(of: "."), let colon = text.lastIndex(of: ":"), dot > colon {
                millis = Int64(String((text[text.index(after: dot)...].prefix { $0.isNumber } + "000").prefix(3))) ?? 0
            }
            return seconds * 1000 + millis
        default: return nil
        }
    }
}
