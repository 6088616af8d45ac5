import Emulation
import SyncCore

extension GHLEmulator {
    /// The scopes tokens carry unless chosen otherwise: every scope the sync's calls need, the location
    /// read `doctor` makes, and the agency token routes.
    public static let defaultScopes = [
        "contacts.readonly", "contacts.write", "businesses.readonly", "businesses.write", "calendars.readonly",
        "calendars/events.readonly", "calendars/events.write", "locations.readonly", "locations/customFields.readonly",
        "locations/tasks.readonly", "oauth.readonly", "oauth.write",
    ]

    /// What GHL answers a token whose scopes lack the endpoint's (seen on live servers: a 401, not a
    /// 403, with this message; no scope is named).
    static let scopeRefusal = "The token is not authorized for this scope."

    /// The scope an endpoint needs, from the `security` of each operation in `apps/*.json`. The bulk
    /// business link declares none; like the other contact writes it is taken to need `contacts.write`
    /// (FACTS §3, inferred), the stricter reading.
    static func scope(of endpoint: String) -> String? {
        let (method, path) = endpoint.split(separator: " ", maxSplits: 1).map(String.init).pairs
        let write = method != "GET"
        switch path {
        case "/contacts/search": return "contacts.readonly"
        case _ where path.hasPrefix("/contacts/"): return write ? "contacts.write" : "contacts.readonly"
        case _ where path.hasPrefix("/businesses/"): return write ? "businesses.write" : "businesses.readonly"
        case "/calendars/": return write ? "calendars.write" : "calendars.readonly"
        case _ where path.hasPrefix("/calendars/events"): return write ? "calendars/events.write" : "calendars/events.readonly"
        case "/locations/{locationId}": return write ? "locations.write" : "locations.readonly"
        case "/locations/{locationId}/customFields": return write ? "locations/customFields.write" : "locations/customFields.readonly"
        case "/locations/{locationId}/tasks/search": return "locations/tasks.readonly"
        case "/oauth/locationToken": return "oauth.write"
        default: return nil
        }
    }

    /// The 401 for a token without the scope `endpoint` needs; nil when it has it.
    func scopeCheck(_ endpoint: String, grant: Grant, trace: String) -> ServedResponse? {
        guard let needed = GHLEmulator.scope(of: endpoint), !grant.scopes.contains(needed) else { return nil }
        return Answer.error(401, GHLEmulator.scopeRefusal, trace: trace)
    }

    /// `GET /locations/{locationId}` (`{location}`, `GetLocationByIdSchema`).
    func getLocation(_ id: String, trace: String) -> ServedResponse {
        guard let data = locations[id] else { return Answer.badRequest("Location not found", trace: trace) }
        var location: JSONObject = [
            "id": .string(data.id), "name": .string(data.name), "timezone": "America/Chicago", "country": "US",
        ]
        if let company = data.companyId { location["companyId"] = .string(company) }
        return Answer.ok(["location": .object(location)])
    }
}

private extension Array where Element == String {
    var pairs: (String, String) { count == 2 ? (self[0], self[1]) : (first ?? "", "") }
}
