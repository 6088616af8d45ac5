import Engine
import GHLClient
import SyncCore

extension GHLConnector {
    /// The scopes the calls this connector makes for `mapping` need (FACTS §3, and the `security` of
    /// each operation): the reads always; the writes when values or deletes can travel to GHL.
    ///
    /// - contact: search and read (`contacts.readonly`); create, update, tags and the bulk business
    ///   link (`contacts.write`); the custom-field definitions (`locations/customFields.readonly`) when
    ///   the mapping names GHL custom fields.
    /// - business: `businesses.readonly` / `businesses.write`.
    /// - task: the location-wide search (`locations/tasks.readonly`), a task's read (`contacts.readonly`)
    ///   and writes under its contact (`contacts.write`).
    /// - note: listed and written under each contact (`contacts.readonly` / `contacts.write`).
    /// - appointment: the calendars (`calendars.readonly`), their events (`calendars/events.readonly`),
    ///   appointment writes (`calendars/events.write`).
    public static func scopes(for mapping: Mapping) -> [GHLScope] {
        var reads: [GHLScope]
        var writes: [GHLScope]
        switch mapping.sides.ghl.object {
        case "contact":
            reads = [.contactsReadonly] + (mapping.customFieldKeys.isEmpty ? [] : [.customFieldsReadonly])
            writes = [.contactsWrite]
        case "business": (reads, writes) = ([.businessesReadonly], [.businessesWrite])
        case "task": (reads, writes) = ([.tasksReadonly, .contactsReadonly], [.contactsWrite])
        case "note": (reads, writes) = ([.contactsReadonly], [.contactsWrite])
        case "appointment": (reads, writes) = ([.calendarsReadonly, .eventsReadonly], [.eventsWrite])
        default: (reads, writes) = ([], [])
        }
        let writesToGHL = mapping.deletes == .propagate || mapping.fields.contains { $0.direction.writes(to: .ghl) }
        return reads + (writesToGHL ? writes : [])
    }
}
