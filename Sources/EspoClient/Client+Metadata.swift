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
    }
}

extension Espo.Client {
    /// `GET App/user`: who the credentials belong to; the cheapest check that they work (FACTS §2.4).
    public func currentUser() async throws(APIError) -> Espo.User {
        let endpoint = "GET /App/user"
        let json = try await transport.json(Request(.get, "/App/user", endpoint: endpoint))
        guard case .object(let user)? = json["user"] else {
            throw APIError(.invalidResponse, service: transport.service, endpoint: endpoint,
                           message: "field `user`: expected an object, got \(json["user"]?.kindName ?? "absent")")
        }
        guard let id = user["id"]?.stringValue, !id.isEmpty, let userName = user["userName"]?.stringValue else {
            throw APIError(.invalidResponse, service: transport.service, endpoint: endpoint,
                           message: "field `user.id`/`user.userName`: expected strings")
        }
        return Espo.User(id: id, userName: userName, name: user["name"]?.stringValue, type: user["type"]?.stringValue, attributes: user)
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
