import SyncCore

/// One record as the emulator keeps it.
struct StoredRecord: Sendable {
    /// Stored attributes: what clients wrote plus system attributes, in insertion order.
    var attributes: JSONObject { didSet { cacheKeys() } }
    /// `id` and `modifiedAt`, kept out of the dictionary for fast filtering and ordering.
    private(set) var id = ""
    private(set) var modifiedAt = ""
    /// `emailAddressData` entries: `emailAddress`, `lower`, `primary`, `optOut`, `invalid`.
    var emails: [JSONObject] = []
    /// `phoneNumberData` entries: `phoneNumber`, `type`, `primary`, `optOut`, `invalid`.
    var phones: [JSONObject] = []
    var deleted = false

    init(attributes: JSONObject, emails: [JSONObject] = [], phones: [JSONObject] = []) {
        self.attributes = attributes
        self.emails = emails
        self.phones = phones
        cacheKeys()
    }

    private mutating func cacheKeys() {
        id = attributes["id"]?.stringValue ?? ""
        modifiedAt = attributes["modifiedAt"]?.stringValue ?? ""
    }

    /// The entry marked primary, else the first.
    static func primary(_ entries: [JSONObject]) -> JSONObject? {
        entries.first { $0["primary"] == .bool(true) } ?? entries.first
    }
}
