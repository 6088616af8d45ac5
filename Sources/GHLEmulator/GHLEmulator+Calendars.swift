import Emulation
import SyncCore

extension GHLEmulator {
    /// The longest `GET /calendars/events` window the emulator serves. GHL states none (wave2 A.1 ⚠U):
    /// a longer window is refused so that clients split ranges themselves.
    public static let maxEventWindowDays = 31
    static let appointmentStatuses: Set<String> = ["new", "confirmed", "cancelled", "showed", "noshow", "invalid"]
    static let meetingLocationTypes: Set<String> = ["custom", "zoom", "gmeet", "phone", "address", "ms_teams", "google"]

    /// `GET /calendars/?locationId` (`{calendars}`).
    func listCalendars(location: String) -> ServedResponse {
        let data = locations[location]!
        return Answer.ok(["calendars": .array(data.calendarOrder.compactMap { data.calendars[$0].map { .object($0.read()) } })])
    }

    /// `GET /calendars/events?locationId&startTime&endTime` and one of `calendarId`, `userId`, `groupId`:
    /// the events overlapping the window (epoch-ms strings), cancelled ones included.
    func listEvents(_ request: ServedRequest, location: String, trace: String) -> ServedResponse {
        let query = request.query(plusIsSpace: true)
        func value(_ name: String) -> String? { query.first { $0.name == name }?.value }
        var problems: [String] = []
        let from = value("startTime").flatMap { Int64($0) }
        let to = value("endTime").flatMap { Int64($0) }
        if from == nil { problems.append("startTime must be a number string (milliseconds since 1970)") }
        if to == nil { problems.append("endTime must be a number string (milliseconds since 1970)") }
        let calendarId = value("calendarId"), userId = value("userId"), groupId = value("groupId")
        if calendarId == nil, userId == nil, groupId == nil { problems.append("calendarId, userId or groupId must be provided") }
        if let from, let to {
            if to < from { problems.append("endTime must not be before startTime") }
            if to - from > Int64(GHLEmulator.maxEventWindowDays) * 86_400_000 {
                problems.append("the window from startTime to endTime must not be longer than \(GHLEmulator.maxEventWindowDays) days")
            }
        }
        guard problems.isEmpty, let from, let to else { return Answer.unprocessable(problems, trace: trace) }
        let data = locations[location]!
        let events = data.orderedAppointments.filter { event in
            guard event.overlaps(from, to) else { return false }
            if let calendarId, event.calendarId != calendarId { return false }
            if let userId, event.fields["assignedUserId"]?.stringValue != userId,
                !(event.fields["users"]?.arrayValue ?? []).contains(.string(userId)) { return false }
            if let groupId, data.calendars[event.calendarId]?.groupId != groupId { return false }
            return true
        }
        return Answer.ok(["events": .array(events.map { .object(eventJSON($0, data)) })])
    }

    /// `GET /calendars/events/appointments/{eventId}` (`{event}`).
    func getAppointment(_ id: String, location: String, trace: String) -> ServedResponse {
        let data = locations[location]!
        guard let event = data.appointments[id] else { return Answer.badRequest("Appointment not found", trace: trace) }
        return Answer.ok(["event": .object(eventJSON(event, data))])
    }

    /// `POST /calendars/events/appointments` → 200, `AppointmentSchemaResponse` unwrapped. Refuses a start
    /// in the past unless `ignoreDateRange`, and a slot taken by another appointment of the calendar
    /// unless `ignoreFreeSlotValidation`.
    func createAppointment(_ body: JSONObject, location: String, trace: String) -> ServedResponse {
        locations[location]!.notifications.append(body["toNotify"]?.boolValue)
        var problems = appointmentProblems(body, allowed: DTO.createAppointment)
        problems += DTO.missing(body, ["calendarId", "locationId", "contactId", "startTime"])
        guard problems.isEmpty else { return Answer.unprocessable(problems, trace: trace) }
        let data = locations[location]!
        guard let calendar = data.calendars[body["calendarId"]!.stringValue!] else { return Answer.badRequest("Calendar not found", trace: trace) }
        let contactId = body["contactId"]!.stringValue!
        guard data.contacts[contactId] != nil else { return Answer.badRequest("Contact not found", trace: trace) }
        let start = GHLTime.milliseconds(body["startTime"])!
        let end = body["endTime"].flatMap { GHLTime.milliseconds($0) } ?? start + Int64(calendar.slotDuration) * 60_000
        let now = tick()
        var appointment = StoredAppointment(
            id: newId(), locationId: location, calendarId: calendar.id, contactId: contactId, start: start, end: end,
            status: body["appointmentStatus"]?.stringValue ?? "confirmed", fields: [:], dateAdded: now, dateUpdated: now)
        apply(body, to: &appointment)
        if let refused = slotRefusal(appointment, body, now: now, trace: trace) { return refused }
        locations[location]!.putAppointment(appointment)
        return Answer.ok(appointment.written(zone: calendar.timeZone))
    }

    /// `PUT /calendars/events/appointments/{eventId}` (`AppointmentEditSchema`, all optional) → 200 unwrapped.
    func editAppointment(_ id: String, _ body: JSONObject, location: String, trace: String) -> ServedResponse {
        locations[location]!.notifications.append(body["toNotify"]?.boolValue)
        let problems = appointmentProblems(body, allowed: DTO.editAppointment)
        guard problems.isEmpty else { return Answer.unprocessable(problems, trace: trace) }
        let data = locations[location]!
        guard var appointment = data.appointments[id] else { return Answer.badRequest("Appointment not found", trace: trace) }
        if let calendarId = body["calendarId"]?.stringValue {
            guard data.calendars[calendarId] != nil else { return Answer.badRequest("Calendar not found", trace: trace) }
            appointment.calendarId = calendarId
        }
        let duration = appointment.end - appointment.start
        if let start = body["startTime"].flatMap({ GHLTime.milliseconds($0) }) {
            appointment.start = start
            appointment.end = start + duration
        }
        if let end = body["endTime"].flatMap({ GHLTime.milliseconds($0) }) { appointment.end = end }
        if let status = body["appointmentStatus"]?.stringValue { appointment.status = status }
        apply(body, to: &appointment)
        let now = tick()
        let moved = body["startTime"] != nil || body["endTime"] != nil || body["calendarId"] != nil
        if moved, let refused = slotRefusal(appointment, body, now: now, trace: trace) { return refused }
        appointment.touch(now)
        locations[location]!.putAppointment(appointment)
        return Answer.ok(appointment.written(zone: data.zone(of: appointment.calendarId)))
    }

    /// `DELETE /calendars/events/{eventId}` → **201** `{succeeded: true}` (calendars spells it right).
    func deleteEvent(_ id: String, location: String, trace: String) -> ServedResponse {
        guard locations[location]!.appointments[id] != nil else { return Answer.badRequest("Event not found", trace: trace) }
        locations[location]!.removeAppointment(id)
        return Answer.ok(["succeeded": true], status: 201)
    }

    /// `GET /contacts/{contactId}/appointments` (`{events}`, the contact view's naive times).
    func listAppointments(_ contactId: String, location: String, trace: String) -> ServedResponse {
        guard let data = locations[location], data.contacts[contactId] != nil else { return Answer.badRequest("Contact not found", trace: trace) }
        let events = data.orderedAppointments.filter { $0.contactId == contactId }
        return Answer.ok(["events": .array(events.map { .object($0.contactView(groupId: data.calendars[$0.calendarId]?.groupId)) })])
    }

    func eventJSON(_ event: StoredAppointment, _ data: LocationData) -> JSONObject {
        event.event(zone: data.zone(of: event.calendarId), groupId: data.calendars[event.calendarId]?.groupId)
    }

    /// The 422 messages for an appointment body: unknown members, wrong types, enums, unreadable times.
    private func appointmentProblems(_ body: JSONObject, allowed: Set<String>) -> [String] {
        var problems = DTO.problems(body, allowed: allowed)
        problems += DTO.strings(body, allowed.subtracting(["toNotify", "ignoreDateRange", "ignoreFreeSlotValidation", "overrideLocationConfig"]))
        for key in ["toNotify", "ignoreDateRange", "ignoreFreeSlotValidation", "overrideLocationConfig"] {
            if let value = body[key], value.boolValue == nil { problems.append("\(key) must be a boolean value") }
        }
        if let status = body["appointmentStatus"]?.stringValue, !GHLEmulator.appointmentStatuses.contains(status) {
            problems.append("appointmentStatus must be one of the following values: " + GHLEmulator.appointmentStatuses.sorted().joined(separator: ", "))
        }
        if let type = body["meetingLocationType"]?.stringValue, !GHLEmulator.meetingLocationTypes.contains(type) {
            problems.append("meetingLocationType must be one of the following values: " + GHLEmulator.meetingLocationTypes.sorted().joined(separator: ", "))
        }
        for key in ["startTime", "endTime"] {
            if let text = body[key]?.stringValue, GHLTime.milliseconds(.string(text)) == nil || Int64(text) != nil {
                problems.append("\(key) must be a valid ISO 8601 date string")
            }
        }
        if let start = body["startTime"].flatMap({ GHLTime.milliseconds($0) }), let end = body["endTime"].flatMap({ GHLTime.milliseconds($0) }),
            end <= start {
            problems.append("endTime must be after startTime")
        }
        return problems
    }

    /// Writes the optional members of `body`; "" or null clears one.
    private func apply(_ body: JSONObject, to appointment: inout StoredAppointment) {
        for key in StoredAppointment.optional {
            guard let value = body[key] else { continue }
            appointment.fields[key] = StoredContact.clears(value) ? JSON?.none : value
        }
        // "If `address` is provided in the request body, the `meetingLocationType` defaults to custom."
        if body["address"]?.stringValue?.isEmpty == false, appointment.fields["meetingLocationType"] == nil {
            appointment.fields["meetingLocationType"] = "custom"
        }
    }

    private func slotRefusal(_ appointment: StoredAppointment, _ body: JSONObject, now: Int64, trace: String) -> ServedResponse? {
        if appointment.start < now, body["ignoreDateRange"]?.boolValue != true {
            return Answer.unprocessable(["The slot you have selected is in the past; send ignoreDateRange: true to book it anyway"], trace: trace)
        }
        guard body["ignoreFreeSlotValidation"]?.boolValue != true, appointment.holdsSlot else { return nil }
        let taken = locations[appointment.locationId]!.appointments.values.contains {
            $0.id != appointment.id && $0.calendarId == appointment.calendarId && $0.holdsSlot && $0.overlaps(appointment.start, appointment.end)
        }
        return taken
            ? Answer.unprocessable(["The slot you have selected is no longer available; send ignoreFreeSlotValidation: true to book it anyway"], trace: trace)
            : nil
    }
}
