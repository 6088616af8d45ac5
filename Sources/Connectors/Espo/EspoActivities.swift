import EspoClient
import Engine
import Foundation
import SyncCore
import Synchronization
import Transport

/// The EspoCRM user records are assigned to: `espo.assignedUserId` from the config, else the API user
/// (`GET App/user`, asked once). EspoCRM requires an assignee on Tasks and Meetings and does not
/// assign API users' records itself.
final class EspoAssignee: Sendable {
    private let client: Espo.Client
    private let configured: String?
    /// The one request asking for the API user, shared by every caller (they come in parallel).
    private let asked = Mutex<Task<String, any Error>?>(nil)

    init(client: Espo.Client, configured: String?) {
        self.client = client
        self.configured = configured
    }

    /// The API user's id (the author of the notes the sync writes), asked once.
    func apiUser() async throws(APIError) -> String {
        let client = self.client
        let task = asked.withLock { current in
            if let current { return current }
            let task = Task { () async throws -> String in try await client.currentUser().id }
            current = task
            return task
        }
        do {
            return try await task.value
        } catch let error as APIError {
            asked.withLock { $0 = nil }  // asked again next time
            throw error
        } catch {
            asked.withLock { $0 = nil }
            throw APIError(.invalidResponse, service: "EspoCRM", endpoint: "GET /App/user", message: "\(error)")
        }
    }

    /// The user a new Task or Meeting is assigned to.
    func assignee() async throws(APIError) -> String {
        if let configured { return configured }
        return try await apiUser()
    }
}

/// Tasks or Meetings: listed by the change feed like any entity type (the mapping's filter keeps
/// those of a Contact), created assigned (`espo.assignedUserId`, else the API user); a Meeting's contact is also one
/// of its attendees (`contactsIds`).
struct EspoActivities<E: EspoEntity>: ObjectAdapter {
    let records: EspoRecords<E>
    let assignee: EspoAssignee

    init(client: Espo.Client, assignee: EspoAssignee) {
        // Every one is listed: one whose parent is no longer a Contact is then out of the mapping's
        // filter (the pair pauses) rather than missing (which would read as deleted).
        self.records = EspoRecords<E>(client: client)
        self.assignee = assignee
    }

    private var isMeeting: Bool { E.entityType == .meeting }

    func fetch(_ mapping: Mapping, since: Date?, page: (ListingPage) async throws -> Void) async throws {
        try await records.fetch(mapping, since: since, page: page)
    }

    func read(_ mapping: Mapping, id: String) async throws(APIError) -> JSONObject? {
        try await records.read(mapping, id: id)
    }

    func find(_ mapping: Mapping, attribute: String, value: String) async throws(APIError) -> [JSONObject] {
        try await records.find(mapping, attribute: attribute, value: value)
    }

    func create(_ mapping: Mapping, patch: RecordPatch, allowDuplicate: Bool) async throws(APIError) -> Creation {
        var body = patch.applied(to: [:])
        if body["assignedUserId"] == nil { body["assignedUserId"] = .string(try await assignee.assignee()) }
        if isMeeting, let parent = body["parentId"]?.stringValue { body["contactsIds"] = .array([.string(parent)]) }
        switch try await records.client.create(E.self, body, skipDuplicateCheck: true) {
        case .created(let record): return .created(record.record.attributes)
        case .duplicate(let matches): return .duplicates(matches.map(\.record.attributes))
        }
    }

    func update(_ mapping: Mapping, id: String, patch: RecordPatch, previous: RecordPatch) async throws(APIError) {
        var extra: JSONObject = [:]
        // A Meeting moved to another contact keeps that contact among its attendees.
        if isMeeting, let parent = patch.applied(to: [:])["parentId"]?.stringValue {
            var attendees = (try await records.client.read(E.self, id: id).record.attributes["contactsIds"]?.arrayValue ?? [])
                .compactMap(\.stringValue)
            if !attendees.contains(parent) { attendees.append(parent) }
            extra["contactsIds"] = .array(attendees.map(JSON.string))
        }
        try await records.update(mapping, id: id, patch: patch, previous: previous, extra: extra)
    }

    func delete(_ mapping: Mapping, id: String) async throws(APIError) {
        try await records.delete(mapping, id: id)
    }
}

/// Posts (`Note` of type `Post`) on the streams of linked contacts, read per contact (`GET
/// Contact/{id}/stream`, where an API user sees every post, not only its own as `GET Note` shows).
/// The notes EspoCRM writes itself (`Create`, `CreateRelated`, …) never travel. Only a note's author
/// may edit it (for 7 days) or delete it (for 30 days): other changes are refused at plan time.
struct EspoNotes: ObjectAdapter {
    let client: Espo.Client
    let assignee: EspoAssignee
    /// EspoCRM's `noteEditThresholdPeriod` and `noteDeleteThresholdPeriod` defaults.
    static let editDays = 7.0
    static let deleteDays = 30.0

    var listsPerParent: Bool { true }

    func fetch(_ mapping: Mapping, since: Date?, page: (ListingPage) async throws -> Void) async throws {
        // Notes have no change feed an API user may read; the engine lists them per contact.
        throw APIError(.invalidResponse, service: "EspoCRM", endpoint: "GET /Note", message: "notes are listed per contact")
    }

    func fetch(_ mapping: Mapping, parents: [String], page: (ListingPage) async throws -> Void) async throws {
        let author = try await assignee.apiUser()
        for parent in parents {
            guard let posts = try await posts(of: parent) else { continue }
            try await page(ListingPage(
                records: posts.filter { $0.type == "Post" }.map { note in
                    var raw = note.record.attributes
                    raw["$author"] = .string(author)
                    return raw
                },
                absentMeansEmpty: true))
        }
    }

    /// The contact's posts; nil when the contact is gone.
    private func posts(of contact: String) async throws(APIError) -> [Espo.Note]? {
        do { return try await client.allPosts(of: .contact, id: contact) } catch where error.kind == .notFound { return nil }
    }

    func refusal(of raw: JSONObject) -> Refusal {
        let author = raw["$author"]?.stringValue
        let writer = raw["createdById"]?.stringValue
        if let author, let writer, author != writer {
            let name = raw["createdByName"]?.stringValue ?? writer
            let reason = "only its author (\(name)) may change an EspoCRM note"
            return Refusal(edit: reason, delete: reason)
        }
        guard let created = raw["createdAt"]?.stringValue.flatMap({ Timestamp.parse($0) }) else { return Refusal() }
        let age = Date().timeIntervalSince1970 - Double(created)
        return Refusal(
            edit: age > Self.editDays * 86_400 ? "EspoCRM lets a note be edited for 7 days only" : nil,
            delete: age > Self.deleteDays * 86_400 ? "EspoCRM lets a note be deleted for 30 days only" : nil)
    }

    func read(_ mapping: Mapping, id: String) async throws(APIError) -> JSONObject? {
        do { return try await client.read(Espo.Note.self, id: id).record.attributes } catch where error.kind == .notFound {
            return nil
        }
    }

    func find(_ mapping: Mapping, attribute: String, value: String) async throws(APIError) -> [JSONObject] {
        // `GET Note` lists the API user's own notes, which are the ones the sync wrote.
        let page = try await client.list(Espo.Note.self, Espo.ListQuery(filters: [.equals(attribute, .string(value))]))
        return page.records.map(\.record.attributes)
    }

    func create(_ mapping: Mapping, patch: RecordPatch, allowDuplicate: Bool) async throws(APIError) -> Creation {
        let body = patch.applied(to: [:])
        guard let parent = body["parentId"]?.stringValue else {
            throw APIError(.rejected, service: "EspoCRM", endpoint: "POST /Note", message: "a note needs its contact")
        }
        return .created(try await client.postNote(on: .contact, id: parent, body["post"]?.stringValue ?? "").record.attributes)
    }

    func update(_ mapping: Mapping, id: String, patch: RecordPatch, previous: RecordPatch) async throws(APIError) {
        let body = patch.applied(to: [:])
        guard let post = body["post"] else { return }
        do {
            _ = try await client.updateNote(id: id, post: post.stringValue ?? "")
        } catch where error.kind == .forbidden {
            // Not ours to edit after all (the plan saw the note before someone changed it): this
            // record fails, not the run.
            throw APIError(.rejected, service: error.service, endpoint: error.endpoint, message: error.message)
        }
    }

    func delete(_ mapping: Mapping, id: String) async throws(APIError) {
        do {
            try await client.deleteNote(id: id)
        } catch where error.kind == .notFound {
            return
        } catch where error.kind == .forbidden {
            throw APIError(.rejected, service: error.service, endpoint: error.endpoint, message: error.message)
        }
    }
}
