import Emulation
import SyncCore
import Transport

extension GHLEmulator {
    static let version = "2021-07-28"
    /// The calendars service's `Version` (FACTS §6.6).
    static let calendarsVersion = "2021-04-15"

    /// The endpoint a request is for, named as in the spec.
    public nonisolated func route(_ request: ServedRequest) -> Route? {
        let s = request.segments
        let m = request.method
        func r(_ endpoint: String) -> Route { Route("\(m) \(endpoint)", isWrite: m != "GET") }
        switch (m, s.count, s.first) {
        case ("GET", 1, "contacts"): return r("/contacts/")
        case ("POST", 1, "contacts"): return r("/contacts/")
        case ("POST", 2, "contacts") where s[1] == "search": return Route("POST /contacts/search", isWrite: false)
        case ("POST", 2, "contacts") where s[1] == "upsert": return r("/contacts/upsert")
        case ("GET", 3, "contacts") where s[1] == "business": return r("/contacts/business/{businessId}")
        case ("GET", 2, "contacts"), ("PUT", 2, "contacts"), ("DELETE", 2, "contacts"): return r("/contacts/{contactId}")
        case ("POST", 3, "contacts") where s[2] == "tags", ("DELETE", 3, "contacts") where s[2] == "tags":
            return r("/contacts/{contactId}/tags")
        case ("GET", 3, "contacts") where s[2] == "tasks", ("POST", 3, "contacts") where s[2] == "tasks":
            return r("/contacts/{contactId}/tasks")
        case ("GET", 4, "contacts") where s[2] == "tasks", ("PUT", 4, "contacts") where s[2] == "tasks",
            ("DELETE", 4, "contacts") where s[2] == "tasks":
            return r("/contacts/{contactId}/tasks/{taskId}")
        case ("PUT", 5, "contacts") where s[2] == "tasks" && s[4] == "completed":
            return r("/contacts/{contactId}/tasks/{taskId}/completed")
        case ("GET", 3, "contacts") where s[2] == "notes", ("POST", 3, "contacts") where s[2] == "notes":
            return r("/contacts/{contactId}/notes")
        case ("GET", 4, "contacts") where s[2] == "notes", ("PUT", 4, "contacts") where s[2] == "notes",
            ("DELETE", 4, "contacts") where s[2] == "notes":
            return r("/contacts/{contactId}/notes/{id}")
        case ("GET", 3, "contacts") where s[2] == "appointments": return r("/contacts/{contactId}/appointments")
        case ("GET", 2, "locations"): return r("/locations/{locationId}")
        case ("GET", 3, "locations") where s[2] == "customFields": return r("/locations/{locationId}/customFields")
        case ("POST", 4, "locations") where s[2] == "tasks" && s[3] == "search":
            return Route("POST /locations/{locationId}/tasks/search", isWrite: false)
        case ("GET", 1, "calendars"): return r("/calendars/")
        case ("GET", 2, "calendars") where s[1] == "events": return r("/calendars/events")
        case ("POST", 3, "calendars") where s[1] == "events" && s[2] == "appointments": return r("/calendars/events/appointments")
        case ("GET", 4, "calendars") where s[1] == "events" && s[2] == "appointments",
            ("PUT", 4, "calendars") where s[1] == "events" && s[2] == "appointments":
            return r("/calendars/events/appointments/{eventId}")
        case ("DELETE", 3, "calendars") where s[1] == "events": return r("/calendars/events/{eventId}")
        case ("POST", 3, "contacts") where s[1] == "bulk" && s[2] == "business": return r("/contacts/bulk/business")
        case ("GET", 1, "businesses"), ("POST", 1, "businesses"): return r("/businesses/")
        case ("GET", 2, "businesses"), ("PUT", 2, "businesses"), ("DELETE", 2, "businesses"): return r("/businesses/{businessId}")
        case ("POST", 2, "oauth") where s[1] == "token": return Route("POST /oauth/token", isWrite: true)
        case ("POST", 2, "oauth") where s[1] == "locationToken": return Route("POST /oauth/locationToken", isWrite: true)
        default: return nil
        }
    }

    public func respond(to request: ServedRequest) async -> ServedResponse {
        let trace = traceId()
        guard let route = route(request) else {
            return Answer.error(404, "Cannot \(request.method) \(request.path)", trace: trace)
        }
        var body: JSONObject?
        if !request.body.isEmpty, !(request.header("Content-Type") ?? "").contains("x-www-form-urlencoded") {
            guard let json = try? request.json(), let object = json.objectValue else {
                return Answer.badRequest("Unexpected token in JSON body", trace: trace)
            }
            body = object
        }
        if route.endpoint.hasPrefix("POST /oauth/token") { return token(request, trace: trace) }

        guard let grant = bearer(request) else { return Answer.error(401, "Invalid JWT", trace: trace) }
        let version = route.endpoint.contains(" /calendars/") ? GHLEmulator.calendarsVersion : GHLEmulator.version
        guard request.header("Version") == version else {
            return Answer.badRequest("Version header was not found or is not supported; send Version: \(version)", trace: trace)
        }
        if let refused = scopeCheck(route.endpoint, grant: grant, trace: trace) { return refused }
        if route.endpoint == "POST /oauth/locationToken" { return locationToken(request, grant: grant, trace: trace) }
        guard let locationId = grant.locationId, locations[locationId] != nil else {
            return Answer.error(401, "This route is not yet supported by the IAM Service for a Company token; use a Location token", trace: trace)
        }
        let asked = request.query(plusIsSpace: true).first { $0.name == "locationId" }?.value
            ?? body?["locationId"]?.stringValue
            ?? (request.segments.first == "locations" ? request.segments[1] : nil)
        if let asked, asked != locationId {
            return Answer.error(403, "The token does not have access to this location.", trace: trace)
        }
        let now = ContinuousClock.now
        var window = windows[locationId] ?? RequestWindow(settings.rateLimit)
        let admitted = window.admit(at: now)
        let limits = window.headers(at: now)
        windows[locationId] = window
        guard admitted else {
            var answer = Answer.error(429, "Too Many Requests", trace: trace)
            answer.headers += limits
            return answer
        }
        locations[locationId]!.catchUpIndex(lag: settings.searchLag)
        var answer = handle(route.endpoint, request, body: body ?? [:], location: locationId, trace: trace)
        answer.headers += limits
        return answer
    }

    /// Injected faults in GHL's shapes: a 429 with the rate-limit headers (`X-RateLimit-Remaining: 0`),
    /// a 500 or 503 in its error shape, a 502 as the load balancer's HTML page, or the 422 GHL has been
    /// seen to answer after creating the record.
    public func faultAnswer(status: Int, for request: ServedRequest) async -> ServedResponse {
        let trace = traceId()
        switch status {
        case 422: return Answer.unprocessable(["Unprocessable Entity"], trace: trace)
        // A 502 comes from the load balancer in front of the API, not the API: an HTML page, no trace id.
        case 502:
            let page = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>\n"
            return ServedResponse(status: 502, headers: [(name: "Content-Type", value: "text/html")], body: Array(page.utf8))
        case 429:
            var answer = Answer.error(429, "Too Many Requests", trace: trace)
            if let location = bearer(request)?.locationId {
                var window = windows[location] ?? RequestWindow(settings.rateLimit)
                answer.headers += window.headers(at: ContinuousClock.now).map { $0.name == "X-RateLimit-Remaining" ? ($0.name, "0") : $0 }
            }
            return answer
        default: return Answer.error(status, Answer.reason(status), trace: trace)
        }
    }

    /// The grant of the request's Bearer token, if it is valid and unexpired.
    func bearer(_ request: ServedRequest) -> Grant? {
        guard let header = request.header("Authorization"), header.lowercased().hasPrefix("bearer ") else { return nil }
        let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        guard let grant = tokens.access[token] else { return nil }
        if let expiry = grant.expiresAt, expiry <= tick() { return nil }
        return grant
    }

    private func handle(_ endpoint: String, _ request: ServedRequest, body: JSONObject, location: String, trace: String) -> ServedResponse {
        let s = request.segments
        switch endpoint {
        case "GET /contacts/": return listContacts(request, location: location, trace: trace)
        case "POST /contacts/": return createContact(body, location: location, trace: trace)
        case "POST /contacts/search": return search(body, location: location, trace: trace)
        case "POST /contacts/upsert": return upsertContact(body, location: location, trace: trace)
        case "GET /contacts/business/{businessId}": return contactsOfBusiness(s[2], request, location: location, trace: trace)
        case "GET /contacts/{contactId}": return getContact(s[1], location: location, trace: trace)
        case "PUT /contacts/{contactId}": return updateContact(s[1], body, location: location, trace: trace)
        case "DELETE /contacts/{contactId}": return deleteContact(s[1], location: location, trace: trace)
        case "POST /contacts/{contactId}/tags": return changeTags(s[1], body, add: true, location: location, trace: trace)
        case "DELETE /contacts/{contactId}/tags": return changeTags(s[1], body, add: false, location: location, trace: trace)
        case "GET /contacts/{contactId}/tasks": return listTasks(s[1], location: location, trace: trace)
        case "POST /contacts/{contactId}/tasks": return createTask(s[1], body, location: location, trace: trace)
        case "GET /contacts/{contactId}/tasks/{taskId}": return getTask(s[1], s[3], location: location, trace: trace)
        case "PUT /contacts/{contactId}/tasks/{taskId}": return updateTask(s[1], s[3], body, allowed: DTO.createTask, location: location, trace: trace)
        case "PUT /contacts/{contactId}/tasks/{taskId}/completed":
            return updateTask(s[1], s[3], body, allowed: DTO.taskCompleted, location: location, trace: trace)
        case "DELETE /contacts/{contactId}/tasks/{taskId}": return deleteTask(s[1], s[3], location: location, trace: trace)
        case "GET /contacts/{contactId}/notes": return listNotes(s[1], location: location, trace: trace)
        case "POST /contacts/{contactId}/notes": return createNote(s[1], body, location: location, trace: trace)
        case "GET /contacts/{contactId}/notes/{id}": return getNote(s[1], s[3], location: location, trace: trace)
        case "PUT /contacts/{contactId}/notes/{id}": return updateNote(s[1], s[3], body, location: location, trace: trace)
        case "DELETE /contacts/{contactId}/notes/{id}": return deleteNote(s[1], s[3], location: location, trace: trace)
        case "GET /contacts/{contactId}/appointments": return listAppointments(s[1], location: location, trace: trace)
        case "GET /locations/{locationId}": return getLocation(location, trace: trace)
        case "GET /locations/{locationId}/customFields": return customFields(request, location: location)
        case "POST /locations/{locationId}/tasks/search": return searchTasks(body, location: location, trace: trace)
        case "GET /calendars/": return listCalendars(location: location)
        case "GET /calendars/events": return listEvents(request, location: location, trace: trace)
        case "POST /calendars/events/appointments": return createAppointment(body, location: location, trace: trace)
        case "GET /calendars/events/appointments/{eventId}": return getAppointment(s[3], location: location, trace: trace)
        case "PUT /calendars/events/appointments/{eventId}": return editAppointment(s[3], body, location: location, trace: trace)
        case "DELETE /calendars/events/{eventId}": return deleteEvent(s[2], location: location, trace: trace)
        case "POST /contacts/bulk/business": return bulkBusiness(body, location: location, trace: trace)
        case "GET /businesses/": return listBusinesses(request, location: location, trace: trace)
        case "POST /businesses/": return createBusiness(body, location: location, trace: trace)
        case "GET /businesses/{businessId}": return getBusiness(s[1], location: location, trace: trace)
        case "PUT /businesses/{businessId}": return updateBusiness(s[1], body, location: location, trace: trace)
        case "DELETE /businesses/{businessId}": return deleteBusiness(s[1], location: location, trace: trace)
        default: return Answer.error(404, "Cannot \(request.method) \(request.path)", trace: trace)
        }
    }
}
