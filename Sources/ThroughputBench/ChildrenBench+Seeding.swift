import CLI
import Foundation
import GHLClient
import SyncCore
import Transport

extension ChildrenBench {
    /// What was seeded, by the side it was seeded on (ids as each emulator knows them).
    struct World: Sendable {
        var ghlBusinesses: [String] = []
        var espoAccounts: [String] = []
        var ghlContacts: [String] = []
        var espoContacts: [String] = []
        /// GHL task ids with whether each was seeded completed.
        var ghlTasks: [(id: String, completed: Bool)] = []
        var espoTasks: [(id: String, completed: Bool)] = []
        var ghlNotes: [String] = []
        var espoNotes: [String] = []
        /// Appointments with their start and end (seconds since 1970).
        var ghlAppointments: [(id: String, start: Int64, end: Int64)] = []
        var espoMeetings: [(id: String, start: Int64, end: Int64)] = []
        var calendars: [String] = []

        var contacts: Int { ghlContacts.count + espoContacts.count }
        var tasks: Int { ghlTasks.count + espoTasks.count }
        var notes: Int { ghlNotes.count + espoNotes.count }
        var appointments: Int { ghlAppointments.count + espoMeetings.count }
    }

    /// Seeds both emulators directly (no requests): businesses and contacts alternate sides, each
    /// contact in a business of its side, with its children on its side. Due dates and appointments
    /// fall 1–300 days ahead, inside the appointment window.
    func seed(_ sandbox: Sandbox) async -> World {
        var world = World()
        let ghl = sandbox.ghl
        let espo = sandbox.espo
        let location = sandbox.locationId
        let apiUser = type(of: espo).apiUserId
        let calendar = await ghl.defaultCalendar(location: location)
        world.calendars = [calendar]
        for c in 1..<max(1, calendars) {
            world.calendars.append(await ghl.seedCalendar(name: "Calendar \(c)", location: location))
        }
        for b in 0..<businesses {
            if b % 2 == 0 {
                world.ghlBusinesses.append(await ghl.seedBusiness(location: location, [
                    "name": .string("Company \(b)"), "city": "Austin", "country": "US",
                ]))
            } else if let id = espo.seedAccount(name: "Company \(b)", ["billingAddressCity": "Austin", "billingAddressCountry": "US"]) {
                world.espoAccounts.append(id)
            }
        }
        let hour: Int64 = 3_600
        let base = (Int64(Date().timeIntervalSince1970) / hour) * hour
        for n in 0..<contacts {
            let email = "children.\(n)+bench@example.com"
            let phone = "+1512\(String(format: "%07d", n))"
            let onGHL = n % 2 == 0
            let contact: String
            if onGHL {
                contact = await ghl.insertContact(location: location, [
                    "firstName": "Bench", "lastName": .string("Person\(n)"), "email": .string(email), "phone": .string(phone),
                    "city": "Austin",
                ])
                if !world.ghlBusinesses.isEmpty {
                    await ghl.setBusiness(world.ghlBusinesses[(n / 2) % world.ghlBusinesses.count], contact: contact, location: location)
                }
                world.ghlContacts.append(contact)
            } else {
                var fields: JSONObject = [
                    "firstName": "Bench", "lastName": .string("Person\(n)"), "emailAddress": .string(email),
                    "phoneNumber": .string(phone), "addressCity": "Austin",
                ]
                if !world.espoAccounts.isEmpty { fields["accountId"] = .string(world.espoAccounts[(n / 2) % world.espoAccounts.count]) }
                guard let id = espo.insert("Contact", fields) else { continue }
                contact = id
                world.espoContacts.append(contact)
            }
            for k in 0..<Self.tasksPerContact {
                let due = base + Int64(1 + (n * Self.tasksPerContact + k) % 300) * 86_400 + 9 * hour
                let completed = k == 1 && n % 10 < 2
                let title = "Follow up \(k + 1) with person \(n)"
                let body = "Task \(k + 1) of person \(n): call and confirm the order."
                if onGHL {
                    let id = await ghl.seedTask(
                        contact: contact, title: title, body: body, dueDate: due * 1000, completed: completed, location: location)
                    world.ghlTasks.append((id, completed))
                } else if let id = espo.seedTask(name: title, contactId: contact, [
                    "description": .string(body), "dateEnd": .string(Timestamp.naive(due)),
                    "status": completed ? "Completed" : "Not Started",
                ]) {
                    world.espoTasks.append((id, completed))
                }
            }
            for k in 0..<Self.notesPerContact {
                let body = "Note \(k + 1) on person \(n): spoke about the renewal."
                if onGHL {
                    world.ghlNotes.append(await ghl.seedNote(contact: contact, body: body, location: location))
                } else if let id = espo.seedNote(id: contact, post: body, author: apiUser) {
                    world.espoNotes.append(id)
                }
            }
            // Every other contact has an appointment: contacts 0, 1 of every 4 (one on each side).
            guard n % 4 < 2 else { continue }
            let start = base + Int64(1 + n % 300) * 86_400 + Int64(n % 8) * hour
            let end = start + 30 * 60
            let title = "Consultation with person \(n)"
            if onGHL {
                let id = await ghl.seedAppointment(
                    contact: contact, calendar: world.calendars[(n / 4) % world.calendars.count], title: title,
                    start: start * 1000, end: end * 1000, status: "confirmed", location: location)
                world.ghlAppointments.append((id, start, end))
            } else if let id = espo.seedMeeting(
                name: title, dateStart: Timestamp.naive(start), dateEnd: Timestamp.naive(end), contactId: contact)
            {
                world.espoMeetings.append((id, start, end))
            }
        }
        return world
    }

    /// The changes of one round, per side, and what the sync must write for them.
    struct Edits: Sendable {
        /// Records changed on each side, per entity.
        var perSide: [String: Int] = [:]
        /// The new body of each note edited in GHL and in EspoCRM (by id on its side), to tell which
        /// edits have not been read yet.
        var noteBodies: [String: String] = [:]

        static let none = Edits()
    }

    /// Changes 1 % of every entity on each side, as people would: contacts' and businesses' city; tasks'
    /// titles (half) or completion (half); notes' bodies; appointments' times (half, an hour later) or
    /// status (half). Each side changes records seeded on it, so the two sides never change one pair.
    /// Round 2 picks other records than round 1.
    func edit(_ sandbox: Sandbox, world: World, limit: RateLimit, round: Int) async throws -> Edits {
        let location = sandbox.locationId
        let ghl = sandbox.ghl
        let espo = sandbox.espo
        let editor = GHLClient(
            .init(locationId: location, baseURL: sandbox.ghlServer.baseURL, limit: limit), credentials: PrivateToken(sandbox.ghlToken))
        var edits = Edits()
        let share = { (total: Int) in max(1, total / 100) }

        let contactEdits = share(world.contacts)
        for id in Self.pick(world.ghlContacts, contactEdits, round: round) {
            _ = try await editor.updateContact(id, ["city": .string("Boston \(round)")])
        }
        for id in Self.pick(world.espoContacts, contactEdits, round: round) {
            espo.edit("Contact", id: id, ["addressCity": .string("Denver \(round)")])
        }
        edits.perSide["contact"] = contactEdits

        let businessEdits = share(world.ghlBusinesses.count + world.espoAccounts.count)
        for id in Self.pick(world.ghlBusinesses, businessEdits, round: round) {
            _ = try await editor.updateBusiness(id, ["city": .string("Houston \(round)")])
        }
        for id in Self.pick(world.espoAccounts, businessEdits, round: round) {
            espo.edit("Account", id: id, ["billingAddressCity": .string("Dallas \(round)")])
        }
        edits.perSide["business"] = businessEdits

        let taskEdits = share(world.tasks)
        for (k, task) in Self.pick(world.ghlTasks, taskEdits, round: round).enumerated() {
            let changes: JSONObject = k % 2 == 0 ? ["title": .string("Follow up, edited in GHL (\(round))")] : ["completed": .bool(!task.completed)]
            await ghl.editTask(task.id, location: location, changes)
        }
        for (k, task) in Self.pick(world.espoTasks, taskEdits, round: round).enumerated() {
            let changes: JSONObject = k % 2 == 0
                ? ["name": .string("Follow up, edited in EspoCRM (\(round))")]
                : ["status": .string(task.completed ? "Not Started" : "Completed")]
            espo.edit("Task", id: task.id, changes)
        }
        edits.perSide["task"] = taskEdits

        let noteEdits = share(world.notes)
        for (k, id) in Self.pick(world.ghlNotes, noteEdits, round: round).enumerated() {
            let body = "Edited in GHL (round \(round), \(k)): the renewal is signed."
            await ghl.editNote(id, location: location, ["body": .string(body)])
            edits.noteBodies[id] = body
        }
        for (k, id) in Self.pick(world.espoNotes, noteEdits, round: round).enumerated() {
            let body = "Edited in EspoCRM (round \(round), \(k)): the renewal is signed."
            // Only a note's author may edit it: these were posted as the API user.
            espo.edit("Note", id: id, ["post": .string(body)], by: type(of: espo).apiUserId)
            edits.noteBodies[id] = body
        }
        edits.perSide["note"] = noteEdits

        let appointmentEdits = share(world.appointments)
        let later = Int64(round) * 3_600
        for (k, event) in Self.pick(world.ghlAppointments, appointmentEdits, round: round).enumerated() {
            let changes: JSONObject = k % 2 == 0
                ? ["startTime": .number(Double((event.start + later) * 1000)), "endTime": .number(Double((event.end + later) * 1000))]
                : ["appointmentStatus": "showed"]
            await ghl.editAppointment(event.id, location: location, changes)
        }
        for (k, meeting) in Self.pick(world.espoMeetings, appointmentEdits, round: round).enumerated() {
            let changes: JSONObject = k % 2 == 0
                ? ["dateStart": .string(Timestamp.naive(meeting.start + later)), "dateEnd": .string(Timestamp.naive(meeting.end + later))]
                : ["status": "Held"]
            espo.edit("Meeting", id: meeting.id, changes)
        }
        edits.perSide["appointment"] = appointmentEdits
        return edits
    }

    /// `count` of `items`, spread evenly over them; another round picks the neighbours.
    static func pick<T>(_ items: [T], _ count: Int, round: Int) -> [T] {
        guard !items.isEmpty else { return [] }
        let step = max(1, items.count / count)
        return (0..<min(count, items.count)).map { items[($0 * step + round - 1) % items.count] }
    }
}
