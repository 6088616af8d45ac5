import Engine
import Foundation
import GHLClient
import SyncCore
import Transport

/// GHL businesses (companies) of the location: `GET /businesses/` has no change filter, so every
/// listing is a full one (a location holds few businesses: one call a hundred).
struct GHLBusinesses: ObjectAdapter {
    let client: GHLClient

    var listsEverything: Bool { true }

    func fetch(_ mapping: Mapping, since: Date?, page: (ListingPage) async throws -> Void) async throws {
        for try await businesses in client.businesses() {
            try await page(ListingPage(records: businesses.map(\.raw), absentMeansEmpty: false))
        }
    }

    func read(_ mapping: Mapping, id: String) async throws(APIError) -> JSONObject? {
        do { return try await client.business(id).raw } catch where error.kind == .notFound { return nil }
    }

    func find(_ mapping: Mapping, attribute: String, value: String) async throws(APIError) -> [JSONObject] {
        var found: [JSONObject] = []
        for try await businesses in client.businesses() {
            found += businesses.map(\.raw).filter { GHLConnector.same($0[attribute], value) }
        }
        return found
    }

    func create(_ mapping: Mapping, patch: RecordPatch, allowDuplicate: Bool) async throws(APIError) -> Creation {
        .created(try await client.createBusiness(patch.applied(to: [:])).raw)
    }

    func update(_ mapping: Mapping, id: String, patch: RecordPatch, previous: RecordPatch) async throws(APIError) {
        // `UpdateBusinessDto` declares no member nullable: a cleared one is sent as "".
        _ = try await client.updateBusiness(id, GHLConnector.touched(patch, in: patch.applied(to: [:]), nullable: []))
    }

    func delete(_ mapping: Mapping, id: String) async throws(APIError) {
        do { _ = try await client.deleteBusiness(id) } catch where error.kind == .notFound { return }
    }
}
