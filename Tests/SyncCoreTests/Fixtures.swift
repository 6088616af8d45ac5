import Foundation
@testable import SyncCore

/// The repository's folder, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The shipped default mapping, `mappings/contacts.json`.
let contactsMapping: Mapping = {
    do {
        return try Mapping.load(file: repositoryRoot.appendingPathComponent("mappings/contacts.json").path)
    } catch {
        fatalError("mappings/contacts.json does not load: \(error)")
    }
}()

/// A canonical record with string values; "" stands for a cleared field.
func record(_ id: String, _ values: [String: String], updated: TimeInterval? = nil, inScope: Bool = true) -> SideRecord {
    SideRecord(
        id: id, updatedAt: updated.map { Date(timeIntervalSince1970: $0) }, inScope: inScope,
        values: values.mapValues { $0.isEmpty ? .empty : .string($0) })
}

/// String values as canonical values; "" stands for a cleared field.
func values(_ strings: [String: String]) -> FieldValues {
    strings.mapValues { $0.isEmpty ? .empty : .string($0) }
}

/// Parses a mapping document given as text.
func mapping(_ text: String, file: String = "test.json") throws(MappingError) -> Mapping {
    try Mapping.parse(Array(text.utf8), file: file)
}

/// A minimal mapping document with the given fields object, extra top-level members and side objects.
func mappingText(
    fields: String, extra: String = "",
    ghl: String = #"{ "object": "contact" }"#, espo: String = #"{ "object": "Contact" }"#
) -> String {
    """
    {
      "entity": "contact",
      "ghl": \(ghl),
      "espo": \(espo),
      \(extra)
      "fields": \(fields)
    }
    """
}

extension Plan {
    /// The operations of one action.
    func operations(_ action: Plan.Operation.Action) -> [Plan.Operation] { operations.filter { $0.action == action } }
}
