import SyncCore

/// What the emulator knows of one EspoCRM entity type: its writable attributes, rules and links,
/// after EspoCRM 10's entityDefs (FACTS §5).
struct EntityDefinition: Sendable {
    enum Kind: Sendable { case string, bool, dateTime, date, ids, object, number, array }

    /// One link of the entity through a many-to-many (or attendee) relation.
    struct LinkDefinition: Sendable {
        /// The relation's name, shared by both ends (`AccountContact`).
        var relation: String
        /// The entity on the other end.
        var target: String
        /// Whether this entity is the relation's left member.
        var isLeft: Bool
    }

    var name: String
    /// Attributes a client may write, and their kinds.
    var fields: [String: Kind]
    var required: [String]
    var enums: [String: [String]]
    /// Values a create starts from.
    var defaults: JSONObject
    var hasEmailAndPhone: Bool
    var duplicateCheck: Bool
    var optimisticConcurrency: Bool
    var hasStream: Bool
    /// The order of a list without `orderBy` (FACTS §3.2).
    var defaultOrder: (attribute: String, ascending: Bool)
    var links: [String: LinkDefinition]
    /// Attributes that exist but are computed or read-only; they may be selected and filtered on.
    var readOnly: [String]

    /// Boolean attributes: never null in an answer.
    var booleans: [String] { fields.filter { $0.value == .bool }.map(\.key).sorted() }

    static let systemAttributes = [
        "id", "deleted", "createdAt", "createdById", "createdByName", "modifiedAt", "modifiedById",
        "modifiedByName", "versionNumber", "streamUpdatedAt",
    ]

    /// Whether `attribute` exists on the entity (for `where` and `select`).
    func knows(_ attribute: String) -> Bool {
        fields[attribute] != nil || readOnly.contains(attribute) || EntityDefinition.systemAttributes.contains(attribute)
            || (hasEmailAndPhone && (attribute == "emailAddress" || attribute == "phoneNumber"))
    }

    /// The built-in entity types plus the custom fields of each: `customFields` are varchar fields,
    /// `arrayFields` Array fields (a list of strings, FACTS §5; wave2 B.3).
    static func all(customFields: [String: [String]], arrayFields: [String: [String]] = [:]) -> [String: EntityDefinition] {
        var definitions: [String: EntityDefinition] = [:]
        for definition in [contact, account, task, meeting, call, note] {
            var definition = definition
            for field in customFields[definition.name] ?? [] { definition.fields[field] = .string }
            for field in arrayFields[definition.name] ?? [] { definition.fields[field] = .array }
            definitions[definition.name] = definition
        }
        return definitions
    }

    private static let emailPhoneFlags: [String: Kind] = [
        "emailAddressIsOptedOut": .bool, "emailAddressIsInvalid": .bool, "phoneNumberIsOptedOut": .bool,
        "phoneNumberIsInvalid": .bool,
    ]

    static let contact = EntityDefinition(
        name: "Contact",
        fields: [
            "salutationName": .string, "firstName": .string, "lastName": .string, "middleName": .string,
            "title": .string, "description": .string, "doNotCall": .bool, "addressStreet": .string,
            "addressCity": .string, "addressState": .string, "addressCountry": .string, "addressPostalCode": .string,
            "accountId": .string, "accountRole": .string, "accountIsInactive": .bool, "accountsIds": .ids,
            "accountsColumns": .object, "opportunityRole": .string, "campaignId": .string, "assignedUserId": .string,
            "teamsIds": .ids, "targetListsIds": .ids,
        ].merging(emailPhoneFlags) { $1 },
        required: ["lastName"],
        enums: ["salutationName": ["", "Mr.", "Ms.", "Mrs.", "Dr."], "opportunityRole": ["", "Decision Maker", "Evaluator", "Influencer"]],
        defaults: [:], hasEmailAndPhone: true, duplicateCheck: true, optimisticConcurrency: false, hasStream: true,
        defaultOrder: ("createdAt", false),
        links: [
            "accounts": .init(relation: "AccountContact", target: "Account", isLeft: false),
            "meetings": .init(relation: "ContactMeeting", target: "Meeting", isLeft: true),
            "calls": .init(relation: "CallContact", target: "Call", isLeft: false),
        ],
        readOnly: ["name", "accountName", "accountsNames", "accountType", "hasPortalUser", "emailAddressData", "phoneNumberData"])

    static let account = EntityDefinition(
        name: "Account",
        fields: [
            "name": .string, "website": .string, "type": .string, "industry": .string, "sicCode": .string,
            "billingAddressStreet": .string, "billingAddressCity": .string, "billingAddressState": .string,
            "billingAddressCountry": .string, "billingAddressPostalCode": .string, "shippingAddressStreet": .string,
            "shippingAddressCity": .string, "shippingAddressState": .string, "shippingAddressCountry": .string,
            "shippingAddressPostalCode": .string, "description": .string, "campaignId": .string,
            "assignedUserId": .string, "teamsIds": .ids, "targetListsIds": .ids,
        ].merging(emailPhoneFlags) { $1 },
        required: ["name"],
        enums: ["type": ["", "Customer", "Investor", "Partner", "Reseller"]],
        defaults: [:], hasEmailAndPhone: true, duplicateCheck: true, optimisticConcurrency: true, hasStream: true,
        defaultOrder: ("createdAt", false),
        links: ["contacts": .init(relation: "AccountContact", target: "Contact", isLeft: true)],
        readOnly: ["emailAddressData", "phoneNumberData"])

    static let task = EntityDefinition(
        name: "Task",
        fields: [
            "name": .string, "status": .string, "priority": .string, "dateStart": .dateTime, "dateEnd": .dateTime,
            "dateStartDate": .date, "dateEndDate": .date, "description": .string, "parentType": .string,
            "parentId": .string, "assignedUserId": .string, "teamsIds": .ids, "collaboratorsIds": .ids,
        ],
        required: ["name", "assignedUserId"],
        enums: [
            "status": ["Not Started", "Started", "Completed", "Canceled", "Deferred"],
            "priority": ["Low", "Normal", "High", "Urgent"],
            "parentType": ["Account", "Contact", "Lead", "Opportunity", "Case"],
        ],
        defaults: ["status": "Not Started", "priority": "Normal"], hasEmailAndPhone: false, duplicateCheck: false,
        optimisticConcurrency: true, hasStream: true, defaultOrder: ("createdAt", false), links: [:],
        readOnly: [
            "parentName", "accountId", "accountName", "contactId", "contactName", "dateCompleted", "isOverdue",
            "assignedUserName",
        ])

    static let meeting = EntityDefinition(
        name: "Meeting",
        fields: [
            "name": .string, "status": .string, "dateStart": .dateTime, "dateEnd": .dateTime, "dateStartDate": .date,
            "dateEndDate": .date, "isAllDay": .bool, "description": .string, "parentType": .string, "parentId": .string,
            "assignedUserId": .string, "teamsIds": .ids, "contactsIds": .ids, "contactsColumns": .object, "usersIds": .ids,
        ],
        required: ["name", "dateStart", "dateEnd", "assignedUserId"],
        enums: ["status": ["Planned", "Held", "Not Held"], "parentType": ["Account", "Lead", "Contact", "Opportunity", "Case"]],
        defaults: ["status": "Planned", "isAllDay": false], hasEmailAndPhone: false, duplicateCheck: false,
        optimisticConcurrency: false, hasStream: true, defaultOrder: ("dateStart", false),
        links: ["contacts": .init(relation: "ContactMeeting", target: "Contact", isLeft: false)],
        readOnly: ["parentName", "accountId", "contactsNames", "assignedUserName"])

    static let call = EntityDefinition(
        name: "Call",
        fields: [
            "name": .string, "status": .string, "direction": .string, "dateStart": .dateTime, "dateEnd": .dateTime,
            "description": .string, "parentType": .string, "parentId": .string, "assignedUserId": .string,
            "teamsIds": .ids, "contactsIds": .ids, "usersIds": .ids,
        ],
        required: ["name", "dateStart", "dateEnd", "assignedUserId"],
        enums: [
            "status": ["Planned", "Held", "Not Held"], "direction": ["Outbound", "Inbound"],
            "parentType": ["Account", "Lead", "Contact", "Opportunity", "Case"],
        ],
        defaults: ["status": "Planned", "direction": "Outbound"], hasEmailAndPhone: false, duplicateCheck: false,
        optimisticConcurrency: false, hasStream: false, defaultOrder: ("dateStart", false),
        links: ["contacts": .init(relation: "CallContact", target: "Contact", isLeft: true)],
        readOnly: ["parentName", "accountId", "contactsNames"])

    static let note = EntityDefinition(
        name: "Note",
        fields: ["post": .string, "type": .string, "parentType": .string, "parentId": .string, "isInternal": .bool],
        required: [], enums: [:], defaults: ["type": "Post", "isInternal": false], hasEmailAndPhone: false,
        duplicateCheck: false, optimisticConcurrency: false, hasStream: false, defaultOrder: ("number", false),
        links: [:],
        readOnly: [
            "number", "parentName", "isPinned", "data", "relatedType", "relatedId", "relatedName", "isGlobal",
            "targetType", "attachmentsIds",
        ])
}
