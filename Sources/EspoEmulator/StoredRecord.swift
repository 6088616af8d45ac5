import SyncCore

/// One record as the emulator keeps it.
struct StoredRecord: Sendable {
    /// Stored attributes: what clients wrote plus system attributes, in insertion order.
    var attributes: JSONObject
    /// `emailAddressData` entries: `emailAddress`, `lower`, `primary`, `optOut`, `invalid`.
    var emails: [JSONObject] = []
    /// `phoneNumberData` entries: `phoneNumber`, `type`, `primary`, `optOut`, `invalid`.
    var phones: [JSONObject] = []
    var deleted = false

    var id: String { attributes["id"]?.stringValue ?? "" }

    /// The entry marked primary, else the first.
    static func primary(_ entries: [JSONObject]) -> JSONObject? {
        entries.first { $0["primary"] == .bool(true) } ?? entries.first
    }
}
