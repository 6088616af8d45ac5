import SyncCore

extension EntityDefinition {
    /// The entity's fields as `GET Metadata?key=entityDefs.<Entity>.fields` answers them (FACTS §5,
    /// "Discover fields at run time"): an object keyed by *field* name, each with at least `type`.
    /// Link attributes become their link (`accountId` → `account`, `teamsIds` → `teams`,
    /// `parentId`/`parentType` → `parent`); composite fields (`name`, addresses, e-mail, phone) are
    /// listed beside their parts, as EspoCRM lists them. Custom fields carry `isCustom`.
    func fieldDefinitions(custom: Set<String>) -> JSONObject {
        var out: JSONObject = [:]
        func add(_ field: String, _ type: String, readOnly: Bool = false) {
            var definition: JSONObject = ["type": .string(type)]
            if required.contains(field) { definition["required"] = true }
            if let options = enums[field] { definition["options"] = .array(options.map(JSON.string)) }
            if readOnly { definition["readOnly"] = true }
            if custom.contains(field) { definition["isCustom"] = true }
            out[field] = .object(definition)
        }
        for (attribute, kind) in fields {
            if attribute.hasSuffix("Columns") || attribute == "parentType" { continue }
            if kind == .date, attribute.hasSuffix("Date"), fields[String(attribute.dropLast(4))] == .dateTime { continue }
            if attribute == "parentId" { add("parent", "linkParent"); continue }
            if attribute.hasSuffix("Ids") { add(String(attribute.dropLast(3)), "linkMultiple"); continue }
            if attribute.hasSuffix("Id"), !custom.contains(attribute) { add(String(attribute.dropLast(2)), "link"); continue }
            switch kind {
            case .string: add(attribute, enums[attribute] != nil ? "enum" : EntityDefinition.textTypes[attribute] ?? "varchar")
            case .bool: add(attribute, "bool")
            case .dateTime: add(attribute, fields[attribute + "Date"] == .date ? "datetimeOptional" : "datetime")
            case .date: add(attribute, "date")
            case .ids: add(attribute, "linkMultiple")
            case .object: add(attribute, "jsonObject")
            case .number: add(attribute, "int")
            case .array: add(attribute, "array")
            }
        }
        if hasEmailAndPhone {
            add("emailAddress", "email")
            add("phoneNumber", "phone")
        }
        switch name {
        case "Contact":
            add("name", "personName")
            add("address", "address")
            add("accountType", "foreign", readOnly: true)
            add("hasPortalUser", "bool", readOnly: true)
        case "Account":
            add("billingAddress", "address")
            add("shippingAddress", "address")
        case "Task":
            add("dateCompleted", "datetime", readOnly: true)
            add("isOverdue", "bool", readOnly: true)
            add("contact", "link", readOnly: true)
            add("account", "link", readOnly: true)
        case "Meeting", "Call":
            add("account", "link", readOnly: true)
        case "Note":
            add("number", "autoincrement", readOnly: true)
            add("isPinned", "bool", readOnly: true)
            add("data", "jsonObject", readOnly: true)
        default: break
        }
        for field in ["createdAt", "modifiedAt"] { add(field, "datetime", readOnly: true) }
        for field in ["createdBy", "modifiedBy"] { add(field, "link", readOnly: true) }
        if optimisticConcurrency { add("versionNumber", "int", readOnly: true) }
        return out
    }

    /// Attributes whose field type is not `varchar`.
    private static let textTypes: [String: String] = [
        "description": "text", "post": "text", "addressStreet": "text", "billingAddressStreet": "text",
        "shippingAddressStreet": "text", "website": "url", "industry": "enum",
    ]
}
