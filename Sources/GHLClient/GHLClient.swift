import Synchronization
import SyncCore
import Transport

/// One GoHighLevel location (sub-account) as the sync sees it: typed endpoints over one paced,
/// retrying transport. Create one per location; each has its own rate-limit bucket, as GHL counts them.
public final class GHLClient: Sendable {
    public let configuration: Configuration
    public let transport: APITransport
    /// The `tasks/search` page size this location's server took last (see `maxTaskSearchLimit`).
    let taskSearchLimitState = Mutex(GHLClient.maxTaskSearchLimit)

    /// The location's id.
    public var locationId: String { configuration.locationId }

    /// Connects to `configuration.baseURL` with `credentials` (a `PrivateToken` or a `TokenKeeper`).
    public init(_ configuration: Configuration, credentials: any Credentials, exchanges: ExchangeLog? = nil) {
        self.configuration = configuration
        self.transport = APITransport(
            service: "GHL", contractName: "ghl", baseURL: configuration.baseURL, credentials: credentials,
            pacer: Pacer(configuration.limit), retry: configuration.retry, quota: GHLAnswers.quota,
            describe: GHLAnswers.describe, exchanges: exchanges)
    }

    /// The requests sent so far.
    public var counts: CallCounts { transport.counts }

    /// A request with the `Version` header its service requires.
    func request(
        _ method: HTTPMethod, _ path: String, endpoint: String, query: [Request.FormField] = [],
        body: JSON? = nil, version: String = GHLVersion.standard, isIdempotent: Bool? = nil
    ) -> Request {
        Request(
            method, path, endpoint: endpoint, query: query, headers: [(name: "Version", value: version)],
            body: body.map { .json($0) }, isIdempotent: isIdempotent)
    }

    /// Sends `request` and reads its JSON answer. GHL answers some unknown ids with a 400 whose
    /// message says "not found": those become `.notFound`, like a 404.
    func call(_ request: Request) async throws(APIError) -> AnswerReader {
        do {
            return AnswerReader(endpoint: request.endpoint, json: try await transport.json(request))
        } catch {
            var error = error
            if error.kind == .rejected, error.status == 400, error.message.lowercased().contains("not found") {
                error.kind = .notFound
            }
            if error.kind == .rejected, error.status == 400, let id = GHLAnswers.duplicateContactId(error.response) {
                error.kind = .conflict
                error.message += " (existing contact \(id))"
            }
            throw error
        }
    }
}

/// The `Version` header values of GHL API v2 (FACTS §1).
public enum GHLVersion {
    /// Contacts, businesses, custom fields, locations, OAuth location tokens.
    public static let standard = "2021-07-28"
    /// Calendars and appointments.
    public static let calendars = "2021-04-15"
}

extension GHLClient {
    /// Where and how to reach one location.
    public struct Configuration: Sendable {
        public var locationId: String
        /// Scheme and host, no trailing slash.
        public var baseURL: String
        public var limit: RateLimit
        public var retry: RetryPolicy
        /// Rows per `POST /contacts/search` page (GHL's maximum is 500).
        public var searchPageLimit: Int
        /// The key that carries a custom field's value on writes.
        public var customFieldValueKey: CustomFieldValueKey

        public init(
            locationId: String, baseURL: String = "https://services.leadconnectorhq.com",
            limit: RateLimit = .ghl, retry: RetryPolicy = .standard, searchPageLimit: Int = 500,
            customFieldValueKey: CustomFieldValueKey = .fieldValueSnakeCase
        ) {
            self.locationId = locationId
            self.baseURL = baseURL
            self.limit = limit
            self.retry = retry
            self.searchPageLimit = min(max(searchPageLimit, 1), 500)
            self.customFieldValueKey = customFieldValueKey
        }
    }

    /// The custom field value key on writes: the v2 spec says `field_value`, newer docs and observed
    /// servers take `fieldValue` (FACTS §7.2). Reads always carry `value`.
    public enum CustomFieldValueKey: String, Sendable {
        case fieldValueSnakeCase = "field_value"
        case fieldValueCamelCase = "fieldValue"
    }
}
