import StateStore
import SyncCore
import Transport

/// Why a run stopped before it finished, with what a person needs to act.
public enum EngineError: Error, Sendable, CustomStringConvertible {
    /// Another run holds the state file.
    case busy(path: String)
    /// The lock file could not be opened or locked.
    case lock(path: String, reason: String)
    case state(StateStoreError)
    case mapping(MappingError)
    /// A call that the run cannot do without (a listing, the custom-field definitions) failed.
    case api(APIError)
    /// The mass-delete guard tripped; nothing was written.
    case massDeleteGuard(String)
    /// The mappings folder holds no mapping.
    case noMappings(folder: String)
    /// A mapping names an object no adapter of that side serves.
    case unsupportedObject(file: String, side: Side, object: String, supported: [String])
    /// A mapped EspoCRM attribute does not exist on the server (a custom field not created yet).
    case missingAttribute(file: String, field: String, object: String, attribute: String)
    /// Mappings reference each other in a circle, or reference an entity no mapping has.
    case references(file: String, message: String)

    public var description: String {
        switch self {
        case .busy(let path):
            "another espo-ghl-sync run is using \(path); wait for it to finish (a killed run's lock is released by the system)"
        case .lock(let path, let reason): "cannot lock \(path): \(reason)"
        case .state(let error): error.description
        case .mapping(let error): error.description
        case .api(let error): error.description
        case .massDeleteGuard(let message): message
        case .noMappings(let folder): "no mapping file (*.json) in \(folder); copy mappings/contacts.json there or set \"mappings\" in the config"
        case .unsupportedObject(let file, let side, let object, let supported):
            "\(file): $.\(side.rawValue).object: \(side.displayName) object \"\(object)\" is not supported; use one of \(supported.map { "\"\($0)\"" }.joined(separator: ", "))"
        case .missingAttribute(let file, let field, let object, let attribute):
            "\(file): $.fields.\(field).espo: EspoCRM \(object) has no attribute \"\(attribute)\"; create the field in EspoCRM (Administration → Entity Manager → \(object) → Fields\(attribute.hasPrefix("c") ? ", named \"\(attribute.dropFirst())\", which EspoCRM stores as \"\(attribute)\"" : "")), or remove \"\(field)\" from \(file)"
        case .references(let file, let message): "\(file): \(message)"
        }
    }
}
