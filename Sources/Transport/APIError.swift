/// A call that did not succeed, with what a person needs to act on it. Never carries a credential.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// No connection could be made; nothing was sent.
        case unreachable
        /// A write was sent but its answer was lost (timeout, dropped connection, server error):
        /// it may or may not have been applied. Look the record up before writing it again.
        case outcomeUnknown
        /// Credentials missing, wrong or expired, even after one refresh.
        case unauthorized
        /// The credentials lack a permission (or, for GHL, access to the location).
        case forbidden
        case notFound
        /// 409: a duplicate, a version conflict or a locked record; see `reason` and `response`.
        case conflict
        /// Any other 4xx: the request itself is wrong.
        case rejected
        /// Still throttled after waiting out every window the retry policy allows.
        case rateLimited
        /// The daily request quota is spent; stop calling until it resets.
        case dailyQuotaExhausted
        /// 5xx, timeouts or dropped connections on a request that could be repeated, after every retry.
        case serverFailed
        /// The answer did not have the shape the spec promises.
        case invalidResponse
        /// The run was cancelled before the call finished.
        case cancelled
    }

    public var kind: Kind
    /// Which API: `GHL` or `EspoCRM`.
    public var service: String
    /// The endpoint as the spec names it, e.g. `PUT /contacts/{contactId}`.
    public var endpoint: String
    public var status: Int?
    /// The API's message (GHL `message`, EspoCRM `X-Status-Reason`), or what went wrong locally.
    public var message: String
    /// GHL's `traceId`, for support tickets.
    public var traceId: String?
    /// How many times the request was sent.
    public var attempts: Int
    /// The failed answer, where one arrived (a 409's body lists the duplicates, for example).
    public var response: Response?

    public init(
        _ kind: Kind, service: String, endpoint: String, status: Int? = nil, message: String,
        traceId: String? = nil, attempts: Int = 1, response: Response? = nil
    ) {
        self.kind = kind
        self.service = service
        self.endpoint = endpoint
        self.status = status
        self.message = message
        self.traceId = traceId
        self.attempts = attempts
        self.response = response
    }

    /// Whether retrying the same call later (next run) may succeed.
    public var isTransient: Bool {
        switch kind {
        case .unreachable, .rateLimited, .dailyQuotaExhausted, .serverFailed, .cancelled, .outcomeUnknown: true
        default: false
        }
    }

    public var description: String {
        var text = "\(service) \(endpoint)"
        if let status { text += " → \(status)" }
        text += ": \(message)"
        if let traceId { text += " (traceId \(traceId))" }
        if attempts > 1 { text += " after \(attempts) attempts" }
        return text
    }
}
