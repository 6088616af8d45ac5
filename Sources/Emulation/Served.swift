import SyncCore
import Transport

/// A request as an emulator sees it.
public struct ServedRequest: Sendable {
    public var method: String
    /// The path as received, still percent-encoded, without the query.
    public var path: String
    /// The raw query string, without `?`.
    public var rawQuery: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String, path: String, rawQuery: String = "", headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.rawQuery = rawQuery
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? { headers.value(of: name) }

    /// The path's segments, percent-decoded: `/contacts/a%2Bb` → `["contacts", "a+b"]`.
    public var segments: [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map { PercentEncoding.decode(String($0)) }
    }

    /// The query's pairs, decoded as the emulated server would; PHP and form decoding read `+` as a space.
    public func query(plusIsSpace: Bool) -> [Request.FormField] {
        PercentEncoding.decodeQuery(rawQuery, plusIsSpace: plusIsSpace)
    }

    /// The body parsed as JSON; an empty body is `null`.
    public func json() throws(JSONSyntaxError) -> JSON {
        if body.isEmpty { return .null }
        return try JSON(parsing: body)
    }

    /// The body decoded as `application/x-www-form-urlencoded`.
    public var form: [Request.FormField] {
        PercentEncoding.decodeQuery(String(decoding: body, as: UTF8.self), plusIsSpace: true)
    }
}

/// An emulator's answer: the same value a client receives.
public typealias ServedResponse = Response

extension Response {
    /// A JSON answer with `Content-Type: application/json`.
    public static func json(_ status: Int, _ body: JSON, headers: [(name: String, value: String)] = []) -> Response {
        Response(
            status: status, headers: headers + [(name: "Content-Type", value: "application/json; charset=utf-8")],
            body: body.serializedBytes())
    }
}

/// What the request log needs to know about a request: the endpoint as the spec names it, and
/// whether it changes data.
public struct Route: Sendable, Hashable {
    /// `GET /contacts/{contactId}`
    public var endpoint: String
    public var isWrite: Bool

    public init(_ endpoint: String, isWrite: Bool) {
        self.endpoint = endpoint
        self.isWrite = isWrite
    }
}

/// One emulated API. The server around it adds latency and faults, keeps the request log and records
/// exchanges for the contract checker.
public protocol EmulatedAPI: Sendable {
    /// The contract checker's name for the spec: `ghl` or `espo`.
    var contractName: String { get }
    /// The server's clock, which its `Date` header follows.
    var clock: ServerClock { get }
    /// What precedes the spec's paths on this server (EspoCRM: `/api/v1`); stripped when recording.
    var pathPrefix: String { get }
    /// The endpoint a request is for, or nil when no endpoint of the API matches.
    func route(_ request: ServedRequest) -> Route?
    /// Answers a request.
    func respond(to request: ServedRequest) async -> ServedResponse
    /// The answer to a request that an injected fault turns away with `status` (429, 5xx, or a 422
    /// after the write was applied), in the API's own error shape.
    func faultAnswer(status: Int, for request: ServedRequest) async -> ServedResponse
}

extension EmulatedAPI {
    public var pathPrefix: String { "" }

    public var clock: ServerClock { ServerClock() }

    public func faultAnswer(status: Int, for request: ServedRequest) async -> ServedResponse {
        ServedResponse(status: status)
    }
}
