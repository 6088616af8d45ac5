import SyncCore

/// What one webhook or poll event says: a record of one object on one side changed (or went), to be
/// read again. Events are hints, never values: the worker re-reads the record and plans it like the
/// batch, so an event late, repeated or out of order cannot make an older value win.
public struct Hint: Sendable, Hashable {
    /// The side whose record the event is about.
    public var side: Side
    /// The API's name for the record's type on that side, as a mapping's side names it: GHL `contact`,
    /// `business`, `task`, `note`, `appointment`; EspoCRM `Contact`, `Account`, `Task`, `Meeting`.
    public var object: String
    /// The record's own id in the API (a GHL task's bare task id, never `contactId/id`).
    public var id: String
    /// The record's parent on that side where the event names it (a GHL task's or note's contact).
    public var parentId: String?
    /// The event says the record was deleted (a hint too: the worker reads it again before believing it).
    public var deleted: Bool
    /// The event's name as the sender gave it (`ContactUpdate`, `Contact.update`), for logs and metrics.
    public var event: String

    public init(side: Side, object: String, id: String, parentId: String? = nil, deleted: Bool = false, event: String) {
        self.side = side
        self.object = object
        self.id = id
        self.parentId = parentId
        self.deleted = deleted
        self.event = event
    }
}
