import Engine
import Foundation
import GHLClient
import SyncCore
import Transport

/// GoHighLevel as the engine sees it: one location's contacts, businesses, tasks, notes and
/// appointments, one adapter each.
public struct GHLConnector: Connector {
    public let client: GHLClient
    public let side = Side.ghl
    public let objects: [String: any ObjectAdapter]

    /// The objects a mapping may name on the GHL side.
    public static let objectNames = ["appointment", "business", "contact", "note", "task"]

    /// Where appointments are created and which of them are read.
    public struct Calendars: Sendable {
        /// The calendar new appointments go in (config `ghl.calendarId`); nil: none are created.
        public var calendarId: String?
        /// Appointments are read from this many days back (`sync.appointments.pastDays`)…
        public var pastDays: Double
        /// …to this many days ahead (`sync.appointments.futureDays`).
        public var futureDays: Double

        public init(calendarId: String? = nil, pastDays: Double = 30, futureDays: Double = 365) {
            self.calendarId = calendarId
            self.pastDays = pastDays
            self.futureDays = futureDays
        }
    }

    public init(client: GHLClient, calendars: Calendars = Calendars()) {
        self.client = client
        self.objects = [
            "contact": GHLContacts(client: client), "business": GHLBusinesses(client: client),
            "task": GHLTasks(client: client), "note": GHLNotes(client: client),
            "appointment": GHLAppointments(
                client: client, calendarId: calendars.calendarId, pastDays: calendars.pastDays, futureDays: calendars.futureDays),
        ]
        assert(Set(objects.keys) == Set(Self.objectNames))
    }

    public var apiCalls: Int { client.counts.requests }
}

extension GHLConnector {
    /// The body of a PUT: only the keys the patch touches; cleared ones as `null` where the DTO
    /// declares them `nullable`, as `""` elsewhere.
    static func touched(_ patch: RecordPatch, in written: JSONObject, nullable: Set<String>) -> JSONObject {
        var body: JSONObject = [:]
        for assignment in patch.assignments {
            let key: String
            switch assignment.path {
            case .keys(let segments): key = segments[0].name
            case .customField: key = "customFields"
            }
            let value = written[key] ?? .null
            body[key] = value.isNull && !nullable.contains(key) && key != "customFields" ? .string("") : value
        }
        return body
    }

    /// Whether `json` is the text `value`, case ignored.
    static func same(_ json: JSON?, _ value: String) -> Bool {
        guard let text = json?.stringValue else { return false }
        return text.lowercased() == value.lowercased()
    }
}
