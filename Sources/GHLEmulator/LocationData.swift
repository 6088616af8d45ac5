import SyncCore

/// One sub-account's records.
struct LocationData: Sendable {
    let id: String
    /// The sub-account's name, as Settings → Business Profile shows it.
    var name: String
    var allowDuplicates: Bool
    var companyId: String?
    var contacts: [String: StoredContact] = [:]
    /// Contacts ordered by (`dateUpdated`, id) as the search index has them.
    var searchOrder = SortedKeys()
    /// What the search index shows of each contact (lags the contacts when a lag is set).
    var indexed: [String: StoredContact] = [:]
    /// Changes not yet visible in search: (when, id, new state or nil when deleted).
    var pendingIndex: [(at: ContinuousClock.Instant, id: String, contact: StoredContact?)] = []
    /// Contacts ordered by (`dateAdded`, id), for the deprecated `GET /contacts/`.
    var addedOrder = SortedKeys()
    /// Tasks by contact id, then task id.
    var tasks: [String: [String: JSONObject]] = [:]
    /// Task ids in creation order, as `tasks/search` pages them, and each task's contact.
    var taskOrder: [String] = []
    var taskContact: [String: String] = [:]
    /// Notes by contact id, then note id.
    var notes: [String: [String: JSONObject]] = [:]
    var calendars: [String: StoredCalendar] = [:]
    /// Calendar ids in creation order.
    var calendarOrder: [String] = []
    /// The calendar group every seeded calendar of the location belongs to.
    var groupId: String = ""
    var appointments: [String: StoredAppointment] = [:]
    /// Appointment ids in creation order.
    var appointmentOrder: [String] = []
    /// Every `toNotify` an appointment create or edit carried (nil when the body had none), in order.
    var notifications: [Bool?] = []
    var customFields: [JSONObject] = []
    var businesses: [String: StoredBusiness] = [:]
    /// Business ids in creation order, as `GET /businesses/` pages them.
    var businessOrder: [String] = []
    /// Writes to contacts, tasks, notes and appointments not yet turned into webhooks, oldest first.
    var changes: [RecordChange] = []

    init(id: String, name: String? = nil, allowDuplicates: Bool) {
        self.id = id
        self.name = name ?? "Sub-account \(id)"
        self.allowDuplicates = allowDuplicates
    }

    /// Stores `contact`, keeping the orders and the index in step; `lag` delays the index.
    mutating func put(_ contact: StoredContact, lag: Duration) {
        if contacts[contact.id] == nil { addedOrder.insert(SortKey(contact.dateAdded, contact.id)) }
        changes.append(contacts[contact.id].map { .contactUpdated(contact, was: $0) } ?? .contactCreated(contact))
        contacts[contact.id] = contact
        reindex(contact.id, contact, lag: lag)
    }

    mutating func remove(_ id: String, lag: Duration) {
        guard let contact = contacts.removeValue(forKey: id) else { return }
        changes.append(.contactDeleted(contact))
        addedOrder.remove(SortKey(contact.dateAdded, id))
        // GHL deletes a contact's tasks, notes and appointments with it.
        for taskId in (tasks[id] ?? [:]).keys { taskContact[taskId] = nil }
        taskOrder.removeAll { taskContact[$0] == nil }
        tasks[id] = nil
        notes[id] = nil
        for (eventId, event) in appointments where event.contactId == id { appointments[eventId] = nil }
        appointmentOrder.removeAll { appointments[$0] == nil }
        reindex(id, nil, lag: lag)
    }

    /// Stores a task of `contactId` (new or changed), keeping the search order.
    mutating func putTask(_ task: JSONObject, contact contactId: String) {
        guard let id = task["id"]?.stringValue else { return }
        if let old = taskContact[id].flatMap({ tasks[$0]?[id] }) {
            if old["completed"]?.boolValue != true, task["completed"]?.boolValue == true { changes.append(.taskCompleted(task)) }
        } else {
            changes.append(.taskCreated(task))
        }
        if taskContact[id] == nil { taskOrder.append(id) }
        taskContact[id] = contactId
        tasks[contactId, default: [:]][id] = task
    }

    mutating func removeTask(_ id: String, contact contactId: String) {
        guard let old = tasks[contactId]?[id] else { return }
        changes.append(.taskDeleted(old))
        tasks[contactId]![id] = nil
        taskContact[id] = nil
        taskOrder.removeAll { $0 == id }
    }

    /// Stores a note of `contactId` (new or changed).
    mutating func putNote(_ note: JSONObject, contact contactId: String) {
        guard let id = note["id"]?.stringValue else { return }
        changes.append(notes[contactId]?[id] == nil ? .noteCreated(note) : .noteUpdated(note))
        notes[contactId, default: [:]][id] = note
    }

    mutating func removeNote(_ id: String, contact contactId: String) {
        guard let old = notes[contactId]?[id] else { return }
        changes.append(.noteDeleted(old))
        notes[contactId]![id] = nil
    }

    /// Every task in creation order.
    var orderedTasks: [JSONObject] {
        taskOrder.compactMap { id in taskContact[id].flatMap { tasks[$0]?[id] } }
    }

    mutating func putAppointment(_ appointment: StoredAppointment) {
        if appointments[appointment.id] == nil { appointmentOrder.append(appointment.id) }
        changes.append(appointments[appointment.id] == nil ? .appointmentCreated(appointment) : .appointmentUpdated(appointment))
        appointments[appointment.id] = appointment
    }

    mutating func removeAppointment(_ id: String) {
        guard let old = appointments.removeValue(forKey: id) else { return }
        changes.append(.appointmentDeleted(old))
        appointmentOrder.removeAll { $0 == id }
    }

    /// Every appointment in creation order.
    var orderedAppointments: [StoredAppointment] { appointmentOrder.compactMap { appointments[$0] } }

    /// The zone of a calendar's times (UTC for an unknown calendar).
    func zone(of calendarId: String) -> String { calendars[calendarId]?.timeZone ?? "UTC" }

    private mutating func reindex(_ id: String, _ contact: StoredContact?, lag: Duration) {
        if lag > .zero {
            pendingIndex.append((ContinuousClock.now, id, contact))
        } else {
            applyToIndex(id, contact)
        }
    }

    /// Makes changes older than `lag` visible to search.
    mutating func catchUpIndex(lag: Duration) {
        guard !pendingIndex.isEmpty else { return }
        let now = ContinuousClock.now
        var applied = 0
        for change in pendingIndex {
            guard change.at + lag <= now else { break }
            applyToIndex(change.id, change.contact)
            applied += 1
        }
        pendingIndex.removeFirst(applied)
    }

    private mutating func applyToIndex(_ id: String, _ contact: StoredContact?) {
        if let old = indexed[id] { searchOrder.remove(SortKey(old.dateUpdated, id)) }
        indexed[id] = contact
        if let contact { searchOrder.insert(SortKey(contact.dateUpdated, id)) }
    }

    /// An existing contact with the same email or phone (the duplicate rule), but not `except`.
    func duplicate(of fields: JSONObject, except: String? = nil) -> (id: String, field: String)? {
        let email = fields["email"]?.stringValue?.lowercased()
        let phone = fields["phone"]?.stringValue.flatMap { PhoneNumber.e164($0, defaultRegion: "US") }
        if let email, !email.isEmpty {
            for (id, contact) in contacts where id != except && contact.email == email { return (id, "email") }
        }
        if let phone {
            for (id, contact) in contacts where id != except && contact.phone == phone { return (id, "phone") }
        }
        return nil
    }

    static func defaultCustomFields(location: String) -> [JSONObject] {
        [("pincode", "Pincode", "TEXT"), ("lead_score", "Lead score", "TEXT"), ("preferred_contact", "Preferred contact", "SINGLE_OPTIONS")]
            .enumerated().map { index, field in
                [
                    "id": .string("cf\(index + 1)\(location.prefix(6))"), "name": .string(field.1),
                    "fieldKey": .string("contact.\(field.0)"), "placeholder": "", "dataType": .string(field.2),
                    "position": .number(Double(index * 50)), "picklistOptions": [], "isAllowedCustomOption": false,
                    "locationId": .string(location), "model": "contact",
                ]
            }
    }
}

/// A sort position: a time in milliseconds, then the id.
struct SortKey: Comparable, Hashable, Sendable {
    var time: Int64
    var id: String
    init(_ time: Int64, _ id: String) { self.time = time; self.id = id }
    static func < (a: SortKey, b: SortKey) -> Bool { a.time != b.time ? a.time < b.time : a.id < b.id }
}

/// Keys kept sorted, for cursor paging without sorting on every page.
struct SortedKeys: Sendable {
    private(set) var keys: [SortKey] = []

    /// The index of the first key not below `key`.
    func lowerBound(_ key: SortKey) -> Int {
        var low = 0, high = keys.count
        while low < high {
            let mid = (low + high) / 2
            if keys[mid] < key { low = mid + 1 } else { high = mid }
        }
        return low
    }

    mutating func insert(_ key: SortKey) { keys.insert(key, at: lowerBound(key)) }

    mutating func remove(_ key: SortKey) {
        let index = lowerBound(key)
        if index < keys.count, keys[index] == key { keys.remove(at: index) }
    }
}
