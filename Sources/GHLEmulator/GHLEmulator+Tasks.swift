import Emulation
import SyncCore

extension GHLEmulator {
    func listTasks(_ contactId: String, location: String, trace: String) -> ServedResponse {
        guard locations[location]?.contacts[contactId] != nil else { return Answer.badRequest("Contact not found", trace: trace) }
        let tasks = (locations[location]!.tasks[contactId] ?? [:]).values.sorted { ($0["id"]?.stringValue ?? "") < ($1["id"]?.stringValue ?? "") }
        return Answer.ok(["tasks": .array(tasks.map { .object($0) })])
    }

    func getTask(_ contactId: String, _ taskId: String, location: String, trace: String) -> ServedResponse {
        guard let task = locations[location]?.tasks[contactId]?[taskId] else { return Answer.badRequest("Task not found", trace: trace) }
        return Answer.ok(["task": .object(task)])
    }

    func createTask(_ contactId: String, _ body: JSONObject, location: String, trace: String) -> ServedResponse {
        let problems = DTO.problems(body, allowed: DTO.createTask) + DTO.missing(body, ["title", "dueDate", "completed"])
        guard problems.isEmpty else { return Answer.unprocessable(problems, trace: trace) }
        guard locations[location]?.contacts[contactId] != nil else { return Answer.badRequest("Contact not found", trace: trace) }
        let task = makeTask(id: newId(), contactId: contactId, body)
        locations[location]!.tasks[contactId, default: [:]][task["id"]!.stringValue!] = task
        return Answer.ok(["task": .object(task)], status: 201)
    }

    func updateTask(_ contactId: String, _ taskId: String, _ body: JSONObject, allowed: Set<String>, location: String, trace: String) -> ServedResponse {
        var problems = DTO.problems(body, allowed: allowed)
        if allowed == DTO.taskCompleted { problems += DTO.missing(body, ["completed"]) }
        guard problems.isEmpty else { return Answer.unprocessable(problems, trace: trace) }
        guard var task = locations[location]?.tasks[contactId]?[taskId] else { return Answer.badRequest("Task not found", trace: trace) }
        for (key, value) in body {
            task[key] = key == "dueDate" ? GHLTime.milliseconds(value).map { .string(GHLTime.iso($0)) } : value
        }
        locations[location]!.tasks[contactId]![taskId] = task
        return Answer.ok(["task": .object(task)])
    }

    func deleteTask(_ contactId: String, _ taskId: String, location: String, trace: String) -> ServedResponse {
        guard locations[location]?.tasks[contactId]?[taskId] != nil else { return Answer.badRequest("Task not found", trace: trace) }
        locations[location]!.tasks[contactId]![taskId] = nil
        return Answer.ok(["succeded": true])
    }

    func makeTask(id: String, contactId: String, _ body: JSONObject) -> JSONObject {
        var task: JSONObject = ["id": .string(id)]
        task["title"] = body["title"] ?? ""
        if let text = body["body"]?.stringValue { task["body"] = .string(text) }
        if let user = body["assignedTo"]?.stringValue { task["assignedTo"] = .string(user) }
        task["dueDate"] = .string(GHLTime.iso(GHLTime.milliseconds(body["dueDate"]) ?? tick()))
        task["completed"] = .bool(body["completed"]?.boolValue ?? false)
        task["contactId"] = .string(contactId)
        return task
    }

    func listNotes(_ contactId: String, location: String, trace: String) -> ServedResponse {
        guard locations[location]?.contacts[contactId] != nil else { return Answer.badRequest("Contact not found", trace: trace) }
        let notes = (locations[location]!.notes[contactId] ?? [:]).values.sorted {
            ($0["dateAdded"]?.stringValue ?? "", $0["id"]?.stringValue ?? "") > ($1["dateAdded"]?.stringValue ?? "", $1["id"]?.stringValue ?? "")
        }
        return Answer.ok(["notes": .array(notes.map { .object($0) })])
    }

    func getNote(_ contactId: String, _ noteId: String, location: String, trace: String) -> ServedResponse {
        guard let note = locations[location]?.notes[contactId]?[noteId] else { return Answer.badRequest("Note not found", trace: trace) }
        return Answer.ok(["note": .object(note)])
    }

    func createNote(_ contactId: String, _ body: JSONObject, location: String, trace: String) -> ServedResponse {
        let problems = DTO.problems(body, allowed: DTO.note) + DTO.missing(body, ["body"])
        guard problems.isEmpty else { return Answer.unprocessable(problems, trace: trace) }
        guard locations[location]?.contacts[contactId] != nil else { return Answer.badRequest("Contact not found", trace: trace) }
        let note = makeNote(id: newId(), contactId: contactId, body, at: tick())
        locations[location]!.notes[contactId, default: [:]][note["id"]!.stringValue!] = note
        return Answer.ok(["note": .object(note)], status: 201)
    }

    func updateNote(_ contactId: String, _ noteId: String, _ body: JSONObject, location: String, trace: String) -> ServedResponse {
        let problems = DTO.problems(body, allowed: DTO.note)
        guard problems.isEmpty else { return Answer.unprocessable(problems, trace: trace) }
        guard var note = locations[location]?.notes[contactId]?[noteId] else { return Answer.badRequest("Note not found", trace: trace) }
        for (key, value) in body { note[key] = value }
        locations[location]!.notes[contactId]![noteId] = note
        return Answer.ok(["note": .object(note)])
    }

    func deleteNote(_ contactId: String, _ noteId: String, location: String, trace: String) -> ServedResponse {
        guard locations[location]?.notes[contactId]?[noteId] != nil else { return Answer.badRequest("Note not found", trace: trace) }
        locations[location]!.notes[contactId]![noteId] = nil
        return Answer.ok(["succeded": true])
    }

    func makeNote(id: String, contactId: String, _ body: JSONObject, at time: Int64) -> JSONObject {
        var note: JSONObject = ["id": .string(id), "body": body["body"] ?? ""]
        if let user = body["userId"]?.stringValue { note["userId"] = .string(user) }
        note["dateAdded"] = .string(GHLTime.iso(time))
        note["contactId"] = .string(contactId)
        for key in ["title", "color", "pinned"] { if let value = body[key] { note[key] = value } }
        return note
    }

    func listAppointments(_ contactId: String, location: String, trace: String) -> ServedResponse {
        guard locations[location]?.contacts[contactId] != nil else { return Answer.badRequest("Contact not found", trace: trace) }
        return Answer.ok(["events": .array((locations[location]!.appointments[contactId] ?? []).map { .object($0) })])
    }

    /// Adds an appointment to a contact's calendar view (appointments are written through the
    /// calendars API, which this emulator does not serve).
    public func addAppointment(contact contactId: String, location: String, title: String, start: Int64, minutes: Int = 30) -> String? {
        guard locations[location]?.contacts[contactId] != nil else { return nil }
        let id = newId()
        locations[location]!.appointments[contactId, default: []].append(
            makeAppointment(id: id, contactId: contactId, location: location, title: title, start: start, minutes: minutes))
        return id
    }

    func makeAppointment(id: String, contactId: String, location: String, title: String, start: Int64, minutes: Int) -> JSONObject {
        // The contact view writes times naive, with a space (FACTS §6.6).
        func naive(_ ms: Int64) -> String { Timestamp.naive(ms / 1000) }
        return [
            "id": .string(id), "calendarId": "cal-main", "status": "booked", "title": .string(title),
            "assignedUserId": "user-1", "notes": "", "startTime": .string(naive(start)),
            "endTime": .string(naive(start + Int64(minutes) * 60_000)), "address": "", "locationId": .string(location),
            "contactId": .string(contactId), "groupId": "", "appointmentStatus": "confirmed", "users": ["user-1"],
            "dateAdded": .string(naive(start - 86_400_000)), "dateUpdated": .string(naive(start - 86_400_000)),
            "assignedResources": [],
        ]
    }

    func customFields(_ request: ServedRequest, location: String) -> ServedResponse {
        let model = request.query(plusIsSpace: true).first { $0.name == "model" }?.value ?? "all"
        let fields = locations[location]!.customFields.filter { model == "all" || $0["model"]?.stringValue == model }
        return Answer.ok(["customFields": .array(fields.map { .object($0) })])
    }
}
