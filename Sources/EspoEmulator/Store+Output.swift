import Emulation
import SyncCore

extension Store {
    /// A record as the API shows it. `full` (single read, create and update answers) adds
    /// `emailAddressData`, `phoneNumberData` and link-multiple ids; a list shows neither unless a
    /// link's `…Ids` is selected (FACTS §3.1). `select` keeps `id` and the attributes named (plus, on
    /// Contact, the attributes EspoCRM always adds).
    func render(_ entity: String, _ record: StoredRecord, full: Bool, select: [String]?) -> JSONObject {
        guard let definition = definitions[entity] else { return record.attributes }
        var out: JSONObject = ["id": .string(record.id)]
        switch entity {
        case "Contact":
            let name = [record.attributes["firstName"], record.attributes["lastName"]]
                .compactMap { $0?.stringValue }.filter { !$0.isEmpty }.joined(separator: " ")
            out["name"] = .string(name)
        default: break
        }
        for (key, value) in record.attributes where key != "id" {
            if value == .null, definition.enums[key] != nil { continue }
            out[key] = value
        }
        for key in definition.booleans where out[key] == nil || out[key] == .null { out[key] = false }
        if definition.hasEmailAndPhone {
            let email = StoredRecord.primary(record.emails)
            let phone = StoredRecord.primary(record.phones)
            out["emailAddress"] = email.flatMap { spelled($0) } ?? .null
            out["emailAddressIsOptedOut"] = email?["optOut"] ?? false
            out["emailAddressIsInvalid"] = email?["invalid"] ?? false
            out["phoneNumber"] = phone?["phoneNumber"] ?? .null
            out["phoneNumberIsOptedOut"] = phone?["optOut"] ?? false
            out["phoneNumberIsInvalid"] = phone?["invalid"] ?? false
            if full {
                out["emailAddressData"] = .array(record.emails.map { entry in
                    var entry = entry
                    entry["emailAddress"] = spelled(entry) ?? entry["emailAddress"]
                    return .object(entry)
                })
                out["phoneNumberData"] = .array(record.phones.map(JSON.object))
            }
        }
        if entity == "Contact" {
            let accountId = record.attributes["accountId"]?.stringValue
            out["accountId"] = accountId.map(JSON.string) ?? .null
            out["accountName"] = accountId.flatMap { name(of: "Account", $0) }.map(JSON.string) ?? .null
        }
        if let parentType = record.attributes["parentType"]?.stringValue, let parentId = record.attributes["parentId"]?.stringValue {
            out["parentName"] = name(of: parentType, parentId).map(JSON.string) ?? .null
            if entity == "Task" || entity == "Meeting" || entity == "Call" {
                let accountId = parentType == "Account" ? parentId
                    : parentType == "Contact" ? live("Contact", parentId)?.attributes["accountId"]?.stringValue : nil
                out["accountId"] = accountId.map(JSON.string) ?? .null
                if entity == "Task" { out["contactId"] = parentType == "Contact" ? .string(parentId) : .null }
            }
        }
        if ["Task", "Meeting", "Call", "Note"].contains(entity) {
            // Who wrote and who is assigned, by name (link fields' `…Name` attributes).
            for (idKey, nameKey) in [("createdById", "createdByName"), ("modifiedById", "modifiedByName"),
                                     ("assignedUserId", "assignedUserName")]
            where idKey != "assignedUserId" || entity != "Note" {
                out[nameKey] = record.attributes[idKey]?.stringValue.flatMap { users[$0] }.map(JSON.string) ?? .null
            }
        }
        if entity == "Note" {
            for key in ["post", "data", "relatedType", "relatedId"] where out[key] == nil { out[key] = .null }
            out["isPinned"] = false
            out["isGlobal"] = false
            out["attachmentsIds"] = []
            if let type = record.attributes["relatedType"]?.stringValue, let id = record.attributes["relatedId"]?.stringValue {
                out["relatedName"] = name(of: type, id).map(JSON.string) ?? .null
            }
        }
        for (link, spec) in definition.links.sorted(by: { $0.key < $1.key })
        where (entity == "Contact" && link == "accounts") || ((entity == "Meeting" || entity == "Call") && link == "contacts") {
            guard full || select?.contains(link + "Ids") == true else { continue }
            let ids = linkedIds(entity, record.id, link, definition)
            out[link + "Ids"] = .array(ids.map(JSON.string))
            var names: JSONObject = [:]
            for id in ids { names[id] = .string(name(of: spec.target, id) ?? "") }
            out[link + "Names"] = .object(names)
            if entity == "Meeting", link == "contacts" {
                // `contactsColumns`: each attendee's acceptance status, `None` until one is set.
                let stored = record.attributes["contactsColumns"]?.objectValue ?? [:]
                var columns: JSONObject = [:]
                for id in ids {
                    columns[id] = ["status": stored[id]?["status"] ?? "None"]
                }
                out["contactsColumns"] = .object(columns)
            }
        }
        if entity == "Meeting", !(full || select?.contains("contactsColumns") == true) { out["contactsColumns"] = nil }
        if let select {
            var kept: JSONObject = ["id": out["id"]!]
            for key in select where key != "id" {
                if let value = out[key] { kept[key] = value }
            }
            // `select` is not strict: a Contact row also carries these, null when unset (FACTS §15).
            if entity == "Contact" {
                for key in ["accountId", "accountName", "accountIsInactive", "createdById", "assignedUserId"] {
                    kept[key] = out[key] ?? (key == "accountIsInactive" ? .bool(false) : .null)
                }
            }
            return kept
        }
        return out
    }

    /// An `emailAddressData` entry's address in its stored spelling (FACTS §15: shared and sticky).
    func spelled(_ entry: JSONObject) -> JSON? {
        guard let address = entry["emailAddress"]?.stringValue else { return entry["emailAddress"] }
        return .string(emailSpellings[address.lowercased()] ?? address)
    }

    /// A record's display name (Contact: first and last name).
    func name(of entity: String, _ id: String) -> String? {
        guard let record = live(entity, id) else { return nil }
        if entity == "Contact" {
            return [record.attributes["firstName"], record.attributes["lastName"]]
                .compactMap { $0?.stringValue }.filter { !$0.isEmpty }.joined(separator: " ")
        }
        return record.attributes["name"]?.stringValue ?? record.attributes["post"]?.stringValue
    }

    /// The values an attribute has for filtering and ordering: every e-mail address or phone number
    /// of the record, linked ids for `…Ids`, else the one value.
    func values(_ entity: String, _ record: StoredRecord, _ attribute: String) -> [JSON] {
        guard let definition = definitions[entity] else { return [] }
        switch attribute {
        case "id": return [.string(record.id)]
        case "modifiedAt": return [.string(record.modifiedAt)]
        case "emailAddress" where definition.hasEmailAndPhone:
            return record.emails.compactMap { $0["emailAddress"] }
        case "phoneNumber" where definition.hasEmailAndPhone:
            return record.phones.compactMap { $0["phoneNumber"] }
        case "name" where entity == "Contact":
            return [.string(name(of: entity, record.id) ?? "")]
        default:
            if attribute.hasSuffix("Ids"), definition.links[String(attribute.dropLast(3))] != nil {
                return linkedIds(entity, record.id, String(attribute.dropLast(3)), definition).map(JSON.string)
            }
            if let value = record.attributes[attribute] { return [value] }
            // Derived read-only attributes (Task `contactId`/`accountId`, `parentName`…) filter as shown.
            if definition.readOnly.contains(attribute) { return [render(entity, record, full: false, select: nil)[attribute] ?? .null] }
            return [.null]
        }
    }
}
