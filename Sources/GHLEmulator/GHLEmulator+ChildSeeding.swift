import SyncCore

/// Tasks, notes, calendars and appointments put in or changed directly, as a person would in GHL's web
/// app (no request, no rate limit, no validation); and readers for tests.
extension GHLEmulator {
    // MARK: - Seeding

    /// Adds a calendar to `location` (`timeZone` an IANA zone; its events are answered with that
    /// offset); returns its id. Every calendar of a location is in the location's one group.
    @discardableResult
    public func seedCalendar(name: String, location: String, timeZone: String = "America/Chicago") -> String {
        if locations[location] == nil { addLocation(location) }
        if locations[location]!.groupId.isEmpty { locations[location]!.groupId = newId() }
        let id = newId()
        locations[location]!.calendars[id] = StoredCalendar(
            id: id, locationId: location, name: name, timeZone: timeZone, groupId: locations[location]!.groupId)
        locations[location]!.calendarOrder.append(id)
        return id
    }

    /// The first calendar of `location`, seeding "Main calendar" (America/Chicago) when it has none.
    public func defaultCalendar(location: String) -> String {
        if let first = locations[location]?.calendarOrder.first { return first }
        return seedCalendar(name: "Main calendar", location: location)
    }

    /// Adds a task to a contact of `location`; `dueDate` in milliseconds since 1970. Returns its id.
    @discardableResult
    public func seedTask(
        contact contactId: String, title: String, body: String? = nil, dueDate: Int64, completed: Bool = false, location: String
    ) -> String {
        var fields: JSONObject = ["title": .string(title), "dueDate": .string(GHLTime.iso(dueDate)), "completed": .bool(completed)]
        if let body { fields["body"] = .string(body) }
        let task = makeTask(id: newId(), contactId: contactId, fields)
        if locations[location] == nil { addLocation(location) }
        locations[location]!.putTask(task, contact: contactId)
        return task["id"]!.stringValue!
    }

    /// Adds a note to a contact of `location`, dated now. Returns its id.
    @discardableResult
    public func seedNote(contact contactId: String, body: String, location: String) -> String {
        if locations[location] == nil { addLocation(location) }
        let note = makeNote(id: newId(), contactId: contactId, ["body": .string(body)], at: tick())
        locations[location]!.putNote(note, contact: contactId)
        return note["id"]!.stringValue!
    }

    /// Books an appointment for a contact of `location` in `calendar` (nil: the default calendar);
    /// `start` and `end` in milliseconds since 1970 (`end` nil: the calendar's slot duration). No slot
    /// or date rule applies. Returns its id.
    @discardableResult
    public func seedAppointment(
        contact contactId: String, calendar: String? = nil, title: String? = nil, start: Int64, end: Int64? = nil,
        status: String = "confirmed", location: String
    ) -> String {
        let calendarId = calendar ?? defaultCalendar(location: location)
        let minutes = locations[location]?.calendars[calendarId]?.slotDuration ?? 30
        let now = tick()
        var appointment = StoredAppointment(
            id: newId(), locationId: location, calendarId: calendarId, contactId: contactId, start: start,
            end: end ?? start + Int64(minutes) * 60_000, status: status, fields: [:], dateAdded: now, dateUpdated: now)
        if let title { appointment.fields["title"] = .string(title) }
        locations[location]!.putAppointment(appointment)
        return appointment.id
    }

    /// Books an appointment in the default calendar (nil when the contact does not exist).
    public func addAppointment(contact contactId: String, location: String, title: String, start: Int64, minutes: Int = 30) -> String? {
        guard locations[location]?.contacts[contactId] != nil else { return nil }
        return seedAppointment(contact: contactId, title: title, start: start, end: start + Int64(minutes) * 60_000, location: location)
    }

    // MARK: - Reading

    /// Every task of `location` in creation order (`TaskSchema`).
    public func tasks(location: String) -> [JSONObject] { locations[location]?.orderedTasks ?? [] }

    /// Every note of `location` (`GetNoteSchema`), by contact, newest first.
    public func notes(location: String) -> [JSONObject] {
        guard let data = locations[location] else { return [] }
        return data.notes.keys.sorted().flatMap { contactId in
            (data.notes[contactId] ?? [:]).values.sorted {
                ($0["dateAdded"]?.stringValue ?? "", $0["id"]?.stringValue ?? "") > ($1["dateAdded"]?.stringValue ?? "", $1["id"]?.stringValue ?? "")
            }
        }
    }

    /// Every appointment of `location` in creation order, as `CalendarEventDTO`.
    public func appointments(location: String) -> [JSONObject] {
        guard let data = locations[location] else { return [] }
        return data.orderedAppointments.map { eventJSON($0, data) }
    }

    /// Every calendar of `location` (`CalendarDTO`).
    public func calendars(location: String) -> [JSONObject] {
        guard let data = locations[location] else { return [] }
        return data.calendarOrder.compactMap { data.calendars[$0]?.read() }
    }

    /// Every `toNotify` the appointment creates and edits of `location` carried, in order (nil: absent).
    public func notifications(location: String) -> [Bool?] { locations[location]?.notifications ?? [] }

    // MARK: - Changing as a person would

    /// Writes `changes` (`TaskSchema` members; null or "" clears) over a task. False when there is no such task.
    @discardableResult
    public func editTask(_ id: String, location: String, _ changes: JSONObject) -> Bool {
        guard let contactId = locations[location]?.taskContact[id], var task = locations[location]!.tasks[contactId]?[id] else { return false }
        for (key, value) in changes where key != "id" && key != "contactId" {
            task[key] = key == "dueDate" ? GHLTime.milliseconds(value).map { .string(GHLTime.iso($0)) } : StoredContact.clears(value) ? JSON?.none : value
        }
        locations[location]!.putTask(task, contact: contactId)
        return true
    }

    @discardableResult
    public func deleteTask(_ id: String, location: String) -> Bool {
        guard let contactId = locations[location]?.taskContact[id] else { return false }
        locations[location]!.removeTask(id, contact: contactId)
        return true
    }

    /// Writes `changes` (`GetNoteSchema` members; null or "" clears) over a note.
    @discardableResult
    public func editNote(_ id: String, location: String, _ changes: JSONObject) -> Bool {
        guard let contactId = noteContact(id, location: location), var note = locations[location]!.notes[contactId]?[id] else { return false }
        for (key, value) in changes where key != "id" && key != "contactId" && key != "dateAdded" {
            note[key] = StoredContact.clears(value) && key != "body" ? JSON?.none : value
        }
        locations[location]!.putNote(note, contact: contactId)
        return true
    }

    @discardableResult
    public func deleteNote(_ id: String, location: String) -> Bool {
        guard let contactId = noteContact(id, location: location) else { return false }
        locations[location]!.removeNote(id, contact: contactId)
        return true
    }

    /// Changes an appointment (`title`, `appointmentStatus`, `startTime`/`endTime` as ISO or ms,
    /// `calendarId`, `assignedUserId`, `address`, `notes`, `description`; null or "" clears) and moves its `dateUpdated`.
    @discardableResult
    public func editAppointment(_ id: String, location: String, _ changes: JSONObject) -> Bool {
        guard var appointment = locations[location]?.appointments[id] else { return false }
        for (key, value) in changes {
            switch key {
            case "startTime": if let ms = GHLTime.milliseconds(value) { appointment.start = ms }
            case "endTime": if let ms = GHLTime.milliseconds(value) { appointment.end = ms }
            case "appointmentStatus": if let status = value.stringValue { appointment.status = status }
            case "calendarId": if let calendar = value.stringValue { appointment.calendarId = calendar }
            case "users": appointment.fields["users"] = value
            default: appointment.fields[key] = StoredContact.clears(value) ? JSON?.none : value
            }
        }
        appointment.touch(tick())
        locations[location]!.putAppointment(appointment)
        return true
    }

    @discardableResult
    public func deleteAppointment(_ id: String, location: String) -> Bool {
        guard locations[location]?.appointments[id] != nil else { return false }
        locations[location]!.removeAppointment(id)
        return true
    }

    private func noteContact(_ id: String, location: String) -> String? {
        locations[location]?.notes.first { $0.value[id] != nil }?.key
    }
}
