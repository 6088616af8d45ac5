import SyncCore

/// A task under a contact (`contacts:TaskSchema`); named so it does not hide Swift's `Task`.
public struct GHLTask: GHLModel {
    public let raw: JSONObject
    public let id: String

    public init(raw: JSONObject) throws(ModelError) {
        self.raw = raw
        self.id = try raw.requiredId()
    }

    public var title: String? { raw.text("title") }
    public var body: String? { raw.text("body") }
    public var assignedTo: String? { raw.text("assignedTo") }
    public var contactId: String? { raw.text("contactId") }
    public var completed: Bool { raw.flag("completed") ?? false }
    /// Seconds since 1970 UTC.
    public var dueDate: Int64? { raw.instant("dueDate") }
}
