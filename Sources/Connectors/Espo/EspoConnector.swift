import EspoClient
import Engine
import Foundation
import SyncCore
import Transport

/// EspoCRM as the engine sees it: one adapter per entity type (`Contact`, `Account`), each listed by
/// the change feed (`modifiedAt` then id) and written with PATCH; creates go through EspoCRM's
/// duplicate check unless the engine decides otherwise.
public struct EspoConnector: Connector {
    public let client: Espo.Client
    public let side = Side.espo
    public let objects: [String: any ObjectAdapter]

    /// The objects (entity types) a mapping may name on the EspoCRM side.
    public static let objectNames = ["Account", "Contact", "Meeting", "Note", "Task"]

    /// `assignedUserId` is who new Tasks and Meetings are assigned to (config `espo.assignedUserId`);
    /// nil: the API user.
    public init(client: Espo.Client, assignedUserId: String? = nil) {
        self.client = client
        let assignee = EspoAssignee(client: client, configured: assignedUserId)
        self.objects = [
            "Contact": EspoRecords<ListedRecord<ContactType>>(client: client),
            "Account": EspoRecords<ListedRecord<AccountType>>(client: client),
            "Task": EspoActivities<ListedRecord<TaskType>>(client: client, assignee: assignee),
            "Meeting": EspoActivities<ListedRecord<MeetingType>>(client: client, assignee: assignee),
            "Note": EspoNotes(client: client, assignee: assignee),
        ]
        assert(Set(objects.keys) == Set(Self.objectNames))
    }

    public var apiCalls: Int { client.counts.requests }

    /// Every attribute the mappings read or write must exist on the server (`GET Metadata`, once per
    /// entity type): a missing custom field (`cTags`) stops the run before any write.
    public func check(_ mappings: [Mapping]) async throws(EngineError) {
        let missing: [EngineError]
        do { missing = try await missingAttributes(mappings) } catch { throw .api(error) }
        if let first = missing.first { throw first }
    }
}

/// Which attributes EspoCRM fields give: a field `x` is the attribute `x`; a link `account` gives
/// `accountId` and `accountName`; a link-multiple `teams` gives `teamsIds` and `teamsNames`; an address
/// `billingAddress` gives `billingAddressStreet`, `…City`, `…State`, `…Country`, `…PostalCode`; an
/// e-mail or phone field gives its `…Data` list too.
enum EspoAttributes {
    static let addressParts = ["Street", "City", "State", "Country", "PostalCode"]

    static func exists(_ attribute: String, in fields: [String: JSONObject]) -> Bool {
        if ["id", "createdAt", "modifiedAt", "createdById", "modifiedById", "deleted"].contains(attribute) { return true }
        if fields[attribute] != nil { return true }
        for suffix in ["Id", "Name", "Ids", "Names", "Data", "Type"] + addressParts where attribute.hasSuffix(suffix) {
            if fields[String(attribute.dropLast(suffix.count))] != nil { return true }
        }
        return false
    }
}

/// One EspoCRM entity type.
struct EspoRecords<E: EspoEntity>: ObjectAdapter {
    let client: Espo.Client
    /// Every listing holds only records matching these (a Task whose parent is a Contact).
    var filters: [Espo.Where] = []

    func fetch(_ mapping: Mapping, since: Date?, page: (ListingPage) async throws -> Void) async throws {
        let from = since.map { Timestamp.naive(Int64($0.timeIntervalSince1970)) }
        let endpoint = "GET /\(E.entityType.rawValue)"
        for try await changes in client.changes(E.self, since: from, filters: filters) {
            try await page(ListingPage(
                records: changes.records.map(\.record.attributes),
                // A row answers every attribute, null when empty; a key it lacks is not known to be empty.
                absentMeansEmpty: false,
                unreadable: changes.failures.map { UnreadableRow(espo: $0, endpoint: endpoint) }))
        }
    }

    func read(_ mapping: Mapping, id: String) async throws(APIError) -> JSONObject? {
        do { return try await client.read(E.self, id: id).record.attributes } catch where error.kind == .notFound {
            return nil
        }
    }

    func find(_ mapping: Mapping, attribute: String, value: String) async throws(APIError) -> [JSONObject] {
        let page = try await client.list(E.self, Espo.ListQuery(filters: [.equals(attribute, .string(value))]))
        return page.records.map(\.record.attributes)
    }

    func create(_ mapping: Mapping, patch: RecordPatch, allowDuplicate: Bool) async throws(APIError) -> Creation {
        switch try await client.create(E.self, patch.applied(to: [:]), skipDuplicateCheck: allowDuplicate) {
        case .created(let record): .created(record.record.attributes)
        case .duplicate(let matches): .duplicates(matches.map(\.record.attributes))
        }
    }

    func update(_ mapping: Mapping, id: String, patch: RecordPatch, previous: RecordPatch) async throws(APIError) {
        try await update(mapping, id: id, patch: patch, previous: previous, extra: [:])
    }

    /// `update`, with `extra` attributes written alongside.
    func update(
        _ mapping: Mapping, id: String, patch: RecordPatch, previous: RecordPatch, extra: JSONObject
    ) async throws(APIError) {
        var current: JSONObject = [:]
        if patch.needsCurrentRecord { current = try await client.read(E.self, id: id).record.attributes }
        let written = patch.applied(to: current)
        var body: JSONObject = [:]
        for assignment in patch.assignments {
            guard case .keys(let segments) = assignment.path else { continue }
            body[segments[0].name] = written[segments[0].name] ?? .null
        }
        for (key, value) in extra { body[key] = value }
        _ = try await client.update(E.self, id: id, body)
    }

    func delete(_ mapping: Mapping, id: String) async throws(APIError) {
        do {
            try await client.delete(E.entityType, id: id)
        } catch where error.kind == .notFound {
            return
        }
    }
}

/// Which entity type a `ListedRecord` is.
protocol ListedType: Sendable {
    static var entityType: Espo.EntityType { get }
}

enum ContactType: ListedType { static let entityType = Espo.EntityType.contact }
enum AccountType: ListedType { static let entityType = Espo.EntityType.account }
enum TaskType: ListedType { static let entityType = Espo.EntityType.task }
enum MeetingType: ListedType { static let entityType = Espo.EntityType.meeting }

/// A record as the sync reads it: the raw attributes only. The mapping reads what it needs, so an
/// attribute of an unexpected type (a custom field, a module's addition) costs nothing here, where a
/// typed model would refuse the record — and a record missing from a full listing would look deleted.
struct ListedRecord<T: ListedType>: EspoEntity {
    static var entityType: Espo.EntityType { T.entityType }
    let record: Espo.Record

    init(record: Espo.Record) {
        self.record = record
    }
}

extension UnreadableRow {
    /// A row the change feed could not read, from its error ("list[3] (id X): field `modifiedAt`: …").
    init(espo error: APIError, endpoint: String) {
        let message = error.message
        func between(_ open: String, _ close: String) -> String? {
            guard let start = message.range(of: open), let end = message.range(of: close, range: start.upperBound..<message.endIndex)
            else { return nil }
            return String(message[start.upperBound..<end.lowerBound])
        }
        self.init(id: between("(id ", ")"), field: between("field `", "`") ?? "(record)", endpoint: endpoint, message: message)
    }
}
