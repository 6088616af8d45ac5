import Foundation
import Testing
import TestSupport
@testable import StateStore
import SyncCore


/// The bytes of the file at `path`.
func bytes(_ path: String) -> [UInt8] {
    FileManager.default.contents(atPath: path).map { [UInt8]($0) } ?? []
}

/// Overwrites the file at `path` with `bytes`.
func write(_ bytes: [UInt8], to path: String) {
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
}

/// The permission bits of the file at `path`.
func mode(_ path: String) -> Int? {
    (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
}

/// Runs `body` and returns the `StateStoreError` it throws, recording an issue when it throws none.
func stateError<T>(
    _ body: () throws(StateStoreError) -> T, sourceLocation: SourceLocation = #_sourceLocation
) -> StateStoreError? {
    do {
        _ = try body()
        Issue.record("expected a StateStoreError", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

let epoch = Date(timeIntervalSince1970: 1_700_000_000)

/// The contact mapping of the tests: identity by email then phone, a set field, a manual field.
func testMapping(conflict: ConflictPolicy = .newestWins, deletes: DeletePolicy = .propagate) throws -> Mapping {
    let text = """
    {
      "entity": "contact",
      "ghl": {"object": "contact", "createRequires": {"anyOf": ["email", "phone"]}},
      "espo": {"object": "Contact", "createRequires": {"allOf": ["lastName"]}},
      "identity": [{"field": "email", "match": "email"}, {"field": "phone", "match": "phone", "defaultRegion": "US"}],
      "conflict": "\(conflict.rawValue)",
      "deletes": "\(deletes.rawValue)",
      "fields": {
        "firstName": {"ghl": "firstName", "espo": "firstName"},
        "lastName": {"ghl": "lastName", "espo": "lastName"},
        "email": {"ghl": "email", "espo": "emailAddress", "transforms": ["trim", "lower"]},
        "phone": {"ghl": "phone", "espo": "phoneNumber"},
        "city": {"ghl": "city", "espo": "addressCity", "conflict": "manual"},
        "tags": {"type": "set", "ghl": "tags", "espo": "cTags"},
        "score": {"type": "number", "direction": "to-espo", "ghl": "score", "espo": "cScore"}
      }
    }
    """
    return try Mapping.parse(Array(text.utf8), file: "test-contacts.json")
}

extension StateStore {
    /// Saves `records` with identities computed by `mapping`.
    func save(_ records: [SideRecord], side: Side, mapping: Mapping, run: Int64) throws(StateStoreError) {
        try saveSnapshot(
            entity: mapping.entity, side: side, records: records.map { ($0, mapping.identityValues(of: $0.values)) }, run: run)
    }

    /// Journals `operation`, starts it and completes it.
    @discardableResult
    func apply(_ operation: Plan.Operation, entity: String = "contact", run: Int64, createdId: String? = nil) throws(StateStoreError) -> Int64 {
        let entry = try journal(run: run, entity: entity, operations: [operation])[0]
        try markStarted(entry)
        try complete(entry, createdId: createdId)
        return entry
    }
}
