import SyncCore

/// A business as the emulator keeps it (`businesses:BusinessDto`): the members last written and the
/// server-kept dates. Unset members are left out of every answer, never answered as null.
struct StoredBusiness: Sendable {
    static let writable: Set<String> = [
        "name", "phone", "email", "website", "address", "city", "state", "postalCode", "country", "description",
    ]

    let id: String
    let locationId: String
    var fields: JSONObject = [:]
    let createdAt: Int64
    var updatedAt: Int64

    init(id: String, locationId: String, fields: JSONObject, at time: Int64) {
        self.id = id
        self.locationId = locationId
        self.createdAt = time
        self.updatedAt = time
        apply(fields)
    }

    /// Writes `changes` over the members: `null` or an empty string clears one; phones become E.164.
    mutating func apply(_ changes: JSONObject) {
        for (key, value) in changes where StoredBusiness.writable.contains(key) {
            guard let text = value.stringValue, !text.isEmpty else {
                fields[key] = nil
                continue
            }
            if key == "phone", let e164 = PhoneNumber.e164(text, defaultRegion: "US") {
                fields[key] = .string(e164)
            } else {
                fields[key] = .string(text)
            }
        }
    }

    /// The `BusinessDto` shape.
    func read() -> JSONObject {
        var out: JSONObject = ["id": .string(id), "locationId": .string(locationId)]
        for (key, value) in fields { out[key] = value }
        out["createdAt"] = .string(GHLTime.iso(createdAt))
        out["updatedAt"] = .string(GHLTime.iso(updatedAt))
        return out
    }
}
