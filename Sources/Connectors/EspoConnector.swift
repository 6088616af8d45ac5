import EspoClient
import Engine
import Foundation
import SyncCore
import Transport

/// EspoCRM as the engine sees it: contacts listed by the change feed (`modifiedAt` then id), written
/// with PATCH; creates go through EspoCRM's duplicate check unless the engine decides otherwise.
public struct EspoConnector: Connector {
    public let client: Espo.Client
    public let side = Side.espo

    public init(client: Espo.Client) {
        self.client = client
    }

    public var apiCalls: Int { client.counts.requests }

    public func prepare(_ mapping: Mapping) async throws(APIError) -> Mapping {
        try supported(mapping)
        return mapping
    }

    public func fetch(_ mapping: Mapping, since: Date?, page: (JSONArray) async throws -> Void) async throws {
        try supported(mapping)
        let from = since.map { Timestamp.naive(Int64($0.timeIntervalSince1970)) }
        for try await changes in client.changes(ListedContact.self, since: from) {
            try await page(changes.records.map { .object($0.record.attributes) })
        }
    }

    public func find(_ mapping: Mapping, attribute: String, value: String) async throws(APIError) -> [JSONObject] {
        let page = try await client.list(ListedContact.self, Espo.ListQuery(filters: [.equals(attribute, .string(value))]))
        return page.records.map(\.record.attributes)
    }

    public func create(_ mapping: Mapping, patch: RecordPatch, allowDuplicate: Bool) async throws(APIError) -> Creation {
        switch try await client.create(Espo.Contact.self, patch.applied(to: [:]), skipDuplicateCheck: allowDuplicate) {
        case .created(let contact): .created(contact.record.attributes)
        case .duplicate(let matches): .duplicates(matches.map(\.record.attributes))
        }
    }

    public func update(_ mapping: Mapping, id: String, patch: RecordPatch) async throws(APIError) {
        var current: JSONObject = [:]
        if patch.needsCurrentRecord { current = try await client.read(Espo.Contact.self, id: id).record.attributes }
        let written = patch.applied(to: current)
        var body: JSONObject = [:]
        for assignment in patch.assignments {
            guard case .keys(let segments) = assignment.path else { continue }
            body[segments[0].name] = written[segments[0].name] ?? .null
        }
        _ = try await client.update(Espo.Contact.self, id: id, body)
    }

    public func delete(_ mapping: Mapping, id: String) async throws(APIError) {
        do {
            try await client.delete(.contact, id: id)
        } catch where error.kind == .notFound {
            return
        }
    }

    private func supported(_ mapping: Mapping) throws(APIError) {
        guard mapping.sides.espo.object == "Contact" else {
            throw APIError(.rejected, service: "EspoCRM", endpoint: "(mapping)",
                           message: "\(mapping.file): EspoCRM object \"\(mapping.sides.espo.object)\" is not supported yet; use \"Contact\"")
        }
    }
}

/// A contact as the sync reads it: the raw attributes only. The mapping reads what it needs, so an
/// attribute of an unexpected type (a custom field, a module's addition) costs nothing here, where the
/// typed `Espo.Contact` would refuse the record — and a record missing from a full listing would look
/// deleted.
struct ListedContact: EspoEntity {
    static let entityType = Espo.EntityType.contact
    let record: Espo.Record

    init(record: Espo.Record) {
        self.record = record
    }
}
