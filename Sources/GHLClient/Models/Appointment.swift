import SyncCore

/// An appointment as the contact view lists it (`contacts:GetEventSchema`); times may come as naive
/// `YYYY-MM-DD HH:mm:ss` (read as UTC), ISO with an offset, or epoch milliseconds.
public struct Appointment: GHLModel {
    public let raw: JSONObject
    public let id: String

    public init(raw: JSONObject) throws(ModelError) {
        self.raw = raw
        self.id = try raw.requiredId()
    }

    public var title: String? { raw.text("title") }
    public var calendarId: String? { raw.text("calendarId") }
    public var contactId: String? { raw.text("contactId") }
    public var notes: String? { raw.text("notes") }
    public var address: String? { raw.text("address") }
    /// `appointmentStatus`, else `status`: GHL uses three vocabularies (FACTS §9.9).
    public var status: String? { raw.text("appointmentStatus") ?? raw.text("status") }
    /// Seconds since 1970 UTC.
    public var startTime: Int64? { raw.instant("startTime") }
    /// Seconds since 1970 UTC.
    public var endTime: Int64? { raw.instant("endTime") }
    /// Seconds since 1970 UTC.
    public var dateUpdated: Int64? { raw.instant("dateUpdated") }
}
