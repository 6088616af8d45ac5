import Engine
import Foundation
import GHLClient
import SyncCore
import Transport

/// A GHL task or note lives under its contact: every path names both ids, so the sync knows such a
/// record by `contactId/id` (a task never changes contact; moving it is a delete and a create).
enum ChildId {
    static func make(contact: String, id: String) -> String { "\(contact)/\(id)" }

    static func split(_ id: String) throws(APIError) -> (contact: String, id: String) {
        let parts = id.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else {
            throw APIError(.rejected, service: "GoHighLevel", endpoint: "contact child", message: "\(id) is not a contactId/id pair")
        }
        return (parts[0], parts[1])
    }

    /// `raw` with its `id` as the sync knows it.
    static func keyed(_ raw: JSONObject, contact: String? = nil) -> JSONObject? {
        guard let id = raw["id"]?.stringValue, let contact = contact ?? raw["contactId"]?.stringValue else { return nil }
        var keyed = raw
        keyed["id"] = .string(make(contact: contact, id: id))
        keyed["contactId"] = .string(contact)
        return keyed
    }

    /// The contact a create goes under, taken out of the body.
    static func contact(of body: inout JSONObject, endpoint: String) throws(APIError) -> String {
        guard let contact = body.removeValue(forKey: "contactId")?.stringValue, !contact.isEmpty else {
            throw APIError(.rejected, service: "GoHighLevel", endpoint: endpoint, message: "a record under a contact needs its contactId")
        }
        return contact
    }
}

/// GHL tasks, listed location-wide (`POST /locations/{id}/tasks/search`, the largest page it takes):
/// they carry no change time, so every run lists them all and the snapshot shows what changed.
struct GHLTasks: ObjectAdapter {
    let client: GHLClient

    var listsEverything: Bool { true }
    var deletedWithParent: Bool { true }

    func recordId(apiId: String, parentId: String?) -> String? { parentId.map { ChildId.make(contact: $0, id: apiId) } }

    func fetch(_ mapping: Mapping, since: Date?, page: (ListingPage) async throws -> Void) async throws {
        try await client.forEachTaskPage { rows in
            var records: [JSONObject] = []
            var unreadable: [UnreadableRow] = []
            for row in rows {
                if let keyed = ChildId.keyed(row) {
                    records.append(keyed)
                } else {
                    unreadable.append(UnreadableRow(
                        id: row["id"]?.stringValue, field: row["id"] == nil ? "id" : "contactId",
                        endpoint: "POST /locations/{locationId}/tasks/search", message: "a task row without its id or contactId"))
                }
            }
            // A search row may leave out what a task GET gives: a lacking key is not a clear.
            try await page(ListingPage(records: records, absentMeansEmpty: false, unreadable: unreadable))
        }
    }

    func read(_ mapping: Mapping, id: String) async throws(APIError) -> JSONObject? {
        let (contact, task) = try ChildId.split(id)
        do { return ChildId.keyed(try await client.task(task, of: contact).raw, contact: contact) } catch where error.kind == .notFound {
            return nil
        }
    }

    func find(_ mapping: Mapping, attribute: String, value: String) async throws(APIError) -> [JSONObject] {
        var found: [JSONObject] = []
        do {
            try await client.forEachTaskPage { rows in
                found += rows.filter { GHLConnector.same($0[attribute], value) }.compactMap { ChildId.keyed($0) }
            }
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError(.invalidResponse, service: "GoHighLevel", endpoint: "POST /locations/{locationId}/tasks/search", message: "\(error)")
        }
        return found
    }

    func create(_ mapping: Mapping, patch: RecordPatch, allowDuplicate: Bool) async throws(APIError) -> Creation {
        var body = patch.applied(to: [:])
        let contact = try ChildId.contact(of: &body, endpoint: "POST /contacts/{contactId}/tasks")
        if body["completed"] == nil || body["completed"]?.isNull == true { body["completed"] = .bool(false) }
        let created = try await client.createTask(body.filter { !$0.value.isNull }, for: contact)
        return .created(ChildId.keyed(created.raw, contact: contact) ?? created.raw)
    }

    /// GHL refuses a task update without `title` and `dueDate` (n8n sends both, re-reading the task
    /// when one is missing): a change of `completed` alone goes through `PUT …/completed`, which
    /// needs neither; any other lacking one of the two costs a read first.
    func update(_ mapping: Mapping, id: String, patch: RecordPatch, previous: RecordPatch) async throws(APIError) {
        let (contact, task) = try ChildId.split(id)
        var body = GHLConnector.touched(patch, in: patch.applied(to: [:]), nullable: [])
        if let moved = body.removeValue(forKey: "contactId")?.stringValue, moved != contact {
            throw APIError(.rejected, service: "GoHighLevel", endpoint: "PUT /contacts/{contactId}/tasks/{taskId}",
                           message: "a GHL task cannot move to another contact; delete it and create it under the new one")
        }
        if body.keys.count == 1, let completed = body["completed"]?.boolValue {
            _ = try await client.completeTask(task, of: contact, completed: completed)
            return
        }
        // The client reads the task first when `title` or `dueDate` is missing.
        _ = try await client.updateTask(task, of: contact, body)
    }

    func delete(_ mapping: Mapping, id: String) async throws(APIError) {
        let (contact, task) = try ChildId.split(id)
        do { _ = try await client.deleteTask(task, of: contact) } catch where error.kind == .notFound || error.kind == .rejected {
            // GHL answers 400 "Contact not found" once the contact is gone (and its tasks with it).
            return
        }
    }
}

/// GHL notes: listed only per contact (`GET /contacts/{id}/notes`), for the contacts the engine
/// names (those changed since the last run, plus a rotating share of the rest).
struct GHLNotes: ObjectAdapter {
    let client: GHLClient

    var listsPerParent: Bool { true }
    var deletedWithParent: Bool { true }

    func recordId(apiId: String, parentId: String?) -> String? { parentId.map { ChildId.make(contact: $0, id: apiId) } }

    func fetch(_ mapping: Mapping, since: Date?, page: (ListingPage) async throws -> Void) async throws {
        throw APIError(.invalidResponse, service: "GoHighLevel", endpoint: "GET /contacts/{contactId}/notes",
                       message: "notes are listed per contact")
    }

    func fetch(_ mapping: Mapping, parents: [String], page: (ListingPage) async throws -> Void) async throws {
        for contact in parents {
            guard let notes = try await notes(of: contact) else { continue }
            try await page(ListingPage(records: notes.compactMap { ChildId.keyed($0.raw, contact: contact) }, absentMeansEmpty: true))
        }
    }

    /// The contact's notes; nil when the contact is gone (GHL answers 400 "Contact not found").
    private func notes(of contact: String) async throws(APIError) -> [Note]? {
        do { return try await client.notes(of: contact) } catch where error.kind == .notFound || error.kind == .rejected {
            return nil
        }
    }

    func read(_ mapping: Mapping, id: String) async throws(APIError) -> JSONObject? {
        let (contact, note) = try ChildId.split(id)
        do { return ChildId.keyed(try await client.note(note, of: contact).raw, contact: contact) } catch where error.kind == .notFound {
            return nil
        }
    }

    /// GHL cannot search notes: a lost create is looked up by reading its contact's notes again
    /// (`fetch(_:parents:page:)`), which the engine does for objects listed per parent.
    func find(_ mapping: Mapping, attribute: String, value: String) async throws(APIError) -> [JSONObject] {
        throw APIError(.rejected, service: "GoHighLevel", endpoint: "GET /contacts/{contactId}/notes",
                       message: "notes cannot be searched; read the contact's notes instead")
    }

    func create(_ mapping: Mapping, patch: RecordPatch, allowDuplicate: Bool) async throws(APIError) -> Creation {
        var body = patch.applied(to: [:])
        let contact = try ChildId.contact(of: &body, endpoint: "POST /contacts/{contactId}/notes")
        let created = try await client.createNote(body.filter { !$0.value.isNull }, for: contact)
        return .created(ChildId.keyed(created.raw, contact: contact) ?? created.raw)
    }

    func update(_ mapping: Mapping, id: String, patch: RecordPatch, previous: RecordPatch) async throws(APIError) {
        let (contact, note) = try ChildId.split(id)
        var body = GHLConnector.touched(patch, in: patch.applied(to: [:]), nullable: [])
        body["contactId"] = nil
        guard !body.isEmpty else { return }
        _ = try await client.updateNote(note, of: contact, body)
    }

    func delete(_ mapping: Mapping, id: String) async throws(APIError) {
        let (contact, note) = try ChildId.split(id)
        do { _ = try await client.deleteNote(note, of: contact) } catch where error.kind == .notFound || error.kind == .rejected {
            return
        }
    }
}

/// GHL appointments: `GET /calendars/` once, then each calendar's events over the window
/// (`sync.appointments.pastDays` back, `futureDays` ahead); a listing holds every appointment of the
/// window, so only those can be taken for deleted. Creating one needs a calendar (`ghl.calendarId`).
/// Every write tells GHL not to notify the contact and not to check slots: the sync mirrors bookings.
struct GHLAppointments: ObjectAdapter {
    let client: GHLClient
    let calendarId: String?
    let pastDays: Double
    let futureDays: Double

    var listsEverything: Bool { true }
    var deletedWithParent: Bool { true }

    var createRefusal: String? {
        calendarId == nil ? "creating a GHL appointment needs a calendar: set ghl.calendarId in the config" : nil
    }

    private var window: (from: Date, to: Date) {
        let now = Date()
        return (now.addingTimeInterval(-pastDays * 86_400), now.addingTimeInterval(futureDays * 86_400))
    }

    func fetch(_ mapping: Mapping, since: Date?, page: (ListingPage) async throws -> Void) async throws {
        let (from, to) = window
        for calendar in try await client.calendars() {
            guard let id = calendar["id"]?.stringValue else { continue }
            let events = try await client.events(
                calendarId: id, from: Int64(from.timeIntervalSince1970 * 1000), to: Int64(to.timeIntervalSince1970 * 1000))
            try await page(ListingPage(records: events, absentMeansEmpty: true))
        }
    }

    /// The listing holds the appointments starting inside the window.
    func covers(_ mapping: Mapping) -> (@Sendable (SideRecord) -> Bool)? {
        guard let start = mapping.fields.first(where: { $0.sources.ghl.paths == [.key("startTime")] })?.name else { return nil }
        let (from, to) = window
        let bounds = (Int64(from.timeIntervalSince1970), Int64(to.timeIntervalSince1970))
        return { record in
            guard let text = record.values[start]?.stringValue, let seconds = Timestamp.parse(text) else { return false }
            return seconds >= bounds.0 && seconds <= bounds.1
        }
    }

    func read(_ mapping: Mapping, id: String) async throws(APIError) -> JSONObject? {
        do { return try await client.appointment(id) } catch where error.kind == .notFound { return nil }
    }

    /// The appointments of the window whose `attribute` is `value` (the engine needs none: every run
    /// lists the whole window, so a lost create is in the snapshot already).
    func find(_ mapping: Mapping, attribute: String, value: String) async throws(APIError) -> [JSONObject] {
        var found: [JSONObject] = []
        do {
            try await fetch(mapping, since: nil) { page in
                found += page.records.filter { GHLConnector.same($0[attribute], value) }
            }
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError(.invalidResponse, service: "GoHighLevel", endpoint: "GET /calendars/events", message: "\(error)")
        }
        return found
    }

    func create(_ mapping: Mapping, patch: RecordPatch, allowDuplicate: Bool) async throws(APIError) -> Creation {
        var body = patch.applied(to: [:]).filter { !$0.value.isNull }
        guard let calendarId else {
            throw APIError(.rejected, service: "GoHighLevel", endpoint: "POST /calendars/events/appointments",
                           message: createRefusal ?? "no calendar")
        }
        body["calendarId"] = .string(calendarId)
        body["locationId"] = .string(client.locationId)
        return .created(try await client.createAppointment(body))
    }

    func update(_ mapping: Mapping, id: String, patch: RecordPatch, previous: RecordPatch) async throws(APIError) {
        let body = GHLConnector.touched(patch, in: patch.applied(to: [:]), nullable: [])
        guard !body.isEmpty else { return }
        _ = try await client.updateAppointment(id, body)
    }

    func delete(_ mapping: Mapping, id: String) async throws(APIError) {
        do { _ = try await client.deleteAppointment(id) } catch where error.kind == .notFound { return }
    }
}
