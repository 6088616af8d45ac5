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
    /// Seconds since 1970 UTC.
    public var updatedAt: Int64? { raw.instant("updatedAt") }
}
