import Foundation
import SyncCore
import Transport

/// One side of the sync as the engine sees it: records as raw JSON objects of the API, written from
/// the mapping's patches. The GHL and EspoCRM connectors adapt their clients to it.
public protocol Connector: Sendable {
    var side: Side { get }
    /// Requests sent so far, retries and token refreshes included.
    var apiCalls: Int { get }
    /// The mapping with this side's names resolved (GHL custom field keys to ids); may call the API.
    func prepare(_ mapping: Mapping) async throws(APIError) -> Mapping
    /// Lists every record of the mapping's object changed at or after `since` (all of them when nil),
    /// handing over one page at a time, in the API's page size.
    func fetch(_ mapping: Mapping, since: Date?, page: (JSONArray) async throws -> Void) async throws
    /// The records whose `attribute` (a top-level attribute of this side) equals `value`.
    func find(_ mapping: Mapping, attribute: String, value: String) async throws(APIError) -> [JSONObject]
    /// Creates a record from `patch`. With `allowDuplicate` false, an API that checks duplicates may
    /// answer with the records it considers the same instead.
    func create(_ mapping: Mapping, patch: RecordPatch, allowDuplicate: Bool) async throws(APIError) -> Creation
    /// Writes `patch` to record `id`.
    func update(_ mapping: Mapping, id: String, patch: RecordPatch) async throws(APIError)
    /// Deletes record `id`; a record already gone counts as deleted.
    func delete(_ mapping: Mapping, id: String) async throws(APIError)
}

/// What a create produced.
public enum Creation: Sendable {
    /// The new record as the API returned it.
    case created(JSONObject)
    /// The API refused: it holds records it considers the same (EspoCRM's duplicate check).
    case duplicates([JSONObject])
}

public typealias JSONArray = [JSON]
