import SyncCore

/// A GHL contact, from any of its shapes (get, create, search row, list row).
public struct Contact: GHLModel {
    public let raw: JSONObject
    public let id: String

    public init(raw: JSONObject) throws(ModelError) {
        self.raw = raw
        self.id = try raw.requiredId()
        if let value = raw["customFields"], !value.isNull, value.arrayValue == nil {
            throw ModelError(field: "customFields", problem: "expected an array, found \(value.kindName)")
        }
    }

    public var locationId: String? { raw.text("locationId") }
    public var firstName: String? { raw.text("firstName") }
    public var lastName: String? { raw.text("lastName") }
    /// `name`, or first and last name joined (create answers and list rows lack `name`).
    public var name: String? {
        if let name = raw.text("name"), !name.isEmpty { return name }
        let joined = [firstName, lastName].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
        return joined.isEmpty ? nil : joined
    }
    public var email: String? { raw.text("email") }
    public var phone: String? { raw.text("phone") }
    public var companyName: String? { raw.text("companyName") }
    public var businessId: String? { raw.text("businessId") }
    public var tags: [String] { raw.texts("tags") }
    /// Seconds since 1970 UTC.
    public var dateAdded: Int64? { raw.instant("dateAdded") }
    /// Seconds since 1970 UTC.
    public var dateUpdated: Int64? { raw.instant("dateUpdated") }
    /// Milliseconds since 1970 UTC, as the search cursor orders them.
    public var dateUpdatedMilliseconds: Int64? { GHLDate.milliseconds(raw["dateUpdated"]) }
    /// `YYYY-MM-DD`, whichever shape GHL used.
    public var dateOfBirth: String? { raw.text("dateOfBirth").flatMap { Timestamp.parseDay($0) } }

    /// Custom field values by field id; the value keeps its JSON type (string, number, array, object).
    public var customFields: [String: JSON] {
        var values: [String: JSON] = [:]
        for item in raw["customFields"]?.arrayValue ?? [] {
            guard let id = item["id"]?.stringValue else { continue }
            values[id] = item["value"] ?? item["fieldValue"] ?? item["field_value"] ?? .null
        }
        return values
    }
}
