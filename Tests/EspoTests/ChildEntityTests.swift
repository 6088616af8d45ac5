import Emulation
import EspoClient
import EspoEmulator
import Testing
import SyncCore
import Transport

/// Tasks, Meetings and Notes as a real EspoCRM serves them (FACTS §5.2, §5.3, §5.5, §11, §15).
@Suite struct ChildEntityTests {
    let user = EspoEmulator.apiUserId

    /// A 400 field validation failure with the §15 header and body.
    static func isValidation(_ error: any Error, _ entity: String, _ field: String, _ type: String) -> Bool {
        guard let error = error as? APIError, error.status == 400, error.kind == .rejected else { return false }
        let body = try? error.response?.json()
        return error.message == "Field validation failure; entityType: \(entity), field: \(field), type: \(type)."
            && body?["messageTranslation"]?["label"]?.stringValue == "validationFailure"
            && body?["messageTranslation"]?["data"]?["field"]?.stringValue == field
            && body?["messageTranslation"]?["data"]?["type"]?.stringValue == type
    }

    static func isForbidden(_ error: any Error, _ reason: String?) -> Bool {
        guard let error = error as? APIError, error.kind == .forbidden, error.status == 403 else { return false }
        return reason == nil || error.message == reason
    }

    @Test func tasksNeedANameAndAnAssignedUserAndStampDateCompleted() async throws {
        // Creates that break the spec's required fields on purpose are sent unrecorded.
        let unrecorded = try await EspoWorld.start(recorded: false)
        defer { Task { await unrecorded.stop() } }
        await #expect { _ = try await unrecorded.client.create(Espo.Task.self, ["name": "Nobody's"]) } throws: {
            Self.isValidation($0, "Task", "assignedUserId", "required")
        }
        await #expect { _ = try await unrecorded.client.create(Espo.Task.self, ["assignedUserId": .string(user)]) } throws: {
            Self.isValidation($0, "Task", "name", "required")
        }
        #expect(unrecorded.emulator.count("Task") == 0)
        let plain = try #require(try await unrecorded.client.create(Espo.Task.self, ["name": "Plain", "assignedUserId": .string(user)]).created)
        await #expect { _ = try await unrecorded.client.update(Espo.Task.self, id: plain.id, ["assignedUserId": nil]) } throws: {
            Self.isValidation($0, "Task", "assignedUserId", "required")
        }
        await #expect { _ = try await unrecorded.client.update(Espo.Task.self, id: plain.id, ["status": "Done"]) } throws: {
            Self.isValidation($0, "Task", "status", "valid")
        }
        await unrecorded.stop()

        let world = try await EspoWorld.start()
        defer { Task { await world.stop() } }
        let client = world.client
        let account = try #require(try await client.create(Espo.Account.self, ["name": "Umbrella"]).created)
        let contact = try #require(try await client.create(Espo.Contact.self, [
            "firstName": "Ada", "lastName": "Byron", "accountId": .string(account.id),
        ]).created)
        let task = try #require(try await client.create(Espo.Task.self, [
            "name": "Send the quote", "assignedUserId": .string(user), "parentType": "Contact",
            "parentId": .string(contact.id), "dateEnd": "2026-12-01 17:00:00", "description": "Two pages.",
        ]).created)
        #expect(task.status == "Not Started")
        #expect(task.priority == "Normal")
        #expect(task.contactId == contact.id, "contactId is derived from a Contact parent")
        #expect(task["accountId"]?.stringValue == account.id, "accountId is the parent contact's account")
        #expect(task.dateCompleted == nil)
        #expect(task.versionNumber == 1)

        world.clock.advance(by: 60)
        let done = try #require(try await client.update(Espo.Task.self, id: task.id, ["status": "Completed"], versionNumber: 1).updated)
        #expect(done.dateCompleted == Timestamp.naive(world.clock.now))
        #expect(done.modifiedAt == Timestamp.naive(world.clock.now))
        #expect(done.versionNumber == 2)
        // Someone else reopens it; our stale version is refused with the stored values.
        world.clock.advance(by: 60)
        #expect(world.emulator.edit("Task", id: task.id, ["status": "Started"]))
        guard case .modified(let conflict) = try await client.update(Espo.Task.self, id: task.id, ["status": "Canceled"], versionNumber: 2) else {
            Issue.record("expected 409 modified")
            return
        }
        #expect(conflict.values["status"]?.stringValue == "Started")
        #expect(conflict.versionNumber == 3)
        let reopened = try await client.read(Espo.Task.self, id: task.id)
        #expect(reopened.dateCompleted == nil, "dateCompleted is cleared when the status leaves Completed")
        #expect(reopened["modifiedById"]?.stringValue == EspoEmulator.humanUserId)

        // Every PATCH moves modifiedAt, even an empty one (FACTS §15).
        world.clock.advance(by: 5)
        let touched = try #require(try await client.update(Espo.Task.self, id: task.id, [:]).updated)
        #expect(touched.modifiedAt == Timestamp.naive(world.clock.now))
        #expect(touched.versionNumber == 3, "versionNumber moves only when a value changed")

        // All-day due date: dateEnd is the midnight after dateEndDate.
        let allDay = try #require(try await client.update(Espo.Task.self, id: task.id, ["dateEndDate": "2026-12-24"]).updated)
        #expect(allDay.dateEndDate == "2026-12-24")
        #expect(allDay.dateEnd == "2026-12-25 00:00:00")
        let timed = try #require(try await client.update(Espo.Task.self, id: task.id, ["dateEnd": "2026-12-24 15:00:00"]).updated)
        #expect(timed.dateEndDate == nil)
        await #expect {
            _ = try await client.update(Espo.Task.self, id: task.id, ["dateStart": "2026-12-24 15:00:00"])
        } throws: { Self.isValidation($0, "Task", "dateEnd", "after") }

        // where on parentType, parentId, contactId and modifiedAt.
        let other = try #require(try await client.create(Espo.Task.self, ["name": "Unrelated", "assignedUserId": .string(user)]).created)
        for filters: [Espo.Where] in [
            [.equals("parentType", "Contact"), .equals("parentId", .string(contact.id))], [.equals("contactId", .string(contact.id))],
        ] {
            #expect(try await client.list(Espo.Task.self, .init(filters: filters)).records.map(\.id) == [task.id])
        }
        let since = try await client.list(Espo.Task.self, .init(filters: [.greaterThanOrEquals("modifiedAt", .string(other.modifiedAt!))]))
        #expect(Set(since.records.map(\.id)) == [task.id, other.id])
        #expect(try await client.list(Espo.Task.self, .init(filters: [.after("modifiedAt", .string(other.modifiedAt!))])).total == 0)
        await world.stop()
    }

    @Test func meetingsNeedDatesInOrderAndReplaceTheirAttendees() async throws {
        let unrecorded = try await EspoWorld.start(recorded: false)
        defer { Task { await unrecorded.stop() } }
        await #expect {
            _ = try await unrecorded.client.create(Espo.Meeting.self, [
                "name": "No end", "dateStart": "2026-12-02 09:00:00", "assignedUserId": .string(user),
            ])
        } throws: { Self.isValidation($0, "Meeting", "dateEnd", "required") }
        await #expect {
            _ = try await unrecorded.client.create(Espo.Meeting.self, [
                "name": "Nobody's", "dateStart": "2026-12-02 09:00:00", "dateEnd": "2026-12-02 10:00:00",
            ])
        } throws: { Self.isValidation($0, "Meeting", "assignedUserId", "required") }
        // All-day from the date forms alone: the server derives dateStart and dateEnd.
        let allDay = try #require(try await unrecorded.client.create(Espo.Meeting.self, [
            "name": "Offsite", "isAllDay": true, "dateStartDate": "2026-12-10", "dateEndDate": "2026-12-11",
            "assignedUserId": .string(user),
        ]).created)
        #expect(allDay.dateStart == "2026-12-10 00:00:00")
        #expect(allDay.dateEnd == "2026-12-12 00:00:00")
        #expect(allDay.isAllDay == true)
        let timed = try #require(try await unrecorded.client.update(Espo.Meeting.self, id: allDay.id, [
            "isAllDay": false, "dateStart": "2026-12-10 09:00:00", "dateEnd": "2026-12-10 10:00:00",
        ]).updated)
        #expect(timed.dateStartDate == nil && timed.dateEndDate == nil && timed.isAllDay == false)
        await #expect { _ = try await unrecorded.client.update(Espo.Meeting.self, id: allDay.id, ["status": "Cancelled"]) } throws: {
            Self.isValidation($0, "Meeting", "status", "valid")
        }
        await unrecorded.stop()

        let world = try await EspoWorld.start()
        defer { Task { await world.stop() } }
        let client = world.client
        await #expect {
            _ = try await client.create(Espo.Meeting.self, [
                "name": "Zero length", "dateStart": "2026-12-02 09:00:00", "dateEnd": "2026-12-02 09:00:00",
                "assignedUserId": .string(user),
            ])
        } throws: { Self.isValidation($0, "Meeting", "dateEnd", "after") }
        let ann = try #require(try await client.create(Espo.Contact.self, ["firstName": "Ann", "lastName": "One"]).created)
        let bob = try #require(try await client.create(Espo.Contact.self, ["firstName": "Bob", "lastName": "Two"]).created)
        let meeting = try #require(try await client.create(Espo.Meeting.self, [
            "name": "Demo", "dateStart": "2026-12-02 09:00:00", "dateEnd": "2026-12-02 10:00:00", "assignedUserId": .string(user),
            "parentType": "Contact", "parentId": .string(ann.id), "contactsIds": [.string(ann.id)], "description": "Bring the deck.",
        ]).created)
        #expect(meeting.status == "Planned")
        #expect(meeting.contactsIds == [ann.id])
        #expect(meeting.description == "Bring the deck.")
        #expect(meeting.isAllDay == false)
        #expect(meeting["contactsColumns"]?[ann.id]?["status"]?.stringValue == "None")
        #expect(meeting["versionNumber"] == nil, "Meeting has no optimistic concurrency")

        world.clock.advance(by: 30)
        // Setting contactsIds replaces the attendee set; a stale version header is ignored.
        let moved = try #require(try await client.update(Espo.Meeting.self, id: meeting.id, [
            "contactsIds": [.string(bob.id)], "contactsColumns": .object([bob.id: ["status": "Accepted"]]),
        ], versionNumber: 7).updated)
        #expect(moved.contactsIds == [bob.id])
        #expect(moved["contactsColumns"]?[bob.id]?["status"]?.stringValue == "Accepted")
        #expect(moved.modifiedAt == Timestamp.naive(world.clock.now))
        await #expect { _ = try await client.update(Espo.Meeting.self, id: meeting.id, ["dateEnd": "2026-12-02 08:00:00"]) } throws: {
            Self.isValidation($0, "Meeting", "dateEnd", "after")
        }
        world.clock.advance(by: 5)
        let held = try #require(try await client.update(Espo.Meeting.self, id: meeting.id, ["status": "Held"]).updated)
        #expect(held.modifiedAt == Timestamp.naive(world.clock.now))
        let byParent = try await client.list(Espo.Meeting.self, .init(filters: [
            .equals("parentType", "Contact"), .equals("parentId", .string(ann.id)), .greaterThanOrEquals("modifiedAt", .string(held.modifiedAt!)),
        ]))
        #expect(byParent.records.map(\.id) == [meeting.id])
        await world.stop()
    }

    @Test func onlyTheAuthorEditsAPostWithinSevenDaysAndDeletesItWithinAMonth() async throws {
        let world = try await EspoWorld.start()
        defer { Task { await world.stop() } }
        let client = world.client
        let contact = try #require(try await client.create(Espo.Contact.self, ["firstName": "Cy", "lastName": "Three"]).created)
        await #expect { _ = try await client.postNote(on: .contact, id: "0000000000000dead", "Nowhere") } throws: {
            Self.isForbidden($0, "No access to parent.")
        }

        let human = try #require(world.emulator.seedNote(id: contact.id, post: "Called, no answer."))
        await #expect { _ = try await client.updateNote(id: human, post: "Edited by the sync") } throws: {
            Self.isForbidden($0, "No edit access.")
        }
        await #expect { try await client.deleteNote(id: human) } throws: { Self.isForbidden($0, "No delete access.") }
        let read = try await client.read(Espo.Note.self, id: human)
        #expect(read.post == "Called, no answer.")
        #expect(read.createdById == EspoEmulator.humanUserId)
        #expect(read.createdByName == EspoEmulator.humanUserName)
        #expect(world.emulator.edit("Note", id: human, ["post": "Called twice."]), "its author may edit it")

        let own = try await client.postNote(on: .contact, id: contact.id, "Quote sent.")
        #expect(own.createdById == user)
        #expect(own.createdByName == "sync-api")
        world.clock.advance(by: 60)
        let edited = try await client.updateNote(id: own.id, post: "Quote sent (v2).")
        #expect(edited.post == "Quote sent (v2).")
        #expect(edited.modifiedAt == Timestamp.naive(world.clock.now), "a note's PATCH moves modifiedAt")
        #expect(edited.parentId == contact.id)
        // Only `post` changes: a new parent in the body is dropped.
        let other = try #require(try await client.create(Espo.Contact.self, ["firstName": "Di", "lastName": "Four"]).created)
        let kept = try #require(try await client.update(Espo.Note.self, id: own.id, ["parentId": .string(other.id), "post": "v3"]).updated)
        #expect(kept.parentId == contact.id && kept.post == "v3")

        // GET Note lists only the API user's own notes.
        let listed = try await client.list(Espo.Note.self, .init(orderBy: "number", ascending: false))
        #expect(listed.records.contains { $0.id == own.id })
        #expect(!listed.records.contains { $0.id == human })
        #expect(listed.records.allSatisfy { $0.createdById == user })

        // Eight days on: too late to edit, not yet to delete.
        world.clock.advance(by: 8 * 86_400)
        await #expect { _ = try await client.updateNote(id: own.id, post: "too late") } throws: {
            Self.isForbidden($0, "No edit access.")
        }
        let second = try await client.postNote(on: .contact, id: contact.id, "Follow-up booked.")
        try await client.deleteNote(id: own.id)
        await #expect { _ = try await client.read(Espo.Note.self, id: own.id) } throws: { ($0 as? APIError)?.kind == .notFound }
        // A month and a day on: too late to delete.
        world.clock.advance(by: 32 * 86_400)
        await #expect { try await client.deleteNote(id: second.id) } throws: { Self.isForbidden($0, "No delete access.") }
        await world.stop()
    }

    @Test func aContactsStreamHoldsSystemNotesAndPostsNewestFirst() async throws {
        let world = try await EspoWorld.start()
        defer { Task { await world.stop() } }
        let client = world.client
        let contact = try #require(try await client.create(Espo.Contact.self, ["firstName": "Eve", "lastName": "Five"]).created)
        world.clock.advance(by: 10)
        let task = try #require(try await client.create(Espo.Task.self, [
            "name": "Call Eve", "assignedUserId": .string(user), "parentType": "Contact", "parentId": .string(contact.id),
        ]).created)
        world.clock.advance(by: 10)
        let post = try await client.postNote(on: .contact, id: contact.id, "Met at the fair.")
        let human = try #require(world.emulator.seedNote(id: contact.id, post: "Prefers e-mail.", createdAt: Timestamp.naive(world.clock.now)))

        let all = try await client.stream(of: .contact, id: contact.id, filter: nil)
        #expect(all.records.map(\.type) == ["Post", "Post", "CreateRelated", "Create"])
        #expect(all.records.map(\.id).prefix(2) == [human, post.id])
        #expect(all.total == 4)
        let related = all.records[2]
        #expect(related.relatedType == "Task" && related.relatedId == task.id)
        #expect(all.records.compactMap(\.number) == all.records.compactMap(\.number).sorted(by: >))
        #expect(world.emulator.notes(on: "Contact", id: contact.id).count == 4)

        let posts = try await client.stream(of: .contact, id: contact.id)
        #expect(posts.records.map(\.id) == [human, post.id])
        #expect(try await client.allPosts(of: .contact, id: contact.id).map(\.id) == [human, post.id])
        let paged = try await client.stream(of: .contact, id: contact.id, offset: 1, maxSize: 1, filter: nil)
        #expect(paged.records.map(\.id) == [post.id])
        #expect(paged.total == 4)
        let older = try await client.stream(of: .contact, id: contact.id, filter: nil, beforeNumber: post.number)
        #expect(older.records.map(\.type) == ["CreateRelated", "Create"])

        // `/posts`, `skipOwn` and `after` on the raw endpoint.
        let raw = try await client.transport.json(Request(.get, "/Contact/\(contact.id)/posts", endpoint: "GET /Contact/{id}/posts"))
        #expect(raw["list"]?.arrayValue?.count == 2)
        #expect(raw["pinnedList"] == .array([]))
        let skipOwn = try await client.transport.json(Request(
            .get, "/Contact/\(contact.id)/stream", endpoint: "GET /Contact/{id}/stream", query: [.init("skipOwn", "true")]))
        #expect(skipOwn["list"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [human])
        let after = try await client.transport.json(Request(
            .get, "/Contact/\(contact.id)/stream", endpoint: "GET /Contact/{id}/stream",
            query: [.init("after", contact["createdAt"]?.stringValue ?? "")]))
        #expect(after["total"]?.numberValue == 3, "after compares createdAt strictly")

        // An audited change writes an Update note on the task's own stream.
        _ = try await client.update(Espo.Task.self, id: task.id, ["status": "Started", "description": "not audited"])
        let updates = try await client.stream(of: .task, id: task.id, filter: .updates)
        #expect(updates.records.map(\.type) == ["Update"])
        #expect(updates.records.first?["data"]?["fields"] == ["status"])
        #expect(updates.records.first?["data"]?["attributes"]?["became"]?["status"]?.stringValue == "Started")

        // maxSize above 200 is a 403 with the §15 reason, on streams too.
        await #expect {
            _ = try await client.transport.send(Request(
                .get, "/Contact/\(contact.id)/stream", endpoint: "GET /Contact/{id}/stream", query: [.init("maxSize", "201")]))
        } throws: { Self.isForbidden($0, "Max size should not exceed 200. Use offset and limit.") }

        // Deleting the contact keeps its task and notes; the task still names it as parent.
        try await client.delete(.contact, id: contact.id)
        let orphan = try await client.read(Espo.Task.self, id: task.id)
        #expect(orphan.parentId == contact.id && orphan["parentName"] == .null)
        #expect(try await client.read(Espo.Note.self, id: post.id).parentId == contact.id)
        await #expect { _ = try await client.stream(of: .contact, id: contact.id) } throws: {
            ($0 as? APIError)?.kind == .notFound
        }
        await world.stop()
    }

    @Test func allPostsWalksEveryPageByNumber() async throws {
        let world = try await EspoWorld.start()
        defer { Task { await world.stop() } }
        let contact = try #require(world.emulator.seedContact(["firstName": "Fay", "lastName": "Six"]))
        var seeded: [String] = []
        for n in 0..<450 { seeded.append(try #require(world.emulator.seedNote(id: contact, post: "Note \(n)"))) }
        let posts = try await world.client.allPosts(of: .contact, id: contact)
        #expect(posts.map(\.id) == seeded.reversed())
        #expect(world.client.counts.byEndpoint["GET /Contact/{id}/stream"] == 3)
        await world.stop()
    }

    @Test func theGlobalStreamNeedsItsScopeAndPagesByNumber() async throws {
        let closed = try await EspoWorld.start()
        defer { Task { await closed.stop() } }
        await #expect { _ = try await closed.client.globalStream() } throws: { Self.isForbidden($0, nil) }
        await closed.stop()

        let world = try await EspoWorld.start(globalStream: true)
        defer { Task { await world.stop() } }
        let client = world.client
        let a = try #require(world.emulator.seedContact(["firstName": "Gus", "lastName": "Seven"]))
        let b = try #require(world.emulator.seedContact(["firstName": "Hal", "lastName": "Eight"]))
        let first = try #require(world.emulator.seedNote(id: a, post: "one"))
        let second = try #require(world.emulator.seedNote(id: b, post: "two"))
        let third = try #require(world.emulator.seedNote(id: a, post: "three"))
        let postsOnly: [Espo.Where] = [.equals("type", "Post"), .equals("parentType", "Contact")]
        let page = try await client.globalStream(filters: postsOnly, maxSize: 2)
        #expect(page.records.map(\.id) == [third, second])
        #expect(page.total == -1, "no count: -1 when more follow")
        let rest = try await client.globalStream(filters: postsOnly, beforeNumber: page.records.last?.number, maxSize: 2)
        #expect(rest.records.map(\.id) == [first])
        #expect(rest.total == -2)
        #expect(try await client.globalStream().records.count == 5, "system Create notes too")
        await #expect {
            _ = try await client.transport.send(Request(.get, "/GlobalStream", endpoint: "GET /GlobalStream", query: [.init("offset", "2")]))
        } throws: { ($0 as? APIError)?.status == 400 && ($0 as? APIError)?.message == "Offset is not supported." }
        await world.stop()
    }
}
