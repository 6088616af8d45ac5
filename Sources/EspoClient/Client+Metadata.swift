import Foundation
import SyncCore
import Transport

extension Espo {
    /// The user the client's credentials belong to, as `GET App/user` describes it.
    public struct User: Sendable, Equatable {
        public let id: String
        public let userName: String
        /// The display name, when the answer carries one.
        public let name: String?
        /// `api` for API users (API key, HMAC), `regular`, `admin`…; nil when not given.
        public let type: String?
        /// The whole `user` object as received.
        public let attributes: JSONObject
        /// What the user's roles grant, by scope (entity type), from `acl.table`; nil when the answer
        /// carries no table.
        public let access: [String: Access]?
        /// The server's clock when it answered (its `Date` header).
        public let serverDate: Date?
    }

    /// What a user's roles grant on one scope, as `acl.table` gives it: a level per action (`create`
    /// `yes`/`no`; `read`, `edit`, `delete`, `stream` `all`/`team`/`own`/`no`). A scope given as `false`
    /// grants nothing; one given as `true` grants every action.
    public struct Access: Sendable, Equatable {
        public var levels: [String: String]

        public init(levels: [String: String]) { self.levels = levels }

        /// The level of `action`; `no` when not given.
        public func level(_ action: String) -> String { levels[action] ?? "no" }

        /// Whether `action` is granted on every record (`all`, or `yes` for `create`).
        public func coversAll(_ action: String) -> Bool { ["all", "yes"].contains(level(action)) }

        init?(_ json: JSON) {
            switch json {
            case .bool(let granted):
                let level = granted ? "all" : "no"
                levels = ["create": granted ? "yes" : "no", "read": level, "edit": level, "delete": level, "stream": level]
            case .object(let actions):
                levels = [:]
                for (action, level) in actions { if let text = level.stringValue { levels[action] = text } }
            default: return nil
            }
        }
    }
}

extension Espo.Client {
    /// `GET App/user`: who the credentials belong to and what their roles grant; the cheapest check
    /// that they work (FACTS §2.4).
    public func currentUser() async throws(APIError) -> Espo.User {
        let endpoint = "GET /App/user"
        let response = try await transport.send(Request(.get, "/App/user", endpoint: endpoint))
        let json: JSON
        do { json = try response.json() } catch {
            throw APIError(.invalidResponse, service: transport.service, endpoint: endpoint, status: response.status,
                           message: "the answer is not JSON: \(error)", response: response)
        }
        guard case .object(let user)? = json["user"] else {
            throw APIError(.invalidResponse, service: transport.service, endpoint: endpoint,
                           message: "field `user`: expected an object, got \(json["user"]?.kindName ?? "absent")")
        }
        guard let id = user["id"]?.stringValue, !id.isEmpty, let userName = user["userName"]?.stringValue else {
            throw APIError(.invalidResponse, service: transport.service, endpoint: endpoint,
                           message: "field `user.id`/`user.userName`: expected strings")
        }
        var access: [String: Espo.Access]?
        if let table = json["acl"]?["table"]?.objectValue {
            access = [:]
            for (scope, rule) in table { access?[scope] = Espo.Access(rule) }
        }
        return Espo.User(
            id: id, userName: userName, name: user["name"]?.stringValue, type: user["type"]?.stringValue, attributes: user,
            access: access, serverDate: response.date)
    }

    /// `GET Metadata?key=entityDefs.<Entity>.fields`: the entity's field definitions by field name
    /// (each with at least `type`: `varchar`, `enum`, `array`, `link`…), custom fields included
    /// (FACTS §5: discover fields at run time). Tells whether, say, the Array field `cTags` exists.
    public func fields(of entityType: Espo.EntityType) async throws(APIError) -> [String: JSONObject] {
        let endpoint = "GET /Metadata"
        let json = try await transport.json(Request(
            .get, "/Metadata", endpoint: endpoint, query: [.init("key", "entityDefs.\(entityType.rawValue).fields")]))
        guard case .object(let fields) = json else {
            throw APIError(.invalidResponse, service: transport.service, endpoint: endpoint,
                           message: "entityDefs.\(entityType.rawValue).fields: expected an object, got \(json.kindName)")
        }
        var out: [String: JSONObject] = [:]
        for (name, definition) in fields {
            guard case .object(let object) = definition, object["type"]?.stringValue != nil else {
                throw APIError(.invalidResponse, service: transport.service, endpoint: endpoint,
                               message: "field `\(name)`: expected an object with a `type`, got \(definition.kindName)")
            }
            out[name] = object
        }
        return out
    }
}
