import SyncCore
import Transport

extension GHLClient {
    /// `GET /contacts/{contactId}/notes`: every note of the contact (the endpoint does not page).
    public func notes(of contactId: String) async throws(APIError) -> [Note] {
        try await call(request(.get, Request.path("contacts", contactId, "notes"), endpoint: "GET /contacts/{contactId}/notes"))
            .models(Note.self, "notes")
    }

    /// `GET /contacts/{contactId}/notes/{id}`
    public func note(_ noteId: String, of contactId: String) async throws(APIError) -> Note {
        try await noteAnswer(request(.get, Request.path("contacts", contactId, "notes", noteId), endpoint: "GET /contacts/{contactId}/notes/{id}"))
    }

    /// `POST /contacts/{contactId}/notes` (201): `body` required; `userId`, `title`, `color`, `pinned`.
    public func createNote(_ fields: JSONObject, for contactId: String) async throws(APIError) -> Note {
        try await noteAnswer(request(
            .post, Request.path("contacts", contactId, "notes"), endpoint: "POST /contacts/{contactId}/notes", body: .object(fields)))
    }

    /// `PUT /contacts/{contactId}/notes/{id}`
    public func updateNote(_ noteId: String, of contactId: String, _ fields: JSONObject) async throws(APIError) -> Note {
        try await noteAnswer(request(
            .put, Request.path("contacts", contactId, "notes", noteId), endpoint: "PUT /contacts/{contactId}/notes/{id}",
            body: .object(fields)))
    }

    /// `DELETE /contacts/{contactId}/notes/{id}` (`{succeded}`).
    public func deleteNote(_ noteId: String, of contactId: String) async throws(APIError) -> Bool {
        try await call(request(.delete, Request.path("contacts", contactId, "notes", noteId), endpoint: "DELETE /contacts/{contactId}/notes/{id}"))
            .flag("succeded", "succeeded")
    }

    /// `GET /contacts/{contactId}/appointments` (`{events}`).
    public func appointments(of contactId: String) async throws(APIError) -> [Appointment] {
        try await call(request(
            .get, Request.path("contacts", contactId, "appointments"), endpoint: "GET /contacts/{contactId}/appointments"))
            .models(Appointment.self, "events")
    }

    /// `GET /locations/{locationId}/customFields?model=contact`: the location's custom field definitions.
    public func customFields(model: String = "contact") async throws(APIError) -> [CustomFieldDefinition] {
        try await call(request(
            .get, Request.path("locations", locationId, "customFields"), endpoint: "GET /locations/{locationId}/customFields",
            query: [.init("model", model)])).models(CustomFieldDefinition.self, "customFields")
    }

    /// Custom field ids by key (`contact.pincode` → id), for `Mapping.resolvingCustomFields`.
    /// GHL lists keys with or without the `contact.` prefix; both spellings are given.
    public func customFieldIds() async throws(APIError) -> [String: String] {
        var ids: [String: String] = [:]
        for field in try await customFields() {
            guard let key = field.fieldKey else { continue }
            ids[key] = field.id
            if key.hasPrefix("contact.") { ids[String(key.dropFirst("contact.".count)), default: field.id] = field.id }
        }
        return ids
    }

    private func noteAnswer(_ request: Request) async throws(APIError) -> Note {
        let answer = try await call(request)
        return try answer.model(Note.self, try answer.object("note"), at: "note")
    }
}
