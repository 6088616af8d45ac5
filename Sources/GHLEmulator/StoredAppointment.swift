import Foundation
import SyncCore

/// A calendar of a location (`calendars:CalendarDTO`): the emulator keeps the members the sync reads
/// and the time zone its events are written in.
struct StoredCalendar: Sendable {
    let id: String
    let locationId: String
    var name: String
    /// An IANA zone (`America/Chicago`): event times are answered with its offset.
    var timeZone: String
    var groupId: String
    /// Minutes; an appointment created without `endTime` lasts this long (GHL's default: 30).
    var slotDuration: Int = 30

    func read() -> JSONObject {
        [
            "id": .string(id), "locationId": .string(locationId), "name": .string(name), "groupId": .string(groupId),
            "isActive": true, "calendarType": "event", "slotDuration": .number(Double(slotDuration)), "slotDurationUnit": "mins",
        ]
    }
}

/// An appointment (calendar event) as the emulator keeps it: instants in milliseconds, the optional
/// members only when they were set.
struct StoredAppointment: Sendable {
    /// Optional members written as sent and answered only when set.
    static let optional = ["title", "assignedUserId", "address", "meetingLocationType", "notes", "description"]

    let id: String
    let locationId: String
    var calendarId: String
    var contactId: String
    var start: Int64
    var end: Int64
    var status: String
    var fields: JSONObject
    let dateAdded: Int64
    var dateUpdated: Int64

    /// Whether the appointment holds its slot (cancelled ones free it).
    var holdsSlot: Bool { status != "cancelled" }

    /// Moves `dateUpdated` to `now`, and by at least a second: the calendars API writes whole
    /// seconds, so every change shows in the answered text.
    mutating func touch(_ now: Int64) { dateUpdated = max(now, dateUpdated + 1000) }

    func overlaps(_ from: Int64, _ to: Int64) -> Bool { start < to && end > from }

    /// `calendars:CalendarEventDTO`, times ISO with the calendar's offset.
    func event(zone: String, groupId: String?) -> JSONObject {
        var out: JSONObject = [
            "id": .string(id), "calendarId": .string(calendarId), "locationId": .string(locationId),
            "contactId": .string(contactId), "appointmentStatus": .string(status),
        ]
        for key in StoredAppointment.optional { if let value = fields[key] { out[key] = value } }
        if let groupId { out["groupId"] = .string(groupId) }
        out["users"] = fields["users"] ?? []
        out["isRecurring"] = false
        out["startTime"] = .string(OffsetTime.iso(start, zone: zone))
        out["endTime"] = .string(OffsetTime.iso(end, zone: zone))
        out["dateAdded"] = .string(OffsetTime.iso(dateAdded, zone: zone))
        out["dateUpdated"] = .string(OffsetTime.iso(dateUpdated, zone: zone))
        return out
    }

    /// `calendars:AppointmentSchemaResponse`, what create and edit answer (unwrapped).
    func written(zone: String) -> JSONObject {
        var out: JSONObject = [
            "id": .string(id), "calendarId": .string(calendarId), "locationId": .string(locationId),
            "contactId": .string(contactId), "appointmentStatus": .string(status),
            "startTime": .string(OffsetTime.iso(start, zone: zone)), "endTime": .string(OffsetTime.iso(end, zone: zone)),
            "isRecurring": false,
        ]
        for key in ["title", "assignedUserId", "address", "meetingLocationType"] { if let value = fields[key] { out[key] = value } }
        return out
    }

    /// `contacts:GetEventSchema`, the contact view: naive `YYYY-MM-DD HH:mm:ss` times (FACTS §6.6).
    func contactView(groupId: String?) -> JSONObject {
        func naive(_ ms: Int64) -> String { Timestamp.naive(ms / 1000) }
        var out: JSONObject = [
            "id": .string(id), "calendarId": .string(calendarId), "status": "booked", "locationId": .string(locationId),
            "contactId": .string(contactId), "appointmentStatus": .string(status), "startTime": .string(naive(start)),
            "endTime": .string(naive(end)), "dateAdded": .string(naive(dateAdded)), "dateUpdated": .string(naive(dateUpdated)),
        ]
        for key in ["title", "assignedUserId", "address", "notes"] { if let value = fields[key] { out[key] = value } }
        if let groupId { out["groupId"] = .string(groupId) }
        out["users"] = fields["users"] ?? []
        out["assignedResources"] = []
        return out
    }
}

/// Instants as the calendars API writes them: ISO 8601 with the zone's offset, no fraction.
enum OffsetTime {
    /// `2026-12-01T09:00:00-06:00`
    static func iso(_ milliseconds: Int64, zone: String) -> String {
        let seconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        let offset = TimeZone(identifier: zone)?.secondsFromGMT(for: Date(timeIntervalSince1970: Double(seconds))) ?? 0
        var text = Timestamp.iso8601(seconds + Int64(offset))
        text.removeLast()
        if offset == 0 { return text + "+00:00" }
        let sign = offset < 0 ? "-" : "+"
        let minutes = abs(offset) / 60
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }
        return text + sign + two(minutes / 60) + ":" + two(minutes % 60)
    }
}
