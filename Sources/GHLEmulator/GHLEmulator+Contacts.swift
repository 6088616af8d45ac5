import Emulation
import SyncCore

extension GHLEmulator {
    func getContact(_ id: String, location: String, trace: String) -> ServedResponse {
        guard let contact = locations[location]?.contacts[id] else { return Answer.badRequest("Contact not found", trace: trace) }
        return Answer.ok(["contact": .object(contact.read(shape: .full))])
    }

    func createContact(_ body: JSONObject, location: String, trace: String) -> ServedResponse {
        let problems = DTO.problems(body, allowed: DTO.createContact) + DTO.missing(body, ["locationId"])
        guard problems.isEmpty else { return Answer.unprocessable(problems, trace: trace) }
        if let refused = duplicateRefusal(body, location: location, except: nil, trace: trace) { return refused }
        let now = tick()
        let contact = StoredContact(id: newId(), locationId: location, fields: body, dateAdded: now, dateUpdated: now)
        locations[location]!.put(contact, lag: settings.searchLag)
        return Answer.ok(["contact": .object(contact.read(shape: .created))], status: 201)
    }

    func updateContact(_ id: String, _ body: JSONObject, location: String, trace: String) -> ServedResponse {
        let problems = DTO.problems(body, allowed: DTO.updateContact)
        guard problems.isEmpty else { return Answer.unprocessable(problems, trace: trace) }
        guard var contact = locations[location]?.contacts[id] else { return Answer.badRequest("Contact not found", trace: trace) }
        if let refused = duplicateRefusal(body, location: location, except: id, trace: trace) { return refused }
        contact.apply(body)
        contact.dateUpdated = tick()
        locations[location]!.put(contact, lag: settings.searchLag)
        return Answer.ok(["succeded": true, "contact": .object(contact.read(shape: .full))])
    }

    func deleteContact(_ id: String, location: String, trace: String) -> ServedResponse {
        guard locations[location]?.contacts[id] != nil else { return Answer.badRequest("Contact not found", trace: trace) }
        locations[location]!.remove(id, lag: settings.searchLag)
        return Answer.ok(["succeded": true])
    }

    /// `POST /contacts/upsert`: matches by email, then phone (the location's default priority);
    /// with duplicates allowed and `createNewIfDuplicateAllowed`, always creates.
    func upsertContact(_ body: JSONObject, location: String, trace: String) -> ServedResponse {
        let problems = DTO.problems(body, allowed: DTO.upsertContact) + DTO.missing(body, ["locationId"])
        guard problems.isEmpty else { return Answer.unprocessable(problems, trace: trace) }
        let data = locations[location]!
        let alwaysCreate = data.allowDuplicates && body["createNewIfDuplicateAllowed"]?.boolValue == true
        if !alwaysCreate, let match = data.duplicate(of: body), var contact = data.contacts[match.id] {
            var changes = body
            // The other identifier is dropped silently when it belongs to someone else (FACTS §10.1).
            let other = match.field == "email" ? "phone" : "email"
            if let owner = data.duplicate(of: [other: body[other] ?? .null], except: match.id), owner.field == other {
                changes[other] = nil
            }
            contact.apply(changes)
            contact.dateUpdated = tick()
            locations[location]!.put(contact, lag: settings.searchLag)
            return Answer.ok(["new": false, "contact": .object(contact.read(shape: .full)), "traceId": .string(trace)])
        }
        let now = tick()
        let contact = StoredContact(id: newId(), locationId: location, fields: body, dateAdded: now, dateUpdated: now)
        locations[location]!.put(contact, lag: settings.searchLag)
        return Answer.ok(["new": true, "contact": .object(contact.read(shape: .full)), "traceId": .string(trace)])
    }

    func changeTags(_ id: String, _ body: JSONObject, add: Bool, location: String, trace: String) -> ServedResponse {
        let problems = DTO.problems(body, allowed: DTO.tags) + DTO.missing(body, ["tags"])
        guard problems.isEmpty else { return Answer.unprocessable(problems, trace: trace) }
        guard var contact = locations[location]?.contacts[id] else { return Answer.badRequest("Contact not found", trace: trace) }
        let given = body["tags"]?.arrayValue?.compactMap(\.stringValue) ?? []
        var tags = contact.fields["tags"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let before = tags
        // Tags are kept as sent: nothing in the facts says GHL changes their case (wave2 S4 is open).
        // A tag the contact has in another case is not added twice, and keeps its first spelling.
        if add {
            for tag in given where !tags.contains(where: { $0.lowercased() == tag.lowercased() }) { tags.append(tag) }
        } else {
            tags.removeAll { tag in given.contains { $0.lowercased() == tag.lowercased() } }
        }
        if tags != before {
            contact.fields["tags"] = .array(tags.map { .string($0) })
            contact.dateUpdated = tick()
            locations[location]!.put(contact, lag: settings.searchLag)
        }
        return Answer.ok(["tags": .array(tags.map { .string($0) })], status: add ? 201 : 200)
    }

    func contactsOfBusiness(_ businessId: String, _ request: ServedRequest, location: String, trace: String) -> ServedResponse {
        let query = request.query(plusIsSpace: true)
        let limit = Int(query.first { $0.name == "limit" }?.value ?? "25") ?? 25
        let skip = Int(query.first { $0.name == "skip" }?.value ?? "0") ?? 0
        let data = locations[location]!
        let matching = data.addedOrder.keys.compactMap { data.contacts[$0.id] }.filter { $0.fields["businessId"]?.stringValue == businessId }
        let page = matching.dropFirst(skip).prefix(max(0, min(limit, 100)))
        return Answer.ok(["contacts": .array(page.map { .object($0.read(shape: .row)) }), "count": .number(Double(matching.count))])
    }

    /// The deprecated `GET /contacts/`: ordered by `dateAdded` then id; cursor `startAfter` (ms) + `startAfterId`.
    func listContacts(_ request: ServedRequest, location: String, trace: String) -> ServedResponse {
        let query = request.query(plusIsSpace: true)
        func value(_ name: String) -> String? { query.first { $0.name == name }?.value }
        let limit = Int(value("limit") ?? "20") ?? 20
        guard (1...100).contains(limit) else { return Answer.unprocessable(["limit must not be greater than 100"], trace: trace) }
        let text = value("query")?.lowercased()
        let data = locations[location]!
        var start = 0
        if let after = value("startAfter").flatMap({ Int64($0) }) {
            let key = SortKey(after, value("startAfterId") ?? "")
            start = data.addedOrder.lowerBound(key)
            if start < data.addedOrder.keys.count, data.addedOrder.keys[start] == key { start += 1 }
        }
        var rows: [StoredContact] = []
        var total = 0
        for key in data.addedOrder.keys[start...] {
            guard let contact = data.contacts[key.id] else { continue }
            if let text, !matches(contact, text) { continue }
            total += 1
            if rows.count < limit { rows.append(contact) }
        }
        var meta: JSONObject = ["total": .number(Double(total)), "currentPage": 1]
        if let last = rows.last, total > rows.count {
            meta["startAfterId"] = .string(last.id)
            meta["startAfter"] = .number(Double(last.dateAdded))
            meta["nextPage"] = 2
        }
        return Answer.ok(["contacts": .array(rows.map { .object($0.read(shape: .row)) }), "count": .number(Double(total)), "meta": .object(meta)])
    }

    func matches(_ contact: StoredContact, _ text: String) -> Bool {
        for key in ["email", "firstName", "lastName", "name", "phone", "companyName"] {
            if let value = contact.fields[key]?.stringValue?.lowercased(), value.contains(text) { return true }
        }
        return false
    }

    /// The 400 GHL answers when duplicates are not allowed and the email or phone is taken.
    private func duplicateRefusal(_ body: JSONObject, location: String, except: String?, trace: String) -> ServedResponse? {
        guard let data = locations[location], !data.allowDuplicates, let match = data.duplicate(of: body, except: except) else { return nil }
        let name = data.contacts[match.id].map { $0.read(shape: .full)["name"]?.stringValue ?? "" } ?? ""
        return Answer.badRequest(
            "This location does not allow duplicated contacts.", trace: trace,
            extra: ["meta": ["contactName": .string(name), "contactId": .string(match.id), "matchingField": .string(match.field)]])
    }
}

extension GHLEmulator {
    /// Links a contact to a business (done in GHL's UI or the bulk business endpoint).
    public func setBusiness(_ businessId: String?, contact id: String, location: String) {
        guard var contact = locations[location]?.contacts[id] else { return }
        contact.fields["businessId"] = businessId.map { .string($0) }
        contact.dateUpdated = tick()
        locations[location]!.put(contact, lag: settings.searchLag)
    }
}
