import SyncCore
import Transport

extension GHLClient {
    /// The longest window `events(calendarId:from:to:)` asks for in one request. GHL states no maximum
    /// (wave2 A.1 ⚠U); a month keeps each answer small.
    public static let maxEventWindowDays = 31

    /// `GET /calendars/?locationId` (`{calendars}`): the location's calendars, raw (`CalendarDTO`).
    public func calendars() async throws(APIError) -> [JSONObject] {
        try await call(request(
            .get, "/calendars/", endpoint: "GET /calendars/", query: [.init("locationId", locationId)], version: GHLVersion.calendars))
            .objects("calendars")
    }

    /// The events of a calendar that overlap `from`…`to` (milliseconds since 1970), raw
    /// (`CalendarEventDTO`: times ISO with the calendar's offset, compare instants). A range longer than
    /// `maxEventWindowDays` is read in several windows; an event is given once, in the order first seen.
    public func events(calendarId: String, from: Int64, to: Int64) async throws(APIError) -> [JSONObject] {
        let window = Int64(GHLClient.maxEventWindowDays) * 86_400_000
        var events: [JSONObject] = []
        var seen: Set<String> = []
        var start = from
        repeat {
            let end = min(start + window, to)
            let rows = try await call(request(
                .get, "/calendars/events", endpoint: "GET /calendars/events",
                query: [
                    .init("locationId", locationId), .init("calendarId", calendarId), .init("startTime", String(start)),
                    .init("endTime", String(end)),
                ], version: GHLVersion.calendars)).objects("events")
            for row in rows where row["id"]?.stringValue.map({ seen.insert($0).inserted }) ?? true { events.append(row) }
            start = end
        } while start < to
        return events
    }

    /// `GET /calendars/events/appointments/{eventId}`: the `event` object, raw.
    public func appointment(_ id: String) async throws(APIError) -> JSONObject {
        try await call(request(
            .get, Request.path("calendars", "events", "appointments", id), endpoint: "GET /calendars/events/appointments/{eventId}",
            version: GHLVersion.calendars)).object("event")
    }

    /// `POST /calendars/events/appointments` (`AppointmentCreateSchema`: `calendarId`, `contactId`,
    /// `startTime` required; the location id is added) → the unwrapped `AppointmentSchemaResponse`.
    /// Unless `fields` set them, sends `toNotify: false` (no automations, no messages to the contact),
    /// `ignoreDateRange: true` and `ignoreFreeSlotValidation: true` (a sync must not fail on booking rules).
    public func createAppointment(_ fields: JSONObject) async throws(APIError) -> JSONObject {
        var body = GHLClient.syncFlags(fields)
        if body["locationId"] == nil { body["locationId"] = .string(locationId) }
        return try await appointmentAnswer(request(
            .post, "/calendars/events/appointments", endpoint: "POST /calendars/events/appointments", body: .object(body),
            version: GHLVersion.calendars))
    }

    /// `PUT /calendars/events/appointments/{eventId}` (`AppointmentEditSchema`, all optional) → the
    /// unwrapped `AppointmentSchemaResponse`; the same three flags as `createAppointment` are added.
    public func updateAppointment(_ id: String, _ fields: JSONObject) async throws(APIError) -> JSONObject {
        try await appointmentAnswer(request(
            .put, Request.path("calendars", "events", "appointments", id), endpoint: "PUT /calendars/events/appointments/{eventId}",
            body: .object(GHLClient.syncFlags(fields)), version: GHLVersion.calendars))
    }

    /// `DELETE /calendars/events/{eventId}` (an empty body, as the spec requires) → 201 `{succeeded}`.
    @discardableResult
    public func deleteAppointment(_ id: String) async throws(APIError) -> Bool {
        try await call(request(
            .delete, Request.path("calendars", "events", id), endpoint: "DELETE /calendars/events/{eventId}", body: .object([:]),
            version: GHLVersion.calendars)).flag("succeeded", "succeded")
    }

    /// The write flags a sync sends unless the caller chose otherwise.
    static func syncFlags(_ fields: JSONObject) -> JSONObject {
        var body = fields
        for (key, value) in [("toNotify", false), ("ignoreDateRange", true), ("ignoreFreeSlotValidation", true)] where body[key] == nil {
            body[key] = .bool(value)
        }
        return body
    }

    private func appointmentAnswer(_ request: Request) async throws(APIError) -> JSONObject {
        let answer = try await call(request)
        guard let object = answer.json.objectValue else { throw answer.failure("(root)", "expected an object, found \(answer.json.kindName)") }
        guard object["id"]?.stringValue?.isEmpty == false else { throw answer.failure("id", "missing") }
        return object
    }
}
