import SyncCore

/// GHL's webhook event types read as hints: which record of which object each names.
///
/// | type | object | id | parent | deleted |
/// | --- | --- | --- | --- | --- |
/// | ContactCreate, ContactUpdate, ContactTagUpdate, ContactDndUpdate | `contact` | `id` | — | no |
/// | ContactDelete | `contact` | `id` | — | yes |
/// | NoteCreate, NoteUpdate / NoteDelete | `note` | `id` | `contactId` | no / yes |
/// | TaskCreate, TaskComplete / TaskDelete | `task` | `id` | `contactId` when given (real TaskCreate lacks it, #332) | no / yes |
/// | AppointmentCreate, AppointmentUpdate / AppointmentDelete | `appointment` | `appointment.id` | `appointment.contactId` | no / yes |
///
/// GHL's own examples of AppointmentUpdate and AppointmentDelete say `"type":"AppointmentCreate"`, so an
/// appointment event is only ever "read appointment X again"; the worker's read tells whether it is gone.
/// Every other type (AppInstall, LocationUpdate…) is not for the sync.
public enum GHLEvent {
    /// The hint of `payload`; nil for a type the sync does not use. Throws when a used type lacks its id.
    public static func hint(type: String, payload: JSONObject) throws(MissingField) -> Hint? {
        switch type {
        case "ContactCreate", "ContactUpdate", "ContactTagUpdate", "ContactDndUpdate", "ContactDelete":
            return Hint(side: .ghl, object: "contact", id: try id(payload, "id"), deleted: type == "ContactDelete", event: type)
        case "NoteCreate", "NoteUpdate", "NoteDelete":
            return Hint(side: .ghl, object: "note", id: try id(payload, "id"), parentId: string(payload, "contactId"),
                        deleted: type == "NoteDelete", event: type)
        case "TaskCreate", "TaskComplete", "TaskDelete":
            return Hint(side: .ghl, object: "task", id: try id(payload, "id"), parentId: string(payload, "contactId"),
                        deleted: type == "TaskDelete", event: type)
        case "AppointmentCreate", "AppointmentUpdate", "AppointmentDelete":
            guard case .object(let appointment)? = payload["appointment"] else { throw MissingField(name: "appointment") }
            guard let id = string(appointment, "id") else { throw MissingField(name: "appointment.id") }
            return Hint(side: .ghl, object: "appointment", id: id, parentId: string(appointment, "contactId"),
                        deleted: type == "AppointmentDelete", event: type)
        default:
            return nil
        }
    }

    /// A field the event's type needs is absent or not a string.
    public struct MissingField: Error, Sendable, Equatable {
        public var name: String
    }

    private static func id(_ payload: JSONObject, _ key: String) throws(MissingField) -> String {
        guard let value = string(payload, key) else { throw MissingField(name: key) }
        return value
    }

    private static func string(_ payload: JSONObject, _ key: String) -> String? {
        guard let value = payload[key]?.stringValue, !value.isEmpty else { return nil }
        return value
    }
}
