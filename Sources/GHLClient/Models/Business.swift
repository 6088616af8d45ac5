import SyncCore

/// A business (company) of a location (`businesses:BusinessDto`).
public struct Business: GHLModel {
    public let raw: JSONObject
    public let id: String

    public init(raw: JSONObject) throws(ModelError) {
        self.raw = raw
        self.id = try raw.requiredId()
    }

    public var name: String? { raw.text("name") }
    public var email: String? { raw.text("email") }
    public var phone: String? { raw.text("phone") }
    public var website: String? { raw.text("website") }
    /// The street (GHL calls it `address`).
    public var address: String? { raw.text("address") }
    public var city: String? { raw.text("city") }
    public var state: String? { raw.text("state") }
    public var postalCode: String? { raw.text("postalCode") }
    /// Free text (`united states`, `us`), not an ISO code (FACTS §7.4).
    public var country: String? { raw.text("country") }
    public var description: String? { raw.text("description") }
    public var locationId: String? { raw.text("locationId") }
    /// Seconds since 1970 UTC.
    public var createdAt: Int64? { raw.instant("createdAt") }
    /// Seconds since 1970 UTC.
    public var updatedAt: Int64? { raw.instant("updatedAt") }
    /// Milliseconds since 1970 UTC.
    public var updatedAtMilliseconds: Int64? { GHLDate.milliseconds(raw["updatedAt"]) }
}
