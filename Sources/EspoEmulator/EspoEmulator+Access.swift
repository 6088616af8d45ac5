import Emulation
import SyncCore

extension EspoEmulator {
    /// The actions of a role's scope levels: `create` is `yes`/`no`; `read`, `edit`, `delete`, `stream`
    /// are `all`/`team`/`own`/`no` (EspoCRM's Roles).
    static let fullAccess: JSON = ["create": "yes", "read": "all", "edit": "all", "delete": "all", "stream": "all"]

    /// Changes what the API user's role grants on `scope` (an entity type): an object of actions and
    /// levels as `App/user`'s `acl.table` shows it (`{"create": "yes", "read": "all", "edit": "all",
    /// "delete": "no"}`), `false` for no access at all, nil for full access again.
    public func setAccess(_ scope: String, _ rule: JSON?) {
        store.withLock { $0.access[scope] = rule }
    }

    /// The API user's `acl.table`: every entity type, full access unless the role says otherwise.
    func aclTable() -> JSONObject {
        store.withLock { store in
            var table: JSONObject = [:]
            for scope in store.definitions.keys.sorted() { table[scope] = store.access[scope] ?? EspoEmulator.fullAccess }
            return table
        }
    }

    /// The 403 EspoCRM answers an API user whose role does not grant `action` on `scope`; nil when it
    /// does. Levels other than `all` and `yes` are refused outright: EspoCRM would narrow them to the
    /// user's own or team's records, and the emulator is never kinder than the server.
    func accessRefusal(_ scope: String, _ action: String, caller: Caller) -> ServedResponse? {
        guard caller.type == "api", let rule = store.withLock({ $0.access[scope] }) else { return nil }
        let level = rule.objectValue?[action]?.stringValue ?? "no"
        if level == "all" || level == "yes" { return nil }
        return Answer.error(403, "No \(action) access.")
    }

    /// The action a request needs on its entity type, as EspoCRM's record controllers check it.
    static func action(method: String, parts: Int, link: String?) -> String {
        switch (method, parts) {
        case ("GET", 3) where link == "stream" || link == "posts": "stream"
        case ("GET", _): "read"
        case ("POST", 1): "create"
        case ("DELETE", 2): "delete"
        default: "edit"
        }
    }
}
