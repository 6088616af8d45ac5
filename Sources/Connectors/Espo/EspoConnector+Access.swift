import EspoClient
import Engine
import SyncCore
import Transport

extension EspoConnector {
    /// One permission a mapping needs of the API user's role: `action` on the scope (entity type).
    public struct Permission: Sendable, Hashable {
        public var scope: String
        /// `read`, `create`, `edit`, `delete` or `stream`.
        public var action: String
    }

    /// The permissions the calls this connector makes for `mapping` need: reading the entity type;
    /// creating and editing it when values can travel to EspoCRM; deleting it when deletes propagate.
    /// Notes are posts in their contact's stream, which EspoCRM grants with the contact's `stream` access.
    public static func permissions(for mapping: Mapping) -> [Permission] {
        let object = mapping.sides.espo.object
        let writes = mapping.fields.contains { $0.direction.writes(to: .espo) }
        if object == "Note" {
            return [Permission(scope: "Contact", action: "read"), Permission(scope: "Contact", action: "stream")]
        }
        var needed = [Permission(scope: object, action: "read")]
        if writes { needed += [Permission(scope: object, action: "create"), Permission(scope: object, action: "edit")] }
        if mapping.deletes == .propagate { needed.append(Permission(scope: object, action: "delete")) }
        return needed
    }

    /// Every mapped attribute the server lacks (`GET Metadata`, once per entity type), as the errors
    /// `check` stops a run with; empty when all are there.
    public func missingAttributes(_ mappings: [Mapping]) async throws(APIError) -> [EngineError] {
        var definitions: [String: [String: JSONObject]] = [:]
        var missing: [EngineError] = []
        for mapping in mappings {
            let object = mapping.sides.espo.object
            guard let type = Espo.EntityType(rawValue: object) else { continue }
            if definitions[object] == nil { definitions[object] = try await client.fields(of: type) }
            let fields = definitions[object] ?? [:]
            for field in mapping.fields {
                for path in field.sources.espo.paths {
                    guard case .keys(let segments) = path, let attribute = segments.first?.name else { continue }
                    if !EspoAttributes.exists(attribute, in: fields) {
                        missing.append(.missingAttribute(file: mapping.file, field: field.name, object: object, attribute: attribute))
                    }
                }
            }
        }
        return missing
    }
}
