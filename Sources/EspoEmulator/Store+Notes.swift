import Emulation
import SyncCore

/// Notes: the system notes EspoCRM writes on its own, who may change a post, and the streams.
extension Store {
    /// Fields whose change writes an `Update` note on the record's stream (FACTS §11). Contact
    /// audits nothing by default.
    static let auditedFields: [String: [String]] = [
        "Task": ["status", "priority", "dateEnd"], "Meeting": ["status", "dateStart"], "Account": ["name", "type"],
    ]

    /// Note types `filter=updates` keeps.
    static let updateTypes: Set<String> = ["Update", "Status", "Assign"]

    // MARK: System notes

    /// After a create: a `Create` note on the record's own stream and, for a Task or Meeting with a
    /// parent that has a stream, a `CreateRelated` note on the parent's (`Tools/Stream/HookProcessor`).
    mutating func noteCreation(_ entity: String, _ record: StoredRecord, actor: String, now: String) {
        var data: JSONObject = [:]
        if let assigned = record.attributes["assignedUserId"]?.stringValue {
            data["assignedUserId"] = .string(assigned)
            data["assignedUserName"] = users[assigned].map(JSON.string) ?? .null
        }
        if let status = record.attributes["status"]?.stringValue {
            data["statusField"] = "status"
            data["statusValue"] = .string(status)
        }
        addSystemNote("Create", parentType: entity, parentId: record.id, data: data, actor: actor, now: now)
        if entity == "Task" || entity == "Meeting",
            let parentType = record.attributes["parentType"]?.stringValue,
            let parentId = record.attributes["parentId"]?.stringValue, definitions[parentType]?.hasStream == true,
            live(parentType, parentId) != nil
        {
            addSystemNote("CreateRelated", parentType: parentType, parentId: parentId, data: [:], actor: actor, now: now,
                          related: (entity, record.id))
        }
    }

    /// After an update: an `Update` note when an audited field changed, with
    /// `data = {fields, attributes: {was, became}}` (`Tools/Stream/Service.php` `handleAudited`).
    mutating func noteAudited(_ entity: String, was old: StoredRecord, now new: StoredRecord, actor: String, time: String) {
        let changed = (Store.auditedFields[entity] ?? []).filter { !same(old.attributes[$0], new.attributes[$0]) }
        guard !changed.isEmpty else { return }
        var was: JSONObject = [:], became: JSONObject = [:]
        for field in changed {
            was[field] = old.attributes[field] ?? .null
            became[field] = new.attributes[field] ?? .null
        }
        addSystemNote("Update", parentType: entity, parentId: new.id,
                      data: ["fields": .array(changed.map(JSON.string)), "attributes": ["was": .object(was), "became": .object(became)]],
                      actor: actor, now: time)
    }

    /// Stores one note with the next `number`.
    @discardableResult
    mutating func addSystemNote(
        _ type: String, parentType: String, parentId: String, data: JSONObject, actor: String, now: String,
        related: (type: String, id: String)? = nil, post: String? = nil
    ) -> String {
        let id = newId()
        noteNumber += 1
        var attributes: JSONObject = [
            "id": .string(id), "type": .string(type), "post": post.map(JSON.string) ?? .null,
            "parentType": .string(parentType), "parentId": .string(parentId), "isInternal": false,
            "data": .object(data), "createdAt": .string(now), "modifiedAt": .string(now),
            "createdById": .string(actor), "modifiedById": .string(actor), "number": .number(Double(noteNumber)),
        ]
        if let related {
            attributes["relatedType"] = .string(related.type)
            attributes["relatedId"] = .string(related.id)
        }
        records["Note", default: [:]][id] = StoredRecord(attributes: attributes)
        return id
    }

    // MARK: Who may change a note

    /// Why `actor` may not edit (or delete) `note`, as EspoCRM's Note access checker decides for a
    /// non-admin: only the author, and only within `noteEditThresholdPeriod` (7 days) or
    /// `noteDeleteThresholdPeriod` (1 month) of `createdAt`; nil when allowed. The refusal is
    /// `Record\Service`'s `ForbiddenSilent`: 403, `No edit access.` / `No delete access.`, empty body.
    func noteRefusal(_ note: StoredRecord, actor: String, now: String, delete: Bool) -> ServedResponse? {
        let refusal = Answer.error(403, delete ? "No delete access." : "No edit access.")
        guard note.attributes["createdById"]?.stringValue == actor else { return refusal }
        if !delete, note.attributes["type"]?.stringValue != "Post" { return refusal }
        guard let created = note.attributes["createdAt"]?.stringValue.flatMap({ Timestamp.parse($0) }),
            let current = Timestamp.parse(now)
        else { return nil }
        let threshold = delete ? Store.monthBefore(current) : current - 7 * 86_400
        return threshold > created ? refusal : nil
    }

    /// PHP's `modify('-1 month')`: the same day and time a month earlier, overflowing into the next
    /// month when that month is shorter (31 March → 3 March).
    static func monthBefore(_ seconds: Int64) -> Int64 {
        let text = Timestamp.naive(seconds)
        let utf8 = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int { Int(String(decoding: utf8[range], as: UTF8.self)) ?? 0 }
        var year = number(0..<4), month = number(5..<7) - 1
        let day = number(8..<10)
        if month == 0 { month = 12; year -= 1 }
        let pad: (Int, Int) -> String = { value, width in
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let first = "\(pad(year, 4))-\(pad(month, 2))-01" + text.dropFirst(10)
        return (Timestamp.parse(first) ?? seconds) + Int64(day - 1) * 86_400
    }

    /// The ids of the notes `actor` wrote: what `GET Note` lists for a non-admin (acl read `own`).
    func ownNoteIds(_ actor: String) -> Set<String> {
        Set((records["Note"] ?? [:]).values.filter { !$0.deleted && $0.attributes["createdById"]?.stringValue == actor }.map(\.id))
    }

    /// Whether `actor` may read `note`: its own, or one on a record it can read.
    func canRead(note: StoredRecord, actor: String) -> Bool {
        if note.attributes["createdById"]?.stringValue == actor { return true }
        guard let parentType = note.attributes["parentType"]?.stringValue,
            let parentId = note.attributes["parentId"]?.stringValue
        else { return false }
        return live(parentType, parentId) != nil
    }

    // MARK: Streams

    /// `GET {Entity}/{id}/stream` (and `/posts`): the record's notes, system notes included, newest
    /// first by `number`, as `{total, list, pinnedList}`; `offset`, `maxSize` (over 200 is a 403),
    /// `after` (createdAt), `filter=posts|updates`, `skipOwn`, `beforeNumber` (FACTS §11;
    /// `Tools/Stream/RecordService.php`). A missing record is a 404 and a type without a stream a
    /// 403, both without a reason (`NotFound()`, `Forbidden()`).
    mutating func stream(_ entity: String, id: String, query: JSONObject, caller: String) -> ServedResponse {
        guard let definition = definitions[entity] else { return Answer.error(404, "Unknown entity type.") }
        guard live(entity, id) != nil else { return ServedResponse(status: 404) }
        guard definition.hasStream else { return ServedResponse(status: 403) }
        let paging: (offset: Int, maxSize: Int)
        switch Store.paging(query) {
        case .success(let value): paging = value
        case .failure(let refusal): return refusal.answer
        }
        let filter = query["filter"]?.stringValue
        let after = query["after"]?.stringValue.flatMap { Timestamp.parse($0) }.map { Timestamp.naive($0) }
        let skipOwn = query["skipOwn"]?.stringValue == "true"
        let beforeNumber = query["beforeNumber"]?.stringValue.flatMap { Int($0) }
        let table = records["Note"] ?? [:]
        if noteIndex.count != table.count {
            var byParent: [String: [String]] = [:]
            for (noteId, note) in table {
                let key = "\(note.attributes["parentType"]?.stringValue ?? "")/\(note.attributes["parentId"]?.stringValue ?? "")"
                byParent[key, default: []].append(noteId)
            }
            noteIndex = (table.count, byParent)
        }
        let notes = (noteIndex.byParent["\(entity)/\(id)"] ?? []).compactMap { table[$0] }
            .filter { note in
                let type = note.attributes["type"]?.stringValue ?? ""
                return !note.deleted && note.attributes["parentType"]?.stringValue == entity
                    && note.attributes["parentId"]?.stringValue == id
                    && (filter != "posts" || type == "Post") && (filter != "updates" || Store.updateTypes.contains(type))
                    && (after == nil || (note.attributes["createdAt"]?.stringValue ?? "") > after!)
                    && (!skipOwn || note.attributes["createdById"]?.stringValue != caller)
                    && (beforeNumber == nil || Int(note.attributes["number"]?.numberValue ?? 0) < beforeNumber!)
            }
            .sorted { ($0.attributes["number"]?.numberValue ?? 0) > ($1.attributes["number"]?.numberValue ?? 0) }
        let page = notes.dropFirst(paging.offset).prefix(paging.maxSize)
        return Answer.json(200, [
            "total": .number(Double(notes.count)),
            "list": .array(page.map { .object(render("Note", $0, full: true, select: nil)) }),
            "pinnedList": [],
        ])
    }

    /// `GET GlobalStream`: every note on a record the caller can read, newest first by `number`,
    /// paged by `beforeNumber` (`offset` is a 400 `Offset is not supported.`), with `where` and
    /// `after` applied; no count, so `total` is -1 when more follow and -2 on the last page. Only
    /// when the role grants the GlobalStream scope, else a bare 403
    /// (`Tools/Stream/GlobalRecordService.php`, `Api/GetGlobal.php`; wave2 B.2).
    func globalStream(query: JSONObject, allowed: Bool) -> ServedResponse {
        guard allowed else { return ServedResponse(status: 403) }
        let parsed = Store.listRequest(query, definition: definitions["Note"]!)
        let query: JSONObject, paging: (offset: Int, maxSize: Int), filter: WhereFilter
        switch parsed {
        case .success(let request): (query, paging, filter) = request
        case .failure(let refused): return refused.response
        }
        guard paging.offset == 0 else { return Answer.error(400, "Offset is not supported.") }
        let after = query["after"]?.stringValue.flatMap { Timestamp.parse($0) }.map { Timestamp.naive($0) }
        let beforeNumber = query["beforeNumber"]?.stringValue.flatMap { Int($0) }
        let notes = (records["Note"] ?? [:]).values
            .filter { note in
                guard !note.deleted, let parentType = note.attributes["parentType"]?.stringValue,
                    let parentId = note.attributes["parentId"]?.stringValue, definitions[parentType]?.hasStream == true,
                    live(parentType, parentId) != nil
                else { return false }
                return (after == nil || (note.attributes["createdAt"]?.stringValue ?? "") > after!)
                    && (beforeNumber == nil || Int(note.attributes["number"]?.numberValue ?? 0) < beforeNumber!)
                    && filter.matches { values("Note", note, $0) }
            }
            .sorted { ($0.attributes["number"]?.numberValue ?? 0) > ($1.attributes["number"]?.numberValue ?? 0) }
        let page = notes.prefix(paging.maxSize)
        return Answer.json(200, [
            "total": notes.count > paging.maxSize ? -1 : -2,
            "list": .array(page.map { .object(render("Note", $0, full: true, select: nil)) }),
        ])
    }
}
