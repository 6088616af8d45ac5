import SyncCore

/// One write to a location's records, as `LocationData`'s write primitives leave it behind; the
/// emulator turns each into the Marketplace app webhooks GHL would send (or drops it when none are
/// configured). Deleting a contact removes its tasks, notes and appointments without a change of
/// their own.
enum RecordChange: Sendable {
    case contactCreated(StoredContact)
    case contactUpdated(StoredContact, was: StoredContact)
    case contactDeleted(StoredContact)
    case taskCreated(JSONObject)
    /// `completed` went from false (or absent) to true.
    case taskCompleted(JSONObject)
    case taskDeleted(JSONObject)
    case noteCreated(JSONObject)
    case noteUpdated(JSONObject)
    case noteDeleted(JSONObject)
    case appointmentCreated(StoredAppointment)
    case appointmentUpdated(StoredAppointment)
    case appointmentDeleted(StoredAppointment)
}

/// One webhook's body before its envelope: `name` is the event (`AppointmentUpdate`), `body` what
/// is posted, whose `type` is what GHL writes there (`AppointmentCreate` for all three appointment
/// events, as the documented examples have it).
struct GHLWebhookEvent: Sendable {
    var name: String
    var body: JSONObject
}

extension RecordChange {
    /// The members of the contact events' payload (`ContactCreate.md` and siblings). There is no
    /// `dateUpdated` and no `businessId`, as on the real service (wave2 A.3).
    static let contactMembers = [
        "id", "address1", "city", "state", "companyName", "country", "source", "dateAdded", "dateOfBirth", "dnd", "email",
        "name", "firstName", "lastName", "phone", "postalCode", "tags", "website", "attachments", "assignedTo", "customFields",
    ]

    /// The webhooks this change sends, in order, with `type` and `locationId` but without the
    /// envelope (`timestamp`, `webhookId`).
    ///
    /// - A contact update whose only change is its tags is a `ContactTagUpdate`; one that changes
    ///   tags and other fields sends `ContactTagUpdate` and `ContactUpdate`; any other update (even
    ///   one that rewrites the same values, since it moves `dateUpdated`) a `ContactUpdate`.
    /// - `TaskCreate` has no `contactId` and no `body` unless `taskCreateCarriesContact` (the real
    ///   service leaves them out, #332). No event says a task's title or due date changed: GHL has
    ///   no TaskUpdate.
    /// - Tasks carry no `dateAdded`: the emulator keeps none.
    func events(location data: LocationData, taskCreateCarriesContact: Bool) -> [GHLWebhookEvent] {
        switch self {
        case .contactCreated(let contact): return [contactEvent("ContactCreate", contact, data)]
        case .contactDeleted(let contact): return [contactEvent("ContactDelete", contact, data)]
        case .contactUpdated(let contact, let was):
            let tags = (contact.fields["tags"] ?? []) != (was.fields["tags"] ?? [])
            let others = contact.fields.filter { $0.key != "tags" } != was.fields.filter { $0.key != "tags" }
            var events: [GHLWebhookEvent] = []
            if tags { events.append(contactEvent("ContactTagUpdate", contact, data)) }
            if others || !tags { events.append(contactEvent("ContactUpdate", contact, data)) }
            return events
        case .taskCreated(var task):
            if !taskCreateCarriesContact {
                task["contactId"] = nil
                task["body"] = nil
            }
            return [taskEvent("TaskCreate", task, data)]
        case .taskCompleted(let task): return [taskEvent("TaskComplete", task, data)]
        case .taskDeleted(let task): return [taskEvent("TaskDelete", task, data)]
        case .noteCreated(let note): return [noteEvent("NoteCreate", note, data)]
        case .noteUpdated(let note): return [noteEvent("NoteUpdate", note, data)]
        case .noteDeleted(let note): return [noteEvent("NoteDelete", note, data)]
        case .appointmentCreated(let event): return [appointmentEvent("AppointmentCreate", event, data)]
        case .appointmentUpdated(let event): return [appointmentEvent("AppointmentUpdate", event, data)]
        case .appointmentDeleted(let event): return [appointmentEvent("AppointmentDelete", event, data)]
        }
    }

    private func contactEvent(_ name: String, _ contact: StoredContact, _ data: LocationData) -> GHLWebhookEvent {
        let read = contact.read(shape: .full)
        var body: JSONObject = ["type": .string(name), "locationId": .string(data.id)]
        for key in RecordChange.contactMembers {
            switch key {
            case "dateOfBirth":
                if let day = contact.fields["dateOfBirth"]?.stringValue { body[key] = .string(day + "T00:00:00.000Z") }
            case "attachments":
                body[key] = contact.fields["attachments"] ?? []
            case "customFields":
                // Values as written (string, number, array or object), not the read's strings.
                body[key] = contact.fields["customFields"] ?? []
            default:
                if let value = read[key] { body[key] = value }
            }
        }
        return GHLWebhookEvent(name: name, body: body)
    }

    private func taskEvent(_ name: String, _ task: JSONObject, _ data: LocationData) -> GHLWebhookEvent {
        var body: JSONObject = ["type": .string(name), "locationId": .string(data.id)]
        for key in ["id", "assignedTo", "body", "contactId", "title", "dueDate"] {
            if let value = task[key] { body[key] = value }
        }
        return GHLWebhookEvent(name: name, body: body)
    }

    private func noteEvent(_ name: String, _ note: JSONObject, _ data: LocationData) -> GHLWebhookEvent {
        var body: JSONObject = ["type": .string(name), "locationId": .string(data.id)]
        for key in ["id", "body", "contactId", "dateAdded"] {
            if let value = note[key] { body[key] = value }
        }
        return GHLWebhookEvent(name: name, body: body)
    }

    /// Every appointment event says `"type": "AppointmentCreate"`, as `AppointmentUpdate.md` and
    /// `AppointmentDelete.md` show: a receiver cannot tell the three apart and re-reads the appointment.
    private func appointmentEvent(_ name: String, _ event: StoredAppointment, _ data: LocationData) -> GHLWebhookEvent {
        let read = event.event(zone: data.zone(of: event.calendarId), groupId: data.calendars[event.calendarId]?.groupId)
        var appointment: JSONObject = [:]
        for key in ["id", "address", "title", "calendarId", "contactId", "groupId", "appointmentStatus", "assignedUserId", "users",
                    "notes", "source", "startTime", "endTime", "dateAdded", "dateUpdated"] {
            if let value = read[key] ?? event.fields[key] { appointment[key] = value }
        }
        let body: JSONObject = ["type": "AppointmentCreate", "locationId": .string(data.id), "appointment": .object(appointment)]
        return GHLWebhookEvent(name: name, body: body)
    }
}
