import Emulation
import SyncCore

extension EspoEmulator {
    /// `GET App/user`: the calling user and what the front end needs beside it (FACTS §2.4: the
    /// cheap credentials check). `user` carries `id`, `userName`, `name`, `type` (`api` or `regular`)
    /// and `isActive`; `acl.table` the role's access per entity type (`setAccess`); `preferences` and
    /// `settings` are kept minimal.
    func appUser(_ caller: Caller) -> ServedResponse {
        let user: JSONObject = [
            "id": .string(caller.id), "userName": .string(caller.userName), "name": .string(caller.userName),
            "type": .string(caller.type), "isActive": true, "isAdmin": false, "deleted": false,
        ]
        let table = caller.type == "api" ? aclTable() : store.withLock { store in
            JSONObject(uniqueKeysWithValues: store.definitions.keys.sorted().map { ($0, EspoEmulator.fullAccess) })
        }
        return Answer.json(200, ["user": .object(user), "acl": ["table": .object(table)], "preferences": [:], "settings": [:]])
    }

    /// `GET Metadata?key=…`: the metadata below a dotted key; only `entityDefs` is emulated
    /// (`entityDefs`, `entityDefs.<Entity>`, `entityDefs.<Entity>.fields`, `….fields.<field>`). A key
    /// that names nothing answers `null`, as EspoCRM does.
    func metadata(_ request: ServedRequest) -> ServedResponse {
        let key = request.query(plusIsSpace: true).first { $0.name == "key" }?.value ?? ""
        var entityDefs: JSONObject = [:]
        store.withLock { store in
            for (name, definition) in store.definitions {
                let custom = Set((configuration.customFields[name] ?? []) + (configuration.arrayFields[name] ?? []))
                entityDefs[name] = ["fields": .object(definition.fieldDefinitions(custom: custom))]
            }
        }
        var value: JSON = ["entityDefs": .object(entityDefs)]
        for part in key.split(separator: ".") {
            guard let next = value[String(part)] else { return Answer.json(200, .null) }
            value = next
        }
        return Answer.json(200, value)
    }
}

extension EspoEmulator {
    /// Puts one Account into the emulator as another EspoCRM user would create it (validation, no
    /// duplicate check, no request): `name` and any of `website`, `emailAddress`, `phoneNumber`,
    /// `description`, `billingAddress*`, `type`… Returns its id; nil when EspoCRM would refuse it.
    /// For the sandbox, demos and tests.
    @discardableResult
    public func seedAccount(name: String, _ attributes: JSONObject? = nil) -> String? {
        var attributes = attributes ?? [:]
        attributes["name"] = .string(name)
        return insert("Account", attributes)
    }

    /// Puts one Contact into the emulator the same way; `accountId` links it to an Account and
    /// `cTags` sets its tags (when the Array field is configured). Returns its id, nil when refused.
    @discardableResult
    public func seedContact(_ attributes: JSONObject) -> String? {
        insert("Contact", attributes)
    }
}
