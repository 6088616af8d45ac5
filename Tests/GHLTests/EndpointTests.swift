import Emulation
import Foundation
@testable import GHLClient
import GHLEmulator
import SyncCore
import Testing
import Transport

@Suite struct EndpointTests {
    @Test func contactsRoundTripThroughEveryContactEndpoint() async throws {
        let h = try await Harness.start()
        let client = h.client
        let pincode = try #require(try await client.customFieldIds()["contact.pincode"])
        #expect(try await client.customFieldIds()["pincode"] == pincode)
        #expect(try await client.customFields().allSatisfy { $0.model == "contact" && $0.fieldKey != nil })

        let created = try await client.createContact([
            "firstName": "Zoë", "lastName": "O'Brien", "email": "zoe.obrien+vip@example.com", "phone": "+1 415-555-0100",
            "tags": ["lead"], "customFields": [["id": .string(pincode), "value": "75001"]], "dateOfBirth": "1990-09-25",
            "companyName": "Acme",
        ])
        #expect(created.email == "zoe.obrien+vip@example.com")
        #expect(created.phone == "+14155550100")
        #expect(created.name == "Zoë O'Brien")
        #expect(created.dateOfBirth == "1990-09-25")
        #expect(created.customFields[pincode] == "75001")

        let read = try await client.contact(created.id)
        #expect(read.id == created.id && read.companyName == "Acme" && read.tags == ["lead"])
        #expect(read.dateUpdated != nil && read.dateAdded != nil)

        let updated = try await client.updateContact(created.id, ["city": "Boston", "tags": ["lead", "customer"]])
        #expect(updated.raw["city"] == "Boston")
        #expect((updated.dateUpdatedMilliseconds ?? 0) > (read.dateUpdatedMilliseconds ?? 0))

        #expect(try await client.addTags(["VIP"], to: created.id).contains("VIP"), "tags are kept as sent")
        #expect(try await client.removeTags(["lead"], from: created.id) == ["customer", "VIP"])

        let again = try await client.upsertContact(["email": "zoe.obrien+vip@example.com", "city": "Dallas"])
        #expect(again.isNew == false && again.contact.id == created.id && again.contact.raw["city"] == "Dallas")
        let fresh = try await client.upsertContact(["email": "new.person+1@example.com", "firstName": "New"])
        #expect(fresh.isNew)

        await h.emulator.setBusiness("biz1", contact: created.id, location: Harness.location)
        #expect(try await client.contacts(ofBusiness: "biz1").map(\.id) == [created.id])

        #expect(try await client.deleteContact(fresh.contact.id))
        let gone = await apiError { try await client.contact(fresh.contact.id) }
        #expect(gone?.kind == .notFound)
        #expect(gone?.traceId != nil)
        await h.stop()
    }

    @Test func tasksNotesAndAppointmentsRoundTrip() async throws {
        let h = try await Harness.start()
        let client = h.client
        let contact = try await client.createContact(["email": "tasks+1@example.com"])

        let task = try await client.createTask(
            ["title": "Call", "body": "About the offer", "dueDate": "2026-02-01T10:00:00.000Z", "completed": false], for: contact.id)
        #expect(task.title == "Call" && task.completed == false && task.contactId == contact.id)
        #expect(task.dueDate == Timestamp.parse("2026-02-01T10:00:00Z"))
        #expect(try await client.tasks(of: contact.id).map(\.id) == [task.id])
        #expect(try await client.task(task.id, of: contact.id).body == "About the offer")
        #expect(try await client.updateTask(task.id, of: contact.id, ["title": "Call back"]).title == "Call back")
        #expect(try await client.completeTask(task.id, of: contact.id).completed)
        #expect(try await client.deleteTask(task.id, of: contact.id))
        #expect(try await client.tasks(of: contact.id).isEmpty)

        let note = try await client.createNote(["body": "Met at the fair", "title": "Fair"], for: contact.id)
        #expect(note.body == "Met at the fair" && note.dateAdded != nil)
        #expect(try await client.notes(of: contact.id).map(\.id) == [note.id])
        #expect(try await client.note(note.id, of: contact.id).title == "Fair")
        #expect(try await client.updateNote(note.id, of: contact.id, ["pinned": true]).pinned)
        #expect(try await client.deleteNote(note.id, of: contact.id))
        let missing = await apiError { try await client.note(note.id, of: contact.id) }
        #expect(missing?.kind == .notFound)

        let start = Timestamp.parse("2026-03-02T15:00:00Z")! * 1000
        let appointment = try #require(await h.emulator.addAppointment(contact: contact.id, location: Harness.location, title: "Intro", start: start))
        let events = try await client.appointments(of: contact.id)
        #expect(events.map(\.id) == [appointment])
        #expect(events.first?.startTime == start / 1000)
        #expect(events.first?.endTime == start / 1000 + 1800)
        await h.stop()
    }

    @Test func aPlusInAnEmailSurvivesTheQueryString() async throws {
        let h = try await Harness.start()
        _ = try await h.client.createContact(["email": "ann+news@example.com", "firstName": "Ann"])
        _ = try await h.client.createContact(["email": "ann.news@example.com", "firstName": "Ann"])
        var found: [Contact] = []
        for try await page in h.client.listContacts(query: "ann+news@") { found += page }
        #expect(found.map(\.email) == ["ann+news@example.com"])
        await h.stop()
    }

    @Test func duplicatesFollowTheLocationSetting() async throws {
        let strict = try await Harness.start()
        let first = try await strict.client.createContact(["email": "dup+1@example.com", "phone": "+14155550123"])
        let refused = await apiError { try await strict.client.createContact(["email": "DUP+1@example.com"]) }
        #expect(refused?.kind == .conflict)
        #expect(refused?.message.contains(first.id) == true)
        #expect(GHLAnswers.duplicateContactId(refused?.response) == first.id)
        let byPhone = await apiError { try await strict.client.createContact(["email": "other@example.com", "phone": "(415) 555-0123"]) }
        #expect(byPhone?.kind == .conflict)
        #expect(await strict.emulator.contactCount(location: Harness.location) == 1)
        await strict.stop()

        let loose = try await Harness.start(allowDuplicates: true)
        let a = try await loose.client.createContact(["email": "dup+1@example.com"])
        let b = try await loose.client.createContact(["email": "dup+1@example.com"])
        #expect(a.id != b.id)
        await loose.stop()
    }

    @Test func unknownPropertiesAreRefusedLocallyAndByTheServerWithAMessageArray() async throws {
        let h = try await Harness.start()
        let contact = try await h.client.createContact(["email": "props+1@example.com"])
        let local = await apiError { try await h.client.updateContact(contact.id, ["companyName": "Acme"]) }
        #expect(local?.kind == .rejected && local?.attempts == 0 && local?.message.contains("companyName") == true)
        #expect(h.client.counts.byEndpoint["PUT /contacts/{contactId}"] == nil)

        let request = Request(
            .put, Request.path("contacts", contact.id), endpoint: "PUT /contacts/{contactId}",
            headers: [(name: "Version", value: GHLVersion.standard)],
            body: .json(["companyName": "Acme", "gender": "female", "city": "Austin"]))
        let server = await apiError { try await h.client.transport.send(request) }
        #expect(server?.status == 422)
        #expect(server?.message == "property companyName should not exist; property gender should not exist")
        #expect(server?.traceId?.hasPrefix("trace-") == true)
        #expect(try await h.client.contact(contact.id).raw["city"] == nil)
        await h.stop()
    }

    @Test func customFieldValuesTravelUnderTheConfiguredKey() async throws {
        let fields: JSONObject = ["customFields": [["id": "cf1", "value": "x"]]]
        let snake = try ContactFields.checked(fields, allowed: ContactFields.update, endpoint: "PUT", valueKey: .fieldValueSnakeCase)
        #expect(snake["customFields"]?[0]?["field_value"] == "x" && snake["customFields"]?[0]?["value"] == nil)
        let camel = try ContactFields.checked(fields, allowed: ContactFields.update, endpoint: "PUT", valueKey: .fieldValueCamelCase)
        #expect(camel["customFields"]?[0]?["fieldValue"] == "x")

        let h = try await Harness.start(valueKey: .fieldValueCamelCase)
        let id = try #require(try await h.client.customFieldIds()["contact.lead_score"])
        let contact = try await h.client.createContact(["email": "cf+1@example.com", "customFields": [["id": .string(id), "value": "90"]]])
        #expect(try await h.client.contact(contact.id).customFields[id] == "90")
        await h.stop()
    }

    @Test func authAndVersionAreCheckedAsGHLDoes() async throws {
        let h = try await Harness.start(record: false)
        let noVersion = await apiError {
            try await h.client.transport.send(Request(.get, Request.path("contacts", "x"), endpoint: "GET /contacts/{contactId}"))
        }
        #expect(noVersion?.status == 400 && noVersion?.message.contains("Version") == true)

        let stranger = GHLClient(.init(locationId: Harness.location, baseURL: h.server.baseURL), credentials: PrivateToken("wrong"))
        let unauthorized = await apiError { try await stranger.contact("x") }
        #expect(unauthorized?.kind == .unauthorized && unauthorized?.status == 401)
        #expect(unauthorized?.message == "Invalid JWT")

        let other = GHLClient(
            .init(locationId: "otherLocation", baseURL: h.server.baseURL), credentials: h.client.transport.credentials!, exchanges: contractLog)
        let forbidden = await apiError { try await other.customFields() }
        #expect(forbidden?.kind == .forbidden && forbidden?.message == "The token does not have access to this location.")
        await h.stop()
    }

    @Test func aBadAnswerNamesTheEndpointAndTheField() async throws {
        let server = try await EmulatorServer.start(BrokenGHL())
        let client = GHLClient(.init(locationId: "l", baseURL: server.baseURL), credentials: PrivateToken("t"))
        let contact = await apiError { try await client.contact("c1") }
        #expect(contact?.kind == .invalidResponse)
        #expect(contact?.endpoint == "GET /contacts/{contactId}")
        #expect(contact?.message == "field `contact.id`: expected a non-empty string, found number")
        let tasks = await apiError { try await client.tasks(of: "c1") }
        #expect(tasks?.message == "field `tasks[1]`: expected an object, found number")
        await server.stop()
    }

    @Test func modelsTolerateGHLsDateShapesAndExtraFields() throws {
        let iso = try Contact(raw: ["id": "c", "dateUpdated": "2026-01-31T23:59:58.123Z", "dateAdded": "2026-01-31T23:59:58+05:30", "extra": [1]])
        #expect(iso.dateUpdatedMilliseconds == Timestamp.parse("2026-01-31T23:59:58Z")! * 1000 + 123)
        #expect(iso.dateAdded == Timestamp.parse("2026-01-31T18:29:58Z"))
        #expect(iso.raw["extra"] == [1])
        let naive = try Appointment(raw: ["id": "a", "startTime": "2021-07-16 11:00:00", "endTime": .number(1_626_434_400_000)])
        #expect(naive.startTime == Timestamp.parse("2021-07-16T11:00:00Z"))
        #expect(naive.endTime == 1_626_434_400)
        #expect(try GHLTask(raw: ["id": "t", "completed": "true"]).completed)
        #expect(throws: ModelError.self) { try Note(raw: ["body": "no id"]) }
        #expect(GHLDate.iso8601(milliseconds: 1_769_903_998_123) == "2026-01-31T23:59:58.123Z")
    }
}

/// Answers every GHL call with a body whose shape is wrong.
struct BrokenGHL: EmulatedAPI {
    let contractName = "ghl-broken"
    func route(_ request: ServedRequest) -> Route? { Route("\(request.method) \(request.path)", isWrite: false) }
    func respond(to request: ServedRequest) async -> ServedResponse {
        request.path.hasSuffix("/tasks") ? .json(200, ["tasks": [["id": "t1"], 3]]) : .json(200, ["contact": ["id": 5]])
    }
}
