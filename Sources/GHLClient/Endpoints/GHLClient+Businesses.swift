import SyncCore
import Transport

extension GHLClient {
    /// Every business of the location through `GET /businesses/` (offset paging with `limit` and
    /// `skip`), `BusinessPages.pageSize` a page. The answer carries no total, so the listing ends at
    /// the first page shorter than asked for. Businesses have no webhooks and no date filter: a run
    /// lists them all and compares `updatedAt` itself (FACTS §7.4).
    public func businesses() -> BusinessPages {
        BusinessPages(client: self)
    }

    /// `GET /businesses/{businessId}` (`{business}`).
    public func business(_ id: String) async throws(APIError) -> Business {
        let answer = try await call(request(.get, Request.path("businesses", id), endpoint: "GET /businesses/{businessId}"))
        return try answer.model(Business.self, try answer.object("business"), at: "business")
    }

    /// `POST /businesses/` (201 `{success, buiseness}`, sic). `fields` are the `CreateBusinessDto`
    /// members (`name` required); the location id is added. A lost answer is `outcomeUnknown`: list
    /// the businesses before creating again.
    public func createBusiness(_ fields: JSONObject) async throws(APIError) -> Business {
        let endpoint = "POST /businesses/"
        var body = try BusinessFields.checked(fields, allowed: BusinessFields.create, endpoint: endpoint)
        body["locationId"] = .string(locationId)
        return try await businessAnswer(request(.post, "/businesses/", endpoint: endpoint, body: .object(body)))
    }

    /// `PUT /businesses/{businessId}` (`{success, buiseness}`): changes only the members given.
    public func updateBusiness(_ id: String, _ fields: JSONObject) async throws(APIError) -> Business {
        let endpoint = "PUT /businesses/{businessId}"
        let body = try BusinessFields.checked(fields, allowed: BusinessFields.update, endpoint: endpoint)
        return try await businessAnswer(request(.put, Request.path("businesses", id), endpoint: endpoint, body: .object(body)))
    }

    /// `DELETE /businesses/{businessId}` (`{success}`). The contacts of the business stay.
    @discardableResult
    public func deleteBusiness(_ id: String) async throws(APIError) -> Bool {
        try await call(request(.delete, Request.path("businesses", id), endpoint: "DELETE /businesses/{businessId}"))
            .flag("success", "succeded", "succeeded")
    }

    /// `POST /contacts/bulk/business` (`{locationId, ids, businessId}` → `{success, ids}`): links the
    /// contacts to `businessId`, or detaches them from their business when it is nil. More than
    /// `maxContactsPerBusinessCall` ids are sent in several calls. Returns the ids GHL says it changed.
    @discardableResult
    public func setBusiness(_ businessId: String?, contacts ids: [String]) async throws(APIError) -> [String] {
        var changed: [String] = []
        var start = 0
        while start < ids.count {
            let batch = ids[start..<min(start + GHLClient.maxContactsPerBusinessCall, ids.count)]
            let body: JSONObject = [
                "locationId": .string(locationId), "ids": .array(batch.map { .string($0) }),
                "businessId": businessId.map { .string($0) } ?? .null,
            ]
            let answer = try await call(request(
                .post, "/contacts/bulk/business", endpoint: "POST /contacts/bulk/business", body: .object(body),
                isIdempotent: true))
            guard try answer.flag("success") else {
                throw answer.failure("success", "GHL answered false for \(batch.count) contact(s)")
            }
            changed += try answer.strings("ids")
            start += batch.count
        }
        return changed
    }

    /// Contact ids per `POST /contacts/bulk/business` call. Neither the spec nor the digest states a
    /// maximum (FACTS §6.3); 100 matches the page size of the contact and business listings.
    public static let maxContactsPerBusinessCall = 100

    private func businessAnswer(_ request: Request) async throws(APIError) -> Business {
        let answer = try await call(request)
        let key = answer.json["buiseness"] != nil ? "buiseness" : "business"
        return try answer.model(Business.self, try answer.object(key), at: key)
    }
}

/// Pages of businesses, fetched one at a time as the sequence is iterated.
public struct BusinessPages: AsyncSequence, Sendable {
    public typealias Element = [Business]
    public typealias Failure = APIError

    /// Rows per `GET /businesses/` page: the spec's default ("100"); it states no maximum.
    public static let pageSize = 100

    let client: GHLClient

    public func makeAsyncIterator() -> Iterator { Iterator(client: client) }

    /// Fetches the next page when asked.
    public struct Iterator: AsyncIteratorProtocol {
        public typealias Element = [Business]
        public typealias Failure = APIError

        let client: GHLClient
        private var skip = 0
        private var finished = false
        private var seen: Set<String> = []
        /// Requests sent by this listing.
        public private(set) var requests = 0

        init(client: GHLClient) { self.client = client }

        public mutating func next() async throws(APIError) -> [Business]? {
            while !finished {
                let limit = BusinessPages.pageSize
                let answer = try await client.call(client.request(
                    .get, "/businesses/", endpoint: "GET /businesses/",
                    query: [.init("locationId", client.locationId), .init("limit", String(limit)), .init("skip", String(skip))]))
                requests += 1
                let rows = try answer.models(Business.self, "businesses")
                skip += rows.count
                if rows.count < limit { finished = true }
                // A business created or deleted while we page shifts the offsets; never yield one twice.
                let page = rows.filter { seen.insert($0.id).inserted }
                if !page.isEmpty { return page }
            }
            return nil
        }
    }
}

/// The members each business write accepts (`businesses:CreateBusinessDto`, `UpdateBusinessDto`).
/// GHL answers 422 "property X should not exist" for any other member, so such a body is refused
/// here, before a request is spent on it.
public enum BusinessFields {
    public static let update: Set<String> = [
        "name", "phone", "email", "website", "address", "city", "state", "postalCode", "country", "description",
    ]
    public static let create: Set<String> = update.union(["locationId"])

    static func checked(_ fields: JSONObject, allowed: Set<String>, endpoint: String) throws(APIError) -> JSONObject {
        let unknown = fields.keys.filter { !allowed.contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw APIError(
                .rejected, service: "GHL", endpoint: endpoint,
                message: "not sent: GHL does not accept " + unknown.map { "`\($0)`" }.joined(separator: ", ") + " here",
                attempts: 0)
        }
        return fields
    }
}
