import Engine
import Foundation
import GHLClient
import SyncCore
import Transport

/// GHL contacts: listed through search (`dateUpdated` then id), written with the contacts endpoints.
/// Tags travel as deltas (`POST`/`DELETE /contacts/{id}/tags`), never as a whole set that would drop a
/// tag a workflow added meanwhile; the company (`businessId`) through `POST /contacts/bulk/business`,
/// many contacts a call.
struct GHLContacts: ObjectAdapter {
    let client: GHLClient

    var batchedKeys: Set<String> { ["businessId"] }
    var batchSize: Int { GHLClient.maxContactsPerBusinessCall }

    func prepare(_ mapping: Mapping) async throws(APIError) -> Mapping {
        guard !mapping.customFieldKeys.isEmpty else { return mapping }
        let ids = try await client.customFieldIds()
        do { return try mapping.resolvingCustomFields(ids) } catch {
            throw APIError(.rejected, service: "GHL", endpoint: "GET /locations/{locationId}/customFields", message: error.description)
        }
    }

    func fetch(_ mapping: Mapping, since: Date?, page: (ListingPage) async throws -> Void) async throws {
        var pages = client.searchContacts(updatedSince: since.map { Int64($0.timeIntervalSince1970 * 1000) }).makeAsyncIterator()
        while let contacts = try await pages.next() {
            // A search row is not the whole record: it leaves out what it does not carry, and names the
            // street `address`. A key it lacks is settled with the record before it counts as a clear.
            try await page(ListingPage(
                records: contacts.map { Self.normalized($0.raw) }, absentMeansEmpty: false,
                unreadable: pages.takeUnreadable().map(UnreadableRow.init)))
        }
        // Rows of a last page with nothing readable.
        let rest = pages.takeUnreadable()
        if !rest.isEmpty {
            try await page(ListingPage(records: [], absentMeansEmpty: false, unreadable: rest.map(UnreadableRow.init)))
        }
    }

    /// A search row with the record's names: `address` is the record's `address1`.
    static func normalized(_ row: JSONObject) -> JSONObject {
        var row = row
        if row["address1"] == nil, let street = row["address"] { row["address1"] = street }
        return row
    }

    func read(_ mapping: Mapping, id: String) async throws(APIError) -> JSONObject? {
        do { return try await client.contact(id).raw } catch where error.kind == .notFound { return nil }
    }

    func find(_ mapping: Mapping, attribute: String, value: String) async throws(APIError) -> [JSONObject] {
        // Free-text listing, then an exact comparison: GHL's search filters on phones are unreliable.
        var found: [JSONObject] = []
        for try await contacts in client.listContacts(query: value) {
            found += contacts.map(\.raw).filter { GHLConnector.same($0[attribute], value) }
        }
        return found
    }

    func create(_ mapping: Mapping, patch: RecordPatch, allowDuplicate: Bool) async throws(APIError) -> Creation {
        let contact = try await client.createContact(Self.body(patch.applied(to: [:])))
        return .created(contact.raw)
    }

    func update(_ mapping: Mapping, id: String, patch: RecordPatch, previous: RecordPatch) async throws(APIError) {
        var rest = patch
        rest.assignments.removeAll { $0.path == .key("tags") }
        if let tags = patch.assignments.first(where: { $0.path == .key("tags") }) {
            let before = previous.assignments.first { $0.path == .key("tags") }?.value
            let (added, removed) = Self.delta(from: before, to: tags.value)
            if !added.isEmpty { _ = try await client.addTags(added, to: id) }
            if !removed.isEmpty { _ = try await client.removeTags(removed, from: id) }
        }
        guard !rest.isEmpty else { return }
        var current: JSONObject = [:]
        if rest.needsCurrentRecord { current = try await client.contact(id).raw }
        let body = GHLConnector.touched(rest, in: rest.applied(to: current), nullable: ContactFields.nullable)
        _ = try await client.updateContact(id, Self.body(body, clearing: rest))
    }

    func updateMany(_ mapping: Mapping, ids: [String], patch: RecordPatch) async throws(APIError) {
        let business = patch.assignments.first { $0.path == .key("businessId") }?.value.stringValue
        _ = try await client.setBusiness(business.flatMap { $0.isEmpty ? nil : $0 }, contacts: ids)
    }

    func delete(_ mapping: Mapping, id: String) async throws(APIError) {
        do {
            _ = try await client.deleteContact(id)
        } catch where error.kind == .notFound {
            return
        }
    }

    /// Tags to add and to remove to go from `before` to `after`, compared trimmed and case-insensitive.
    static func delta(from before: JSON?, to after: JSON) -> (added: [String], removed: [String]) {
        func tags(_ json: JSON?) -> [String] {
            (json?.arrayValue ?? []).compactMap { $0.stringValue?.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        let old = tags(before), new = tags(after)
        let oldKeys = Set(old.map { $0.lowercased() }), newKeys = Set(new.map { $0.lowercased() })
        return (new.filter { !oldKeys.contains($0.lowercased()) }, old.filter { !newKeys.contains($0.lowercased()) })
    }

    /// The request body: custom fields in the write shape, with cleared ones sent as empty values
    /// (GHL keeps a custom field that is left out of the body).
    static func body(_ record: JSONObject, clearing patch: RecordPatch? = nil) -> JSONObject {
        var body = record
        var fields = (record["customFields"]?.arrayValue ?? []).compactMap(\.objectValue).map { item -> JSON in
            .object(["id": item["id"] ?? .null, "value": item["value"] ?? .null])
        }
        for assignment in patch?.assignments ?? [] {
            if case .customField(.id(let id)) = assignment.path, assignment.value.isNull {
                fields.append(.object(["id": .string(id), "value": .string("")]))
            }
        }
        if !fields.isEmpty || record["customFields"] != nil { body["customFields"] = .array(fields) }
        return body
    }
}

extension UnreadableRow {
    /// A contact row GHL's pager could not read.
    init(_ contact: UnreadableContact) {
        self.init(id: contact.id, field: contact.field, endpoint: contact.endpoint, message: contact.message)
    }
}
