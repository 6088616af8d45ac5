import Foundation
import SyncCore
import Transport

/// One side of the sync as the engine sees it: one adapter per object it serves (GHL `contact`,
/// `business`; EspoCRM `Contact`, `Account`), chosen by the object a mapping names.
public protocol Connector: Sendable {
    var side: Side { get }
    /// Requests sent so far, retries and token refreshes included.
    var apiCalls: Int { get }
    /// The adapters, by the object name a mapping gives for this side.
    var objects: [String: any ObjectAdapter] { get }
    /// Checks the mapping against the server before any write (EspoCRM: every mapped attribute exists);
    /// throws what a person must fix.
    func check(_ mappings: [Mapping]) async throws(EngineError)
}

extension Connector {
    public func check(_ mappings: [Mapping]) async throws(EngineError) {}

    /// The adapter serving `mapping`'s object on this side.
    public func adapter(for mapping: Mapping) throws(EngineError) -> any ObjectAdapter {
        let object = mapping.sides[side].object
        guard let adapter = objects[object] else {
            throw .unsupportedObject(
                file: mapping.file, side: side, object: object, supported: objects.keys.sorted())
        }
        return adapter
    }
}

/// One object of one side: records as raw JSON objects of the API, written from the mapping's patches.
public protocol ObjectAdapter: Sendable {
    /// Whether a listing always holds every record (the API has no change filter): then every listing
    /// is a full one, whatever `since` was.
    var listsEverything: Bool { get }
    /// The mapping with this side's names resolved (GHL custom field keys to ids); may call the API.
    func prepare(_ mapping: Mapping) async throws(APIError) -> Mapping
    /// Lists every record changed at or after `since` (all of them when nil), handing over one page at
    /// a time in the API's page size. A row that cannot be read goes in the page's `unreadable`,
    /// never silently away.
    func fetch(_ mapping: Mapping, since: Date?, page: (ListingPage) async throws -> Void) async throws
    /// The whole record `id` as the API holds it, nil when it does not exist: a field it lacks is empty.
    func read(_ mapping: Mapping, id: String) async throws(APIError) -> JSONObject?
    /// The records whose `attribute` (a top-level attribute of this side) equals `value`.
    func find(_ mapping: Mapping, attribute: String, value: String) async throws(APIError) -> [JSONObject]
    /// Creates a record from `patch`. With `allowDuplicate` false, an API that checks duplicates may
    /// answer with the records it considers the same instead.
    func create(_ mapping: Mapping, patch: RecordPatch, allowDuplicate: Bool) async throws(APIError) -> Creation
    /// Writes `patch` to record `id`; `previous` holds the values the patch replaces where known (set
    /// fields are written as deltas from them).
    func update(_ mapping: Mapping, id: String, patch: RecordPatch, previous: RecordPatch) async throws(APIError)
    /// Deletes record `id`; a record already gone counts as deleted.
    func delete(_ mapping: Mapping, id: String) async throws(APIError)
    /// Keys of this side that are written for many records at once (GHL's contact `businessId`): an
    /// update touching them is sent through `updateMany` in batches.
    var batchedKeys: Set<String> { get }
    /// The largest number of records one `updateMany` call takes.
    var batchSize: Int { get }
    /// Writes the same `patch` (of `batchedKeys` only) to every record of `ids` in one call.
    func updateMany(_ mapping: Mapping, ids: [String], patch: RecordPatch) async throws(APIError)

    /// Whether the API lists these records only per parent record (GHL notes, per contact): then the
    /// engine calls `fetch(_:parents:page:)` with the parents whose children to read this run.
    var listsPerParent: Bool { get }
    /// Lists every record of the parents `parents` (ids of this side), one page at a time.
    func fetch(_ mapping: Mapping, parents: [String], page: (ListingPage) async throws -> Void) async throws
    /// What a full listing holds when it is not every record (appointments of a time window): a
    /// record it does not cover is not gone because the listing lacked it. nil: it holds every record.
    func covers(_ mapping: Mapping) -> (@Sendable (SideRecord) -> Bool)?
    /// What the API will refuse to do to a listed record, with the reason (an EspoCRM note only its
    /// author may edit): the plan skips such changes instead of failing them every night.
    func refusal(of raw: JSONObject) -> Refusal
    /// Why no record can be created here (no calendar configured), nil when creates work.
    var createRefusal: String? { get }
    /// The id the sync knows a record by, from the API's own id and its parent's id on this side where
    /// an event gives it (a GHL task is `contactId/id`); nil when that cannot be made without the parent.
    func recordId(apiId: String, parentId: String?) -> String?
    /// Whether the API deletes these records itself with their parent (GHL deletes a contact's tasks,
    /// notes and appointments with it): a cascaded delete then needs no call.
    var deletedWithParent: Bool { get }
}

extension ObjectAdapter {
    public var listsEverything: Bool { false }
    public func prepare(_ mapping: Mapping) async throws(APIError) -> Mapping { mapping }
    public var batchedKeys: Set<String> { [] }
    public var batchSize: Int { 1 }
    public var listsPerParent: Bool { false }
    public func fetch(_ mapping: Mapping, parents: [String], page: (ListingPage) async throws -> Void) async throws {
        throw EngineError.unsupportedObject(
            file: mapping.file, side: .ghl, object: mapping.sides.ghl.object, supported: [])
    }
    public func covers(_ mapping: Mapping) -> (@Sendable (SideRecord) -> Bool)? { nil }
    public func refusal(of raw: JSONObject) -> Refusal { Refusal() }
    public var createRefusal: String? { nil }
    public var deletedWithParent: Bool { false }
    public func recordId(apiId: String, parentId: String?) -> String? { apiId }
    public func updateMany(_ mapping: Mapping, ids: [String], patch: RecordPatch) async throws(APIError) {
        for id in ids { try await update(mapping, id: id, patch: patch, previous: RecordPatch()) }
    }
}

/// One page of a listing.
public struct ListingPage: Sendable {
    /// The rows that could be read, as the API gave them.
    public var records: [JSONObject]
    /// Whether a key a row lacks means the field is empty there (the row is the whole record, as an
    /// EspoCRM row answering every selected attribute is); otherwise a lacking key is unknown and a
    /// field the base holds is settled with `read` before it is taken for a clear.
    public var absentMeansEmpty: Bool
    /// Rows that could not be read.
    public var unreadable: [UnreadableRow]

    public init(records: [JSONObject], absentMeansEmpty: Bool, unreadable: [UnreadableRow] = []) {
        self.records = records
        self.absentMeansEmpty = absentMeansEmpty
        self.unreadable = unreadable
    }
}

/// A listed row that could not be read: the listing that held it is not a full one.
public struct UnreadableRow: Sendable, Hashable, CustomStringConvertible {
    /// The record's id where it could be read.
    public var id: String?
    /// The field that could not be read.
    public var field: String
    public var endpoint: String
    public var message: String

    public init(id: String?, field: String, endpoint: String, message: String) {
        self.id = id
        self.field = field
        self.endpoint = endpoint
        self.message = message
    }

    public var description: String {
        "\(endpoint): record \(id ?? "(no id)"), field \(field): \(message)"
    }
}

/// What a create produced.
public enum Creation: Sendable {
    /// The new record as the API returned it.
    case created(JSONObject)
    /// The API refused: it holds records it considers the same (EspoCRM's duplicate check).
    case duplicates([JSONObject])
}

public typealias JSONArray = [JSON]
