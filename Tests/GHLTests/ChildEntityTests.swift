import Emulation
import Foundation
@testable import GHLClient
import GHLEmulator
import SyncCore
import Testing
import Transport

/// Tasks, notes, calendars and appointments: the client against the emulator over real HTTP.
@Suite struct ChildEntityTests {
    static let day: Int64 = 86_400_000
    static let location = Harness.location

    /// Milliseconds of an ISO time.
    static func ms(_ iso: String) -> Int64 { Timestamp.parse(iso)! * 1000 }

    /// A raw request with the version a service wants; its status, or the APIError's.
    static func status(_ h: Harness, _ method: HTTPMethod, _ path: String, _ endpoint: String, body: JSON? = nil,
                       query: [Request.FormField] = [], version: String = GHLVersion.standard) async -> (status: Int?, message: String) {
        let request = Request(
            method, path, endpoint: endpoint, query: query, headers: [(name: "Version", value: version)],
            body: body.map { .json($0) }, isIdempotent: true)
        do {
            return (try await h.client.transport.send(request).status, "")
        } catch {
            return (error.status, error.message)
        }
    }

    // MARK: - Task search

    @Test func taskSearchPagesEveryTaskInCreationOrderCompletedOnesToo() async throws {
        let h = try await Harness.start()
        var contacts: [String] = []
        for n in 0..<3 { contacts.append(await h.emulator.insertContact(location: Self.location, ["email": .string("search+\(n)@example.com")])) }
        var ids: [String] = []
        for n in 0..<230 {
            ids.append(await h.emulator.seedTask(
                contact: contacts[n % 3], title: "Task \(n)", dueDate: Self.ms("2027-01-01T10:00:00Z"), completed: n % 4 == 0, location: Self.location))
        }
        var seen: [String] = []
        var pages: [Int] = []
        try await h.client.forEachTaskPage { rows in
            pages.append(rows.count)
            seen += rows.compactMap { $0["id"]?.stringValue }
        }
        #expect(seen == ids)
        #expect(pages == [100, 100, 30])
        #expect(h.client.taskSearchLimit == 100)
        let first = try #require(await h.emulator.tasks(location: Self.location).first)
        #expect(Set(first.keys) == ["id", "title", "dueDate", "completed", "contactId"], "unset body and assignedTo are absent")

        let tooMany = await Self.status(
            h, .post, Request.path("locations", Self.location, "tasks", "search"), "POST /locations/{locationId}/tasks/search",
            body: ["limit": 101])
        #expect(tooMany.status == 422 && tooMany.message.contains("limit"))
        let byDefault = try await h.client.transport.json(Request(
            .post, Request.path("locations", Self.location, "tasks", "search"), endpoint: "POST /locations/{locationId}/tasks/search",
            headers: [(name: "Version", value: GHLVersion.standard)], body: .json(["completed": true]), isIdempotent: true))
        #expect(byDefault["tasks"]?.arrayValue?.count == 25, "default limit 25")
        #expect(byDefault["tasks"]?.arrayValue?.allSatisfy { $0["completed"] == true } == true)
        #expect(byDefault["traceId"]?.stringValue != nil)
        await h.stop()
    }

    @Test func taskSearchFallsBackToASmallerLimitAndRemembersIt() async throws {
        let h = try await Harness.start(settings: .init(
            rateLimit: RateLimit(requests: 10_000, interval: .seconds(10), daily: 200_000, concurrency: 8), taskSearchLimit: 40))
        let contact = await h.emulator.insertContact(location: Self.location, ["email": "fallback+1@example.com"])
        for n in 0..<60 {
            await h.emulator.seedTask(contact: contact, title: "T\(n)", dueDate: Self.ms("2027-01-01T10:00:00Z"), location: Self.location)
        }
        var count = 0
        try await h.client.forEachTaskPage { count += $0.count }
        #expect(count == 60)
        #expect(h.client.taskSearchLimit == 25)
        // 100 and 50 refused once each, then 25 + 25 + 10.
        #expect(h.client.counts.byEndpoint["POST /locations/{locationId}/tasks/search"] == 5)
        var again = 0
        try await h.client.forEachTaskPage(filters: ["contactId": [.string(contact)]]) { again += $0.count }
        #expect(again == 60)
        #expect(h.client.counts.byEndpoint["POST /locations/{locationId}/tasks/search"] == 8, "the smaller limit is remembered")
        await h.stop()
    }

    // MARK: - Tasks and notes per verb

    @Test func taskVerbsAndTheUpdateRulesGHLEnforces() async throws {
        let h = try await Harness.start()
        let client = h.client
        let contact = try await client.createContact(["email": "taskverbs+1@example.com"])
        let task = try await client.createTask(
            ["title": "Call", "dueDate": "2027-02-01T10:00:00.250Z", "completed": false], for: contact.id)
        #expect(task.raw["dueDate"] == "2027-02-01T10:00:00.000Z", "sent in whole seconds, read back with milliseconds")
        #expect(task.raw["body"] == nil && task.raw["assignedTo"] == nil)

        let renamed = try await client.updateTask(task.id, of: contact.id, ["title": "Call back"])
        #expect(renamed.title == "Call back" && renamed.dueDate == Timestamp.parse("2027-02-01T10:00:00Z"))
        let moved = try await client.updateTask(task.id, of: contact.id, ["dueDate": "2027-03-01T09:30:00.999Z", "body": "Offer"])
        #expect(moved.title == "Call back" && moved.raw["dueDate"] == "2027-03-01T09:30:00.000Z" && moved.body == "Offer")

        let path = Request.path("contacts", contact.id, "tasks", task.id)
        let lacking = await Self.status(h, .put, path, "PUT /contacts/{contactId}/tasks/{taskId}", body: ["title": "x"])
        #expect(lacking.status == 422 && lacking.message.contains("dueDate"))
        let fraction = await Self.status(
            h, .put, path, "PUT /contacts/{contactId}/tasks/{taskId}", body: ["title": "x", "dueDate": "2027-03-01T09:30:00.123Z"])
        #expect(fraction.status == 422 && fraction.message.contains("milliseconds"))

        #expect(try await client.completeTask(task.id, of: contact.id).completed)
        #expect(try await client.completeTask(task.id, of: contact.id, completed: false).completed == false)
        #expect(try await client.tasks(of: contact.id).map(\.id) == [task.id])
        #expect(try await client.deleteTask(task.id, of: contact.id))
        let gone = await apiError { try await client.task(task.id, of: contact.id) }
        #expect(gone?.kind == .notFound)
        let noContact = await apiError { try await client.tasks(of: "nobody") }
        #expect(noContact?.kind == .notFound && noContact?.message == "Contact not found")
        await h.stop()
    }

    @Test func notesLeaveUnsetMembersOut() async throws {
        let h = try await Harness.start()
        let client = h.client
        let contact = try await client.createContact(["email": "notes+1@example.com"])
        let note = try await client.createNote(["body": "Met at the fair"], for: contact.id)
        #expect(Set(note.raw.keys) == ["id", "body", "dateAdded", "contactId"])
        let styled = try await client.updateNote(note.id, of: contact.id, ["title": "Fair", "color": "#FFAA00", "pinned": true])
        #expect(styled.raw["color"] == "#FFAA00" && styled.pinned && styled.title == "Fair")
        #expect(try await client.updateNote(note.id, of: contact.id, ["title": ""]).raw["title"] == nil)
        let seeded = await h.emulator.seedNote(contact: contact.id, body: "Seeded", location: Self.location)
        #expect(Set(try await client.notes(of: contact.id).map(\.id)) == [note.id, seeded])
        await h.emulator.editNote(seeded, location: Self.location, ["body": "Edited in GHL"])
        #expect(try await client.note(seeded, of: contact.id).body == "Edited in GHL")
        #expect(try await client.deleteNote(note.id, of: contact.id))
        await h.emulator.deleteNote(seeded, location: Self.location)
        #expect(try await client.notes(of: contact.id).isEmpty)
        await h.stop()
    }

    // MARK: - Calendars and appointments

    @Test func appointmentsRoundTripWithTheSyncFlagsAndTheCalendarsOffset() async throws {
        let h = try await Harness.start()
        let client = h.client
        let calendar = await h.emulator.seedCalendar(name: "Sales", location: Self.location, timeZone: "America/Chicago")
        let contact = try await client.createContact(["email": "appt+1@example.com"])
        #expect(try await client.calendars().map { $0["id"]?.stringValue } == [calendar])

        let created = try await client.createAppointment([
            "calendarId": .string(calendar), "contactId": .string(contact.id), "startTime": "2027-12-01T15:00:00Z", "title": "Intro",
        ])
        let id = try #require(created["id"]?.stringValue)
        #expect(created["startTime"] == "2027-12-01T09:00:00-06:00")
        #expect(created["endTime"] == "2027-12-01T09:30:00-06:00", "the calendar's 30-minute slot")
        #expect(await h.emulator.notifications(location: Self.location) == [false])

        let event = try await client.appointment(id)
        #expect(event["startTime"] == "2027-12-01T09:00:00-06:00" && event["title"] == "Intro")
        #expect(event["assignedUserId"] == nil && event["users"] == [] && event["groupId"]?.stringValue != nil)
        #expect(GHLDate.milliseconds(event["startTime"]) == Self.ms("2027-12-01T15:00:00Z"))

        let edited = try await client.updateAppointment(id, ["title": "Intro call", "appointmentStatus": "showed"])
        #expect(edited["title"] == "Intro call" && edited["appointmentStatus"] == "showed")
        let after = try await client.appointment(id)
        #expect(GHLDate.milliseconds(after["dateUpdated"])! > GHLDate.milliseconds(event["dateUpdated"])!, "dateUpdated moves")
        #expect(await h.emulator.notifications(location: Self.location) == [false, false])

        let delete = await Self.status(
            h, .delete, Request.path("calendars", "events", id), "DELETE /calendars/events/{eventId}", body: [:],
            version: GHLVersion.calendars)
        #expect(delete.status == 201)
        let gone = await apiError { try await client.appointment(id) }
        #expect(gone?.kind == .notFound)
        let again = try await client.createAppointment([
            "calendarId": .string(calendar), "contactId": .string(contact.id), "startTime": "2027-12-02T15:00:00Z",
        ])
        #expect(again["title"] == nil, "an unset title is left out")
        #expect(try await client.deleteAppointment(again["id"]!.stringValue!))
        await h.stop()
    }

    @Test func pastStartsAndTakenSlotsAreRefusedUnlessTheFlagsSayOtherwise() async throws {
        let h = try await Harness.start()
        let client = h.client
        let calendar = await h.emulator.seedCalendar(name: "Sales", location: Self.location, timeZone: "Europe/Berlin")
        let contact = try await client.createContact(["email": "slots+1@example.com"])
        let base: JSONObject = ["calendarId": .string(calendar), "contactId": .string(contact.id)]
        func with(_ extra: JSONObject) -> JSONObject {
            var body = base
            for (key, value) in extra { body[key] = value }
            return body
        }

        let past = await apiError { try await client.createAppointment(with(["startTime": "2020-01-01T10:00:00Z", "ignoreDateRange": false])) }
        #expect(past?.status == 422 && past?.message.contains("past") == true)
        let booked = try await client.createAppointment(with(["startTime": "2020-01-01T10:00:00Z"]))
        #expect(booked["startTime"] == "2020-01-01T11:00:00+01:00")

        _ = try await client.createAppointment(with(["startTime": "2027-06-01T10:00:00Z", "endTime": "2027-06-01T11:00:00Z"]))
        let taken = await apiError {
            try await client.createAppointment(with(["startTime": "2027-06-01T10:30:00Z", "ignoreFreeSlotValidation": false]))
        }
        #expect(taken?.status == 422 && taken?.message.contains("slot") == true)
        let doubled = try await client.createAppointment(with(["startTime": "2027-06-01T10:30:00Z"]))
        #expect(doubled["startTime"] == "2027-06-01T12:30:00+02:00", "summer time in Berlin")
        let later = try await client.createAppointment(with(["startTime": "2027-06-03T10:00:00Z"]))
        let movedOnto = await apiError {
            try await client.updateAppointment(later["id"]!.stringValue!, ["startTime": "2027-06-01T10:15:00Z", "ignoreFreeSlotValidation": false])
        }
        #expect(movedOnto?.status == 422)
        let retitled = try await client.updateAppointment(later["id"]!.stringValue!, ["title": "Only the title", "ignoreFreeSlotValidation": false])
        #expect(retitled["startTime"] == "2027-06-03T12:00:00+02:00", "an edit that does not move it is not slot-checked")

        let unknown = await apiError { try await client.createAppointment(with(["startTime": "2027-06-02T10:00:00Z", "notes": "x"])) }
        #expect(unknown?.status == 422 && unknown?.message == "property notes should not exist")
        #expect(await h.emulator.notifications(location: Self.location) == Array(repeating: false, count: 9))
        await h.stop()
    }

    @Test func eventRangesAreSplitIntoMonthWindowsAndEachEventComesOnce() async throws {
        let h = try await Harness.start()
        let calendar = await h.emulator.seedCalendar(name: "Sales", location: Self.location, timeZone: "America/Chicago")
        let other = await h.emulator.seedCalendar(name: "Support", location: Self.location, timeZone: "UTC")
        let contact = await h.emulator.insertContact(location: Self.location, ["email": "events+1@example.com"])
        let from = Self.ms("2027-01-01T00:00:00Z")
        // One event straddles the first window's end (day 31), one sits in each later month, one elsewhere.
        let boundary = from + 31 * Self.day - 3_600_000
        let straddling = await h.emulator.seedAppointment(
            contact: contact, calendar: calendar, title: "Straddles", start: boundary, end: boundary + 2 * 3_600_000, location: Self.location)
        let second = await h.emulator.seedAppointment(contact: contact, calendar: calendar, start: from + 45 * Self.day, location: Self.location)
        let third = await h.emulator.seedAppointment(
            contact: contact, calendar: calendar, start: from + 70 * Self.day, status: "cancelled", location: Self.location)
        await h.emulator.seedAppointment(contact: contact, calendar: other, start: from + 10 * Self.day, location: Self.location)

        let events = try await h.client.events(calendarId: calendar, from: from, to: from + 80 * Self.day)
        #expect(events.map { $0["id"]?.stringValue } == [straddling, second, third])
        #expect(h.client.counts.byEndpoint["GET /calendars/events"] == 3)
        #expect(events[0]["startTime"] == "2027-01-31T17:00:00-06:00")
        #expect(events[2]["appointmentStatus"] == "cancelled")

        let path = "/calendars/events"
        let long = await Self.status(h, .get, path, "GET /calendars/events", query: [
            .init("locationId", Self.location), .init("calendarId", calendar), .init("startTime", String(from)),
            .init("endTime", String(from + 32 * Self.day)),
        ], version: GHLVersion.calendars)
        #expect(long.status == 422 && long.message.contains("31 days"))
        let unnamed = await Self.status(h, .get, path, "GET /calendars/events", query: [
            .init("locationId", Self.location), .init("startTime", String(from)), .init("endTime", String(from + Self.day)),
        ], version: GHLVersion.calendars)
        #expect(unnamed.status == 422 && unnamed.message.contains("calendarId"))
        // Not recorded: the contract check would rightly refuse the wrong Version.
        let unrecorded = try await Harness.start(record: false)
        let wrongVersion = await Self.status(unrecorded, .get, "/calendars/", "GET /calendars/", query: [.init("locationId", Self.location)])
        #expect(wrongVersion.status == 400 && wrongVersion.message.contains("2021-04-15"))
        await unrecorded.stop()

        await h.emulator.editAppointment(second, location: Self.location, ["title": "Moved", "startTime": .number(Double(from + 46 * Self.day))])
        let moved = try await h.client.appointment(second)
        #expect(moved["title"] == "Moved" && GHLDate.milliseconds(moved["startTime"]) == from + 46 * Self.day)
        #expect(GHLDate.milliseconds(moved["dateUpdated"])! > GHLDate.milliseconds(moved["dateAdded"])!)
        await h.stop()
    }

    @Test func deletingAContactDeletesItsTasksNotesAndAppointments() async throws {
        let h = try await Harness.start()
        let client = h.client
        let keep = try await client.createContact(["email": "keep+1@example.com"])
        let doomed = try await client.createContact(["email": "doomed+1@example.com"])
        for contact in [keep, doomed] {
            _ = try await client.createTask(["title": "T", "dueDate": "2027-01-01T10:00:00Z", "completed": false], for: contact.id)
            _ = try await client.createNote(["body": "N"], for: contact.id)
            _ = await h.emulator.addAppointment(contact: contact.id, location: Self.location, title: "A", start: Self.ms("2027-05-01T10:00:00Z"))
        }
        #expect(try await client.deleteContact(doomed.id))
        #expect(await h.emulator.tasks(location: Self.location).map { $0["contactId"]?.stringValue } == [keep.id])
        #expect(await h.emulator.notes(location: Self.location).map { $0["contactId"]?.stringValue } == [keep.id])
        #expect(await h.emulator.appointments(location: Self.location).map { $0["contactId"]?.stringValue } == [keep.id])
        var searched: [JSONObject] = []
        try await client.forEachTaskPage { searched += $0 }
        #expect(searched.count == 1)
        #expect(try await client.appointments(of: keep.id).count == 1)
        await h.stop()
    }
}

extension ChildEntityTests {
    @Test func clearingAMemberLeavesItOutRatherThanNull() async throws {
        let h = try await Harness.start()
        let client = h.client
        let calendar = await h.emulator.seedCalendar(name: "Sales", location: Self.location, timeZone: "UTC")
        let contact = try await client.createContact(["email": "clear+1@example.com"])
        let task = try await client.createTask(
            ["title": "T", "body": "B", "assignedTo": "user1", "dueDate": "2027-01-01T10:00:00Z", "completed": false], for: contact.id)
        let cleared = try await client.updateTask(task.id, of: contact.id, ["body": "", "assignedTo": ""])
        #expect(cleared.raw["body"] == nil && cleared.raw["assignedTo"] == nil)
        let appointment = try await client.createAppointment([
            "calendarId": .string(calendar), "contactId": .string(contact.id), "startTime": "2027-02-01T10:00:00Z",
            "title": "A", "address": "Main St",
        ])
        #expect(appointment["meetingLocationType"] == "custom")
        let id = try #require(appointment["id"]?.stringValue)
        _ = try await client.updateAppointment(id, ["title": "", "address": ""])
        let event = try await client.appointment(id)
        #expect(event["title"] == nil && event["address"] == nil)
        await h.emulator.editTask(task.id, location: Self.location, ["title": "From GHL", "body": .null])
        #expect(await h.emulator.tasks(location: Self.location).first?["body"] == nil)
        await h.stop()
    }
}
