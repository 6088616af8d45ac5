import SyncCore
import Transport

extension GHLClient {
    /// The id the write probes address: GHL ids are 20 letters and digits, so no record has it.
    public static let probeId = "espo-ghl-sync-doctor-probe"

    /// Whether the token carries `scope`, asked of the server without changing anything, for tokens that
    /// do not report their scopes (Private Integration Tokens).
    ///
    /// A read scope is probed with the cheapest read that needs it (one row). A write scope is probed
    /// with a write that cannot change anything: a `PUT` with an empty body to `probeId`, which no
    /// record has. GHL checks the token's scopes before the handler runs (its guards run before
    /// validation and lookup), so a refusal for the scope comes first — a 401 "not authorized for this
    /// scope", or a 403 — and any other answer (a 400 or 404 for the missing record) means the scope
    /// is granted. A 401 that is not about the scope means the token itself was refused.
    public func probe(_ scope: GHLScope) async -> ScopeProbe {
        do {
            _ = try await transport.send(probeRequest(scope))
            return .granted
        } catch {
            switch error.status {
            case 401? where error.message.lowercased().contains("scope"): return .refused(error.message)
            case 403?: return .refused(error.message)
            case 401?, nil: return .failed(error)
            case let status? where status >= 500 || status == 429: return .failed(error)
            default: return .granted
            }
        }
    }

    private func probeRequest(_ scope: GHLScope) -> Request {
        let one = "1"
        switch scope {
        case .contactsReadonly:
            return request(.post, "/contacts/search", endpoint: "POST /contacts/search",
                           body: ["locationId": .string(locationId), "pageLimit": 1], isIdempotent: true)
        case .contactsWrite:
            return request(.put, Request.path("contacts", GHLClient.probeId), endpoint: "PUT /contacts/{contactId}", body: [:])
        case .businessesReadonly:
            return request(.get, "/businesses/", endpoint: "GET /businesses/",
                           query: [.init("locationId", locationId), .init("limit", one)])
        case .businessesWrite:
            return request(.put, Request.path("businesses", GHLClient.probeId), endpoint: "PUT /businesses/{businessId}", body: [:])
        case .calendarsReadonly:
            return request(.get, "/calendars/", endpoint: "GET /calendars/", query: [.init("locationId", locationId)],
                           version: GHLVersion.calendars)
        case .eventsReadonly:
            return request(.get, Request.path("calendars", "events", "appointments", GHLClient.probeId),
                           endpoint: "GET /calendars/events/appointments/{eventId}", version: GHLVersion.calendars)
        case .eventsWrite:
            return request(.put, Request.path("calendars", "events", "appointments", GHLClient.probeId),
                           endpoint: "PUT /calendars/events/appointments/{eventId}", body: [:], version: GHLVersion.calendars)
        case .locationsReadonly:
            return request(.get, Request.path("locations", locationId), endpoint: "GET /locations/{locationId}")
        case .customFieldsReadonly:
            return request(.get, Request.path("locations", locationId, "customFields"), endpoint: "GET /locations/{locationId}/customFields")
        case .tasksReadonly:
            return request(.post, Request.path("locations", locationId, "tasks", "search"),
                           endpoint: "POST /locations/{locationId}/tasks/search", body: ["limit": 1], isIdempotent: true)
        }
    }
}
