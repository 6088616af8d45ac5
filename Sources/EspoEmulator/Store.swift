import Emulation
import SyncCore

/// The emulator's data and EspoCRM's write rules. A value type, kept behind the emulator's lock.
struct Store: Sendable {
    /// A pair of related ids: `left` is the relation's left entity.
    struct Pair: Hashable, Sendable {
        var left: String
        var right: String
    }

    let definitions: [String: EntityDefinition]
    let userId: String
    let userName: String
    /// Every user EspoCRM knows, id → name: the API user, the seeded people, Basic-auth callers.
    var users: [String: String]
    var records: [String: [String: StoredRecord]] = [:]
    var relations: [String: Set<Pair>] = [:]
    var noteNumber = 0
    /// Note ids by "parentType/parentId", for streams; rebuilt when notes were added (a note's parent
    /// never changes, and a delete is soft, so the count tells).
    var noteIndex: (count: Int, byParent: [String: [String]]) = (-1, [:])
    /// Each e-mail address's stored spelling, by its lower-case form (first writer wins).
    var emailSpellings: [String: String] = [:]
    /// Webhook subscriptions, captured events and the send queue.
    var webhookTables = WebhookTables()
    /// What the API user's role grants, by scope, where it is not full access (`EspoEmulator.setAccess`).
    var access: [String: JSON] = [:]
    private var idCounter: UInt64 = 0
    private var random: SeededGenerator

    init(definitions: [String: EntityDefinition], userId: String, userName: String, seed: UInt64) {
        self.definitions = definitions
        self.userId = userId
        self.userName = userName
        self.users = [userId: userName]
        self.random = SeededGenerator(seed: seed)
    }

    /// A new 17-character hex id, increasing with creation order like `uniqid()` (FACTS §1).
    mutating func newId() -> String {
        idCounter += 1
        return hex(0x6_5a00_0000_0000 + idCounter, width: 13) + hex(random.next() & 0xFFFF, width: 4)
    }

    func live(_ entity: String, _ id: String) -> StoredRecord? {
        guard let record = records[entity]?[id], !record.deleted else { return nil }
        return record
    }

    // MARK: Create

    /// `POST {Entity}`: validates, runs the duplicate check (unless skipped), stores, answers the record.
    /// `actor` is the user who writes (the API user when nil); a record with a stream gets its
    /// `Create` note, and a Task or Meeting a `CreateRelated` note on its parent's stream.
    mutating func create(
        _ entity: String, body: JSON, skipDuplicateCheck: Bool, now: String, actor: String? = nil
    ) -> ServedResponse {
        let actor = actor ?? userId
        guard let definition = definitions[entity] else { return Answer.error(404, "Unknown entity type.") }
        guard case .object(let raw) = body else { return Answer.error(400, "Bad payload.") }
        let skip = skipDuplicateCheck || raw["_skipDuplicateCheck"] == .bool(true)
        do throws(Refusal) {
            let input = try sanitize(raw, definition)
            var record = StoredRecord(attributes: [:])
            record.attributes["id"] = .string("")
            for (key, value) in definition.defaults { record.attributes[key] = value }
            var links: [String: [String]] = [:]
            if entity == "Note" { try checkNoteParent(input) }
            try apply(input, to: &record, links: &links, definition)
            for field in definition.required where isBlank(record.attributes[field]) {
                throw Refusal(Answer.validation(entity, field: field, type: "required"))
            }
            if entity == "Note", isBlank(record.attributes["post"]) {
                throw Refusal(Answer.validation("Note", field: "post", type: "required"))
            }
            if definition.duplicateCheck, !skip {
                let matches = duplicates(of: record, definition)
                if !matches.isEmpty {
                    return Answer.json(409, .array(matches.prefix(5).map { .object(render(entity, $0, full: false, select: nil)) }),
                                       reason: "duplicate")
                }
            }
            let id = newId()
            record.attributes["id"] = .string(id)
            record.attributes["createdAt"] = .string(now)
            record.attributes["modifiedAt"] = .string(now)
            record.attributes["createdById"] = .string(actor)
            record.attributes["modifiedById"] = .string(actor)
            if definition.optimisticConcurrency { record.attributes["versionNumber"] = 1 }
            if entity == "Task" { Store.stampCompletion(&record, was: nil, now: now) }
            remember(record.emails)
            if entity == "Note" {
                noteNumber += 1
                record.attributes["number"] = .number(Double(noteNumber))
            }
            records[entity, default: [:]][id] = record
            setLinks(entity, id, links, definition)
            if definition.hasStream { noteCreation(entity, records[entity]![id]!, actor: actor, now: now) }
            captureWebhookEvent(entity, "create", data: render(entity, records[entity]![id]!, full: true, select: nil), actor: actor)
            return Answer.json(200, .object(echoing(input, render(entity, record, full: true, select: nil))))
        } catch {
            return error.answer
        }
    }

    // MARK: Update

    /// `PATCH`/`PUT {Entity}/{id}`: a partial update. `modifiedAt` and `modifiedById` move on every
    /// update, even one that changes nothing (FACTS §15); `versionNumber` only when a value changed.
    /// With `X-Version-Number` a stale version that would change something is a 409 `modified`.
    /// A Note changes only its `post`, and only by its author within 7 days (FACTS §5.5).
    mutating func update(
        _ entity: String, id: String, body: JSON, versionHeader: String?, now: String, actor: String? = nil
    ) -> ServedResponse {
        let actor = actor ?? userId
        guard let definition = definitions[entity] else { return Answer.error(404, "Unknown entity type.") }
        guard let stored = live(entity, id) else { return Answer.notFound(id) }
        guard case .object(var raw) = body else { return Answer.error(400, "Bad payload.") }
        let before = listens(entity, "update") ? render(entity, stored, full: true, select: nil) : nil
        if entity == "Note" {
            if let refusal = noteRefusal(stored, actor: actor, now: now, delete: false) { return refusal }
            raw = raw.filter { $0.key == "post" }
        }
        do throws(Refusal) {
            let input = try sanitize(raw, definition)
            for field in definition.required where input[field] != nil && isBlank(input[field]) {
                throw Refusal(Answer.validation(entity, field: field, type: "required"))
            }
            var record = stored
            var links: [String: [String]] = [:]
            try apply(input, to: &record, links: &links, definition)
            var changed: [String] = []
            for (key, _) in input where !["emailAddress", "emailAddressData", "phoneNumber", "phoneNumberData"].contains(key)
                && !(key.hasSuffix("Ids") && definition.links[String(key.dropLast(3))] != nil)
            {
                if !same(stored.attributes[key], record.attributes[key]) { changed.append(key) }
            }
            if record.emails != stored.emails { changed.append("emailAddress") }
            if record.phones != stored.phones { changed.append("phoneNumber") }
            for (link, ids) in links where Set(ids) != Set(linkedIds(entity, id, link, definition)) {
                changed.append(link + "Ids")
            }
            if definition.optimisticConcurrency, let versionHeader, !changed.isEmpty {
                let current = stored.attributes["versionNumber"]?.numberValue.map { Int($0) } ?? 1
                if Int(versionHeader) != current {
                    let full = render(entity, stored, full: true, select: nil)
                    var values: JSONObject = [:]
                    for key in changed { values[key] = full[key] ?? .null }
                    return Answer.json(409, ["values": .object(values), "versionNumber": .number(Double(current))],
                                       reason: "modified")
                }
            }
            record.attributes["modifiedAt"] = .string(now)
            record.attributes["modifiedById"] = .string(actor)
            if !changed.isEmpty, definition.optimisticConcurrency {
                record.attributes["versionNumber"] = .number((stored.attributes["versionNumber"]?.numberValue ?? 1) + 1)
            }
            if entity == "Task" { Store.stampCompletion(&record, was: stored.attributes["status"]?.stringValue, now: now) }
            remember(record.emails)
            records[entity]![id] = record
            setLinks(entity, id, links, definition)
            if definition.hasStream { noteAudited(entity, was: stored, now: records[entity]![id]!, actor: actor, time: now) }
            if let before {
                captureWebhookUpdate(entity, id: id, before: before, after: render(entity, records[entity]![id]!, full: true, select: nil),
                                     actor: actor)
            }
            return Answer.json(200, .object(echoing(input, render(entity, records[entity]![id]!, full: true, select: nil))))
        } catch {
            return error.answer
        }
    }

    // MARK: Delete

    /// `DELETE {Entity}/{id}`: a soft delete that also sets `modifiedAt` (FACTS §7). A Note may be
    /// deleted only by its author within a month. Deleting a record leaves its tasks, meetings and
    /// notes in place: their `parentId` still names it, `parentName` turns null.
    mutating func delete(_ entity: String, id: String, now: String, actor: String? = nil) -> ServedResponse {
        let actor = actor ?? userId
        guard let stored = live(entity, id) else { return Answer.notFound(id) }
        if entity == "Note", let refusal = noteRefusal(stored, actor: actor, now: now, delete: true) { return refusal }
        records[entity]![id]!.deleted = true
        records[entity]![id]!.attributes["modifiedAt"] = .string(now)
        records[entity]![id]!.attributes["modifiedById"] = .string(actor)
        captureWebhookEvent(entity, "delete", data: ["id": .string(id)], actor: actor)
        return Answer.json(200, true)
    }

    // MARK: Input

    /// Drops system, read-only and unknown attributes (silently, as EspoCRM does) and normalises
    /// date-times, phone numbers and e-mail addresses; refuses values EspoCRM refuses.
    func sanitize(_ raw: JSONObject, _ definition: EntityDefinition) throws(Refusal) -> JSONObject {
        var input: JSONObject = [:]
        let entity = definition.name
        for (key, value) in raw {
            let isContactPoint = definition.hasEmailAndPhone
                && ["emailAddress", "emailAddressData", "phoneNumber", "phoneNumberData"].contains(key)
            guard let kind = definition.fields[key] ?? (isContactPoint ? .string : nil) else { continue }
            var value = value
            if value == .null {
                input[key] = kind == .bool ? .bool(false) : .null
                continue
            }
            switch key {
            case "phoneNumber": value = .string(try phone(value, entity, field: "phoneNumber"))
            case "emailAddress": value = .string(try email(value, entity))
            case "emailAddressData", "phoneNumberData":
                guard case .array(let items) = value else { throw Refusal(Answer.validation(entity, field: key, type: "valid")) }
                var out: [JSON] = []
                for item in items {
                    guard case .object(var entry) = item else { throw Refusal(Answer.validation(entity, field: key, type: "valid")) }
                    if key == "phoneNumberData" {
                        entry["phoneNumber"] = .string(try phone(entry["phoneNumber"] ?? .null, entity, field: "phoneNumber"))
                    } else {
                        entry["emailAddress"] = .string(try email(entry["emailAddress"] ?? .null, entity))
                    }
                    out.append(.object(entry))
                }
                value = .array(out)
            default:
                switch kind {
                case .string:
                    guard case .string(let text) = value else { throw Refusal(Answer.validation(entity, field: key, type: "valid")) }
                    if let allowed = definition.enums[key], !allowed.contains(text) {
                        throw Refusal(Answer.validation(entity, field: key, type: "valid"))
                    }
                case .bool:
                    guard case .bool = value else { throw Refusal(Answer.validation(entity, field: key, type: "valid")) }
                case .dateTime:
                    guard case .string(let text) = value, let seconds = Timestamp.parse(text) else {
                        throw Refusal(Answer.validation(entity, field: key, type: "valid"))
                    }
                    value = .string(Timestamp.naive(seconds))
                case .date:
                    guard case .string(let text) = value, text.count == 10, Timestamp.parseDay(text) == text else {
                        throw Refusal(Answer.validation(entity, field: key, type: "valid"))
                    }
                case .ids:
                    guard case .array(let items) = value, items.allSatisfy({ $0.stringValue != nil }) else {
                        throw Refusal(Answer.validation(entity, field: key, type: "valid"))
                    }
                case .array:
                    // An Array field without options takes any strings, each at most 100 characters
                    // (ArrayType's default; wave2 B.3).
                    guard case .array(let items) = value, items.allSatisfy({ $0.stringValue != nil }) else {
                        throw Refusal(Answer.validation(entity, field: key, type: "valid"))
                    }
                    if items.contains(where: { ($0.stringValue?.count ?? 0) > 100 }) {
                        throw Refusal(Answer.validation(entity, field: key, type: "maxItemLength"))
                    }
                case .object, .number: break
                }
            }
            input[key] = value
        }
        return input
    }

    /// A phone number as EspoCRM 10 stores it with `phoneNumberInternational` on: it must start with
    /// `+` and be a possible number; it is kept in E.164 (FACTS §5.1).
    private func phone(_ value: JSON, _ entity: String, field: String) throws(Refusal) -> String {
        guard case .string(let text) = value, text.hasPrefix("+"), text.count <= 36,
            let e164 = PhoneNumber.e164(text, defaultRegion: "ZZ")
        else { throw Refusal(Answer.validation(entity, field: field, type: "valid")) }
        return e164
    }

    private func email(_ value: JSON, _ entity: String) throws(Refusal) -> String {
        guard case .string(let text) = value else { throw Refusal(Answer.validation(entity, field: "emailAddress", type: "emailAddress")) }
        if text.isEmpty { return text }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !text.contains(" ") else {
            throw Refusal(Answer.validation(entity, field: "emailAddress", type: "emailAddress"))
        }
        return text
    }

    /// Writes sanitized input into `record`; link-multiple `…Ids` go to `links` (they replace the set).
    private func apply(
        _ input: JSONObject, to record: inout StoredRecord, links: inout [String: [String]], _ definition: EntityDefinition
    ) throws(Refusal) {
        for (key, value) in input {
            switch key {
            case "emailAddressData":
                record.emails = (value.arrayValue ?? []).compactMap(\.objectValue).map { entry in
                    let address = entry["emailAddress"]?.stringValue ?? ""
                    return ["emailAddress": .string(address), "lower": .string(address.lowercased()),
                            "primary": .bool(entry["primary"] == .bool(true)), "optOut": .bool(entry["optOut"] == .bool(true)),
                            "invalid": .bool(entry["invalid"] == .bool(true))]
                }
                Store.onePrimary(&record.emails)
            case "phoneNumberData":
                record.phones = (value.arrayValue ?? []).compactMap(\.objectValue).map { entry in
                    ["phoneNumber": entry["phoneNumber"] ?? "", "type": .string(entry["type"]?.stringValue ?? "Mobile"),
                     "primary": .bool(entry["primary"] == .bool(true)), "optOut": .bool(entry["optOut"] == .bool(true)),
                     "invalid": .bool(entry["invalid"] == .bool(true))]
                }
                Store.onePrimary(&record.phones)
            default: break
            }
        }
        if input["emailAddressData"] == nil, let value = input["emailAddress"] {
            Store.setPrimary(&record.emails, key: "emailAddress", to: value.stringValue ?? "") { address in
                ["emailAddress": .string(address), "lower": .string(address.lowercased()), "primary": true,
                 "optOut": false, "invalid": false]
            }
        }
        if input["phoneNumberData"] == nil, let value = input["phoneNumber"] {
            Store.setPrimary(&record.phones, key: "phoneNumber", to: value.stringValue ?? "") { number in
                ["phoneNumber": .string(number), "type": "Mobile", "primary": true, "optOut": false, "invalid": false]
            }
        }
        for (flag, list, member) in [("emailAddressIsOptedOut", \StoredRecord.emails, "optOut"),
                                     ("emailAddressIsInvalid", \StoredRecord.emails, "invalid"),
                                     ("phoneNumberIsOptedOut", \StoredRecord.phones, "optOut"),
                                     ("phoneNumberIsInvalid", \StoredRecord.phones, "invalid")]
        where input[flag] != nil && definition.hasEmailAndPhone {
            if let index = record[keyPath: list].firstIndex(where: { $0["primary"] == .bool(true) }) {
                record[keyPath: list][index][member] = input[flag]
            }
        }
        let previousAccount = record.attributes["accountId"]?.stringValue
        for (key, value) in input {
            if ["emailAddress", "emailAddressData", "phoneNumber", "phoneNumberData", "emailAddressIsOptedOut",
                "emailAddressIsInvalid", "phoneNumberIsOptedOut", "phoneNumberIsInvalid"].contains(key) { continue }
            if key.hasSuffix("Ids"), definition.links[String(key.dropLast(3))] != nil {
                links[String(key.dropLast(3))] = (value.arrayValue ?? []).compactMap(\.stringValue)
                continue
            }
            record.attributes[key] = value
        }
        if definition.name == "Contact", let accountId = input["accountId"]?.stringValue, !accountId.isEmpty {
            var accounts = links["accounts"] ?? linkedIds("Contact", record.id, "accounts", definition)
            if !accounts.contains(accountId) { accounts.append(accountId) }
            links["accounts"] = accounts
        }
        // Clearing the primary account also removes it from `accounts` (FACTS §5.1).
        if definition.name == "Contact", input["accountId"] == .null, let previousAccount {
            links["accounts"] = (links["accounts"] ?? linkedIds("Contact", record.id, "accounts", definition))
                .filter { $0 != previousAccount }
        }
        if definition.name == "Contact", input["accountId"] == nil, record.attributes["accountId"] == nil,
            let first = links["accounts"]?.first
        {
            record.attributes["accountId"] = .string(first)
        }
        if definition.name == "Task" || definition.name == "Meeting" || definition.name == "Call",
            let parentType = record.attributes["parentType"]?.stringValue,
            let parentId = record.attributes["parentId"]?.stringValue, input["parentId"] != nil || input["parentType"] != nil,
            definitions[parentType] != nil, live(parentType, parentId) == nil
        {
            throw Refusal(Answer.error(404, "Record \(parentId) not found."))
        }
        if definition.name == "Task" || definition.name == "Meeting" { Store.applyAllDay(input, to: &record, definition) }
        // `dateEnd` must be after `dateStart` (the field's `after` rule; FACTS §5.2, §5.3).
        if input["dateStart"] != nil || input["dateEnd"] != nil || input["dateStartDate"] != nil || input["dateEndDate"] != nil,
            let start = record.attributes["dateStart"]?.stringValue, let end = record.attributes["dateEnd"]?.stringValue,
            end <= start
        {
            throw Refusal(Answer.validation(definition.name, field: "dateEnd", type: "after"))
        }
        for (link, ids) in links {
            guard let target = definition.links[link]?.target else { continue }
            for id in ids where live(target, id) == nil { throw Refusal(Answer.error(404, "Record \(id) not found.")) }
        }
    }

    /// Task `dateCompleted` (read-only): set to now when the status becomes `Completed`, cleared
    /// when it becomes anything else (FACTS §5.2, `Hooks/Task/DateCompleted.php`).
    private static func stampCompletion(_ record: inout StoredRecord, was previous: String?, now: String) {
        let status = record.attributes["status"]?.stringValue
        guard status != previous else { return }
        record.attributes["dateCompleted"] = status == "Completed" ? .string(now) : .null
    }

    /// Records the spelling of e-mail addresses not seen before. EspoCRM keeps one `EmailAddress`
    /// row per address, shared by every record, spelled as its first writer sent it (FACTS §15).
    mutating func remember(_ emails: [JSONObject]) {
        for entry in emails {
            guard let address = entry["emailAddress"]?.stringValue, !address.isEmpty else { continue }
            let lower = address.lowercased()
            if emailSpellings[lower] == nil { emailSpellings[lower] = address }
        }
    }

    /// A write's answer echoes the e-mail addresses as the request spelled them, though a later
    /// read shows the stored spelling (FACTS §15).
    private func echoing(_ input: JSONObject, _ rendered: JSONObject) -> JSONObject {
        var sent: [String: String] = [:]
        if let address = input["emailAddress"]?.stringValue { sent[address.lowercased()] = address }
        for entry in input["emailAddressData"]?.arrayValue ?? [] {
            if let address = entry["emailAddress"]?.stringValue { sent[address.lowercased()] = address }
        }
        guard !sent.isEmpty else { return rendered }
        var out = rendered
        if let address = out["emailAddress"]?.stringValue, let spelled = sent[address.lowercased()] {
            out["emailAddress"] = .string(spelled)
        }
        if let entries = out["emailAddressData"]?.arrayValue {
            out["emailAddressData"] = .array(entries.map { entry in
                guard var object = entry.objectValue, let address = object["emailAddress"]?.stringValue,
                    let spelled = sent[address.lowercased()] else { return entry }
                object["emailAddress"] = .string(spelled)
                return .object(object)
            })
        }
        return out
    }

    private static func onePrimary(_ entries: inout [JSONObject]) {
        guard !entries.isEmpty else { return }
        let index = entries.firstIndex { $0["primary"] == .bool(true) } ?? 0
        for position in entries.indices { entries[position]["primary"] = .bool(position == index) }
    }

    /// Sends only the primary: sets or replaces it; empty removes it (FACTS §5.1).
    private static func setPrimary(
        _ entries: inout [JSONObject], key: String, to value: String, make: (String) -> JSONObject
    ) {
        let current = entries.firstIndex { $0["primary"] == .bool(true) }
        if value.isEmpty {
            if let current { entries.remove(at: current) }
            onePrimary(&entries)
            return
        }
        if let existing = entries.firstIndex(where: { $0[key]?.stringValue?.lowercased() == value.lowercased() }) {
            for index in entries.indices { entries[index]["primary"] = .bool(index == existing) }
            entries[existing][key] = .string(value)
            if key == "emailAddress" { entries[existing]["lower"] = .string(value.lowercased()) }
        } else if let current {
            entries[current] = make(value)
        } else {
            entries.insert(make(value), at: 0)
            onePrimary(&entries)
        }
    }

    /// `POST Note`: non-admins post only `Post` notes, on a parent they can read and whose stream
    /// exists (`Classes/RecordHooks/Note/BeforeCreate.php`; FACTS §5.5).
    private func checkNoteParent(_ input: JSONObject) throws(Refusal) {
        if let parentType = input["parentType"]?.stringValue, let parentId = input["parentId"]?.stringValue,
            !parentType.isEmpty, !parentId.isEmpty
        {
            guard definitions[parentType] != nil, live(parentType, parentId) != nil else {
                throw Refusal(Answer.error(403, "No access to parent."))
            }
            guard definitions[parentType]?.hasStream == true else { throw Refusal(Answer.error(403, "No create access.")) }
        } else {
            // A post without a parent goes to users or teams, which the emulator does not model.
            throw Refusal(Answer.error(403, "No create access."))
        }
        if let type = input["type"]?.stringValue, type != "Post" { throw Refusal(Answer.error(403, "Only 'Post' type allowed.")) }
    }

    /// Contact: same first and last name, or any shared e-mail; Account: same name or a shared
    /// e-mail (FACTS §8). Only live records count.
    private func duplicates(of record: StoredRecord, _ definition: EntityDefinition) -> [StoredRecord] {
        let entity = definition.name
        let addresses = Set(record.emails.compactMap { $0["lower"]?.stringValue }.filter { !$0.isEmpty })
        func sameName(_ other: StoredRecord) -> Bool {
            if entity == "Contact" {
                return ["firstName", "lastName"].allSatisfy {
                    (other.attributes[$0]?.stringValue ?? "").lowercased() == (record.attributes[$0]?.stringValue ?? "").lowercased()
                }
            }
            return (other.attributes["name"]?.stringValue ?? "").lowercased() == (record.attributes["name"]?.stringValue ?? "").lowercased()
        }
        return (records[entity] ?? [:]).values
            .filter { other in
                !other.deleted
                    && (sameName(other) || other.emails.contains { addresses.contains($0["lower"]?.stringValue ?? "") })
            }
            .sorted { $0.id < $1.id }
    }

    // MARK: Links

    func linkedIds(_ entity: String, _ id: String, _ link: String, _ definition: EntityDefinition) -> [String] {
        guard let spec = definition.links[link] else { return [] }
        return (relations[spec.relation] ?? [])
            .compactMap { pair in
                spec.isLeft ? (pair.left == id ? pair.right : nil) : (pair.right == id ? pair.left : nil)
            }
            .filter { live(spec.target, $0) != nil }
            .sorted()
    }

    /// Replaces the link sets given (a `…Ids` attribute in a write).
    private mutating func setLinks(_ entity: String, _ id: String, _ links: [String: [String]], _ definition: EntityDefinition) {
        for (link, ids) in links {
            guard let spec = definition.links[link] else { continue }
            var pairs = relations[spec.relation] ?? []
            pairs = pairs.filter { spec.isLeft ? $0.left != id : $0.right != id }
            for other in ids { pairs.insert(spec.isLeft ? Pair(left: id, right: other) : Pair(left: other, right: id)) }
            relations[spec.relation] = pairs
        }
    }

    /// `POST`/`DELETE {Entity}/{id}/{link}` with `{"id"}` or `{"ids"}`: relates or unrelates, without
    /// touching `modifiedAt` (FACTS §10).
    mutating func relate(_ entity: String, id: String, link: String, body: JSON, add: Bool) -> ServedResponse {
        guard let definition = definitions[entity] else { return Answer.error(404, "Unknown entity type.") }
        guard live(entity, id) != nil else { return Answer.notFound(id) }
        guard let spec = definition.links[link] else { return Answer.error(404, "Link '\(link)' does not exist.") }
        var ids = body["ids"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if let single = body["id"]?.stringValue { ids.append(single) }
        guard !ids.isEmpty else { return Answer.error(400, "No id.") }
        for other in ids where live(spec.target, other) == nil { return Answer.notFound(other) }
        var pairs = relations[spec.relation] ?? []
        for other in ids {
            let pair = spec.isLeft ? Pair(left: id, right: other) : Pair(left: other, right: id)
            if add { pairs.insert(pair) } else { pairs.remove(pair) }
            if !add, entity == "Contact", link == "accounts", records[entity]![id]!.attributes["accountId"]?.stringValue == other {
                records[entity]![id]!.attributes["accountId"] = nil
            }
            if !add, entity == "Account", link == "contacts", records["Contact"]?[other]?.attributes["accountId"]?.stringValue == id {
                records["Contact"]![other]!.attributes["accountId"] = nil
            }
        }
        relations[spec.relation] = pairs
        return Answer.json(200, true)
    }
}

func isBlank(_ value: JSON?) -> Bool {
    switch value {
    case nil, .null?: true
    case .string(let text)?: text.isEmpty
    default: false
    }
}

/// Whether two stored values are the same (absent and null are).
func same(_ left: JSON?, _ right: JSON?) -> Bool {
    (left ?? .null) == (right ?? .null)
}

func hex(_ value: UInt64, width: Int) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}
