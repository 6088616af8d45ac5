import Engine
import Foundation
import GHLClient
import SyncCore
import Transport

/// GoHighLevel as the engine sees it: contacts of one location, listed through search, written with
/// the contacts endpoints. A contact's tags travel in the contact body (the whole set, as merged by
/// the planner) and custom fields by id.
public struct GHLConnector: Connector {
    public let client: GHLClient
    public let side = Side.ghl

    public init(client: GHLClient) {
        self.client = client
    }

    public var apiCalls: Int { client.counts.requests }

    public func prepare(_ mapping: Mapping) async throws(APIError) -> Mapping {
        try supported(mapping)
        guard !mapping.customFieldKeys.isEmpty else { return mapping }
        let ids = try await client.customFieldIds()
        do { return try mapping.resolvingCustomFields(ids) } catch {
            throw APIError(.rejected, service: "GHL", endpoint: "GET /locations/{locationId}/customFields", message: error.description)
        }
    }

    public func fetch(_ mapping: Mapping, since: Date?, page: (JSONArray) async throws -> Void) async throws {
        try supported(mapping)
        let pages = client.searchContacts(updatedSince: since.map { Int64($0.timeIntervalSince1970 * 1000) })
        for try await contacts in pages {
            try await page(contacts.map { .object($0.raw) })
        }
    }

    public func find(_ mapping: Mapping, attribute: String, value: String) async throws(APIError) -> [JSONObject] {
        // Free-text listing, then an exact comparison: GHL's search filters on phones are unreliable.
        var found: [JSONObject] = []
        for try await contacts in client.listContacts(query: value) {
            found += contacts.map(\.raw).filter { Self.same($0[attribute], value) }
        }
        return found
    }

    public func create(_ mapping: Mapping, patch: RecordPatch, allowDuplicate: Bool) async throws(APIError) -> Creation {
        let contact = try await client.createContact(Self.body(patch.applied(to: [:])))
        return .created(contact.raw)
    }

    public func update(_ mapping: Mapping, id: String, patch: RecordPatch) async throws(APIError) {
        var current: JSONObject = [:]
        if patch.needsCurrentRecord { current = try await client.contact(id).raw }
        let written = patch.applied(to: current)
        // Only what the patch touches travels, so the body holds no read-only member of the contact.
        var body: JSONObject = [:]
        for assignment in patch.assignments {
            let key: String
            switch assignment.path {
            case .keys(let segments): key = segments[0].name
            case .customField: key = "customFields"
            }
            body[key] = written[key] ?? .null
        }
        _ = try await client.updateContact(id, Self.body(body, clearing: patch))
    }

    public func delete(_ mapping: Mapping, id: String) async throws(APIError) {
        do {
            _ = try await client.deleteContact(id)
        } catch where error.kind == .notFound {
            return
        }
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

    static func same(_ json: JSON?, _ value: String) -> Bool {
        guard let text = json?.stringValue else { return false }
        return text.lowercased() == value.lowercased()
    }

    private func supported(_ mapping: Mapping) throws(APIError) {
        guard mapping.sides.ghl.object == "contact" else {
            throw APIError(.rejected, service: "GHL", endpoint: "(mapping)",
                           message: "\(mapping.file): GoHighLevel object \"\(mapping.sides.ghl.object)\" is not supported yet; use \"contact\"")
        }
    }
}
