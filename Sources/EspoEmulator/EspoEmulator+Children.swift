import SyncCore

extension EspoEmulator {
    /// Puts one Task into the emulator as a person would create it (same validation as `POST Task`,
    /// `Create`/`CreateRelated` notes written): `contactId` makes that Contact its parent, and
    /// `assignedUserId` defaults to the seeded person. `attributes` adds or overrides anything
    /// (`status`, `priority`, `dateEnd`, `dateEndDate`, `description`…). Returns its id, nil when
    /// EspoCRM would refuse it.
    @discardableResult
    public func seedTask(
        name: String, contactId: String? = nil, assignedUserId: String = EspoEmulator.humanUserId,
        _ attributes: JSONObject? = nil
    ) -> String? {
        var fields: JSONObject = ["name": .string(name), "assignedUserId": .string(assignedUserId)]
        if let contactId {
            fields["parentType"] = "Contact"
            fields["parentId"] = .string(contactId)
        }
        for (key, value) in attributes ?? [:] { fields[key] = value }
        return insert("Task", fields)
    }

    /// Puts one Meeting into the emulator the same way: `dateStart`/`dateEnd` are UTC
    /// `YYYY-MM-DD HH:MM:SS`; `contactId` makes that Contact the parent and its one attendee.
    /// Returns its id, nil when refused (a `dateEnd` not after `dateStart`, for one).
    @discardableResult
    public func seedMeeting(
        name: String, dateStart: String, dateEnd: String, contactId: String? = nil,
        assignedUserId: String = EspoEmulator.humanUserId, _ attributes: JSONObject? = nil
    ) -> String? {
        var fields: JSONObject = [
            "name": .string(name), "dateStart": .string(dateStart), "dateEnd": .string(dateEnd),
            "assignedUserId": .string(assignedUserId),
        ]
        if let contactId {
            fields["parentType"] = "Contact"
            fields["parentId"] = .string(contactId)
            fields["contactsIds"] = [.string(contactId)]
        }
        for (key, value) in attributes ?? [:] { fields[key] = value }
        return insert("Meeting", fields)
    }

    /// Puts one post into the stream of `parent` `id`, written by `author` (the seeded person unless
    /// said otherwise) at `createdAt` (UTC `YYYY-MM-DD HH:MM:SS`; now when nil), with the next
    /// `number`. A post by someone else, or older than 7 days, is one the API user cannot edit.
    /// Returns the note's id; nil when the parent does not exist.
    @discardableResult
    public func seedNote(
        parent: String = "Contact", id: String, post: String, author: String = EspoEmulator.humanUserId,
        createdAt: String? = nil
    ) -> String? {
        let time = createdAt.flatMap { Timestamp.parse($0) }.map { Timestamp.naive($0) } ?? now
        return store.withLock { store in
            guard store.live(parent, id) != nil, store.definitions[parent]?.hasStream == true else { return nil }
            return store.addSystemNote("Post", parentType: parent, parentId: id, data: [:], actor: author, now: time, post: post)
        }
    }

    /// The notes in the stream of `parent` `id`, system notes included, newest first (as
    /// `GET {parent}/{id}/stream` shows them, with no paging); empty when the record is gone.
    public func notes(on parent: String, id: String) -> [JSONObject] {
        store.withLock { store in
            guard store.live(parent, id) != nil else { return [] }
            return (store.records["Note"] ?? [:]).values
                .filter {
                    !$0.deleted && $0.attributes["parentType"]?.stringValue == parent && $0.attributes["parentId"]?.stringValue == id
                }
                .sorted { ($0.attributes["number"]?.numberValue ?? 0) > ($1.attributes["number"]?.numberValue ?? 0) }
                .map { store.render("Note", $0, full: true, select: nil) }
        }
    }

    /// A record as stored, deleted or not (`deleted: true` on a soft-deleted one), as an admin
    /// would read it (FACTS §15); nil when it never existed.
    public func storedRecord(_ entity: String, id: String) -> JSONObject? {
        store.withLock { store in
            guard let record = store.records[entity]?[id] else { return nil }
            var out = store.render(entity, record, full: true, select: nil)
            out["deleted"] = .bool(record.deleted)
            return out
        }
    }
}
