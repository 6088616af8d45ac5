import SyncCore

/// A note under a contact (`contacts:GetNoteSchema`).
public struct Note: GHLModel {
    public let raw: JSONObject
    public let id: String

    public init(raw: JSONObject) throws(ModelError) {
        self.raw = raw
        self.id = try raw.requiredId()
    }

    public var body: String? { raw.text("body") }
    public var title: String? { raw.text("title") }
    public var userId: String? { raw.text("userId") }
    public var contactId: String? { raw.text("contactId") }
    public var pinned: Bool { raw.flag("pinned") ?? false }
    /// Seconds since 1970 UTC.
    public var dateAdded: Int64? { raw.instant("dateAdded") }
}
