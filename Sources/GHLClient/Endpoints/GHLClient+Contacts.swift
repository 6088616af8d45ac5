import SyncCore
import Transport

extension GHLClient {
    /// `GET /contacts/{contactId}`
    public func contact(_ id: String) async throws(APIError) -> Contact {
        let answer = try await call(request(.get, Request.path("contacts", id), endpoint: "GET /contacts/{contactId}"))
        return try answer.model(Contact.self, try answer.object("contact"), at: "contact")
    }

    /// `POST /contacts/` (201 `{contact}`). `fields` are the `CreateContactDto` members; the
    /// location id is added. A lost answer is `outcomeUnknown`: look the contact up before creating again.
    public func createContact(_ fields: JSONObject) async throws(APIError) -> Contact {
        let endpoint = "POST /contacts/"
        var body = try ContactFields.checked(fields, allowed: ContactFields.create, endpoint: endpoint, valueKey: configuration.customFieldValueKey)
        body["locationId"] = .string(locationId)
        let answer = try await call(request(.post, "/contacts/", endpoint: endpoint, body: .object(body)))
        return try answer.model(Contact.self, try answer.object("contact"), at: "contact")
    }

    /// `PUT /contacts/{contactId}` (`{succeded, contact}`). `tags` here replaces the whole set.
    public func updateContact(_ id: String, _ fields: JSONObject) async throws(APIError) -> Contact {
        let endpoint = "PUT /contacts/{contactId}"
        let body = try ContactFields.checked(fields, allowed: ContactFields.update, endpoint: endpoint, valueKey: configuration.customFieldValueKey)
        let answer = try await call(request(.put, Request.path("contacts", id), endpoint: endpoint, body: .object(body)))
        return try answer.model(Contact.self, try answer.object("contact"), at: "contact")
    }

    /// `DELETE /contacts/{contactId}` (`{succeded}`).
    public func deleteContact(_ id: String) async throws(APIError) -> Bool {
        try await call(request(.delete, Request.path("contacts", id), endpoint: "DELETE /contacts/{contactId}"))
            .flag("succeded", "succeeded")
    }

    /// `POST /contacts/upsert`: creates or updates by the location's duplicate rules; `isNew` says which.
    public func upsertContact(_ fields: JSONObject) async throws(APIError) -> (contact: Contact, isNew: Bool) {
        let endpoint = "POST /contacts/upsert"
        var body = try ContactFields.checked(fields, allowed: ContactFields.upsert, endpoint: endpoint, valueKey: configuration.customFieldValueKey)
        body["locationId"] = .string(locationId)
        let answer = try await call(request(.post, "/contacts/upsert", endpoint: endpoint, body: .object(body)))
        let contact = try answer.model(Contact.self, try answer.object("contact"), at: "contact")
        return (contact, try answer.flag("new"))
    }

    /// `POST /contacts/{contactId}/tags` (201 `{tags}`): the contact's tags afterwards.
    public func addTags(_ tags: [String], to id: String) async throws(APIError) -> [String] {
        try await call(request(
            .post, Request.path("contacts", id, "tags"), endpoint: "POST /contacts/{contactId}/tags",
            body: ["tags": .array(tags.map { .string($0) })], isIdempotent: true)).strings("tags")
    }

    /// `DELETE /contacts/{contactId}/tags`, the tags in the body: the contact's tags afterwards.
    public func removeTags(_ tags: [String], from id: String) async throws(APIError) -> [String] {
        try await call(request(
            .delete, Request.path("contacts", id, "tags"), endpoint: "DELETE /contacts/{contactId}/tags",
            body: ["tags": .array(tags.map { .string($0) })])).strings("tags")
    }

    /// `GET /contacts/business/{businessId}`, every page (offset paging, 100 a page).
    public func contacts(ofBusiness businessId: String) async throws(APIError) -> [Contact] {
        var all: [Contact] = []
        let limit = 100
        while true {
            let answer = try await call(request(
                .get, Request.path("contacts", "business", businessId), endpoint: "GET /contacts/business/{businessId}",
                query: [.init("locationId", locationId), .init("limit", String(limit)), .init("skip", String(all.count))]))
            let page = try answer.models(Contact.self, "contacts")
            all += page
            let total = answer.json["count"]?.numberValue ?? answer.json["total"]?.numberValue
            if page.count < limit || total.map({ Double(all.count) >= $0 }) == true { return all }
        }
    }
}

/// The members each contact write accepts (`contacts:CreateContactDto`, `UpdateContactDto`,
/// `UpsertContactDto`). GHL answers 422 "property X should not exist" for any other member, so such a
/// body is refused here, before a request is spent on it.
public enum ContactFields {
    static let common: Set<String> = [
        "firstName", "lastName", "name", "email", "phone", "address1", "city", "state", "postalCode", "website",
        "timezone", "dnd", "dndSettings", "inboundDndSettings", "tags", "customFields", "source", "dateOfBirth",
        "country", "assignedTo",
    ]
    public static let create: Set<String> = common.union(["locationId", "gender", "companyName"])
    /// The members `UpdateContactDto` declares nullable: `null` clears them. Any other member is
    /// cleared with an empty string (`postalCode`, `country`).
    public static let nullable: Set<String> = [
        "firstName", "lastName", "name", "email", "phone", "address1", "city", "state", "website", "timezone",
        "source", "dateOfBirth", "assignedTo",
    ]
    public static let update: Set<String> = common
    public static let upsert: Set<String> = create.union(["createNewIfDuplicateAllowed"])

    /// `fields` checked against `allowed`, with custom field values under the configured key.
    static func checked(
        _ fields: JSONObject, allowed: Set<String>, endpoint: String, valueKey: GHLClient.CustomFieldValueKey
    ) throws(APIError) -> JSONObject {
        let unknown = fields.keys.filter { !allowed.contains($0) }
        guard unknown.isEmpty else {
            throw APIError(
                .rejected, service: "GHL", endpoint: endpoint,
                message: "not sent: GHL does not accept " + unknown.map { "`\($0)`" }.joined(separator: ", ") + " here",
                attempts: 0)
        }
        guard let items = fields["customFields"]?.arrayValue else { return fields }
        var body = fields
        body["customFields"] = .array(items.map { item in
            guard var object = item.objectValue else { return item }
            for key in ["value", "field_value", "fieldValue"] where key != valueKey.rawValue {
                if let value = object.removeValue(forKey: key) { object[valueKey.rawValue] = value }
            }
            return .object(object)
        })
        return body
    }
}
