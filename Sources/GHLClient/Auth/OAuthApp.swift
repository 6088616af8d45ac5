import Foundation
import SyncCore
import Transport

/// A Marketplace app's OAuth settings: what the consent page and the token endpoint need.
public struct OAuthApp: Sendable, CustomStringConvertible {
    public var clientId: String
    public var clientSecret: String
    public var redirectURI: String
    /// Scopes asked for on the consent page, e.g. `contacts.readonly contacts.write`.
    public var scopes: [String]
    /// `Location` (a sub-account token, what the sync needs) or `Company` (an agency token).
    public var userType: String

    public init(clientId: String, clientSecret: String, redirectURI: String, scopes: [String] = OAuthApp.syncScopes, userType: String = "Location") {
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.redirectURI = redirectURI
        self.scopes = scopes
        self.userType = userType
    }

    /// The scopes the sync uses (FACTS §3).
    public static let syncScopes = [
        "contacts.readonly", "contacts.write", "locations/customFields.readonly", "calendars/events.readonly",
        "businesses.readonly", "businesses.write", "users.readonly",
    ]

    /// The page an admin opens to install the app and choose a location; it returns to `redirectURI` with `?code=`.
    public func consentURL(host: String = "https://marketplace.gohighlevel.com", state: String? = nil) -> String {
        var query: [Request.FormField] = [
            .init("response_type", "code"), .init("redirect_uri", redirectURI), .init("client_id", clientId),
            .init("scope", scopes.joined(separator: " ")),
        ]
        if let state { query.append(.init("state", state)) }
        return host + "/v2/oauth/chooselocation?" + query.map { $0.name + "=" + PercentEncoding.encode($0.value) }.joined(separator: "&")
    }

    public var description: String { "OAuthApp(\(clientId), secret <redacted>)" }
}

/// GHL's token endpoints: `POST /oauth/token` (code exchange, refresh) and `POST /oauth/locationToken`.
public struct OAuthSession: Sendable {
    public let app: OAuthApp
    let transport: APITransport
    let now: @Sendable () -> Int64

    public init(
        app: OAuthApp, baseURL: String = "https://services.leadconnectorhq.com", retry: RetryPolicy = .standard,
        exchanges: ExchangeLog? = nil, now: @escaping @Sendable () -> Int64 = OAuthSession.systemMilliseconds
    ) {
        self.app = app
        self.now = now
        self.transport = APITransport(
            service: "GHL", contractName: "ghl", baseURL: baseURL, credentials: nil,
            pacer: Pacer(RateLimit(requests: 10, interval: .seconds(1), concurrency: 2)), retry: retry,
            describe: GHLAnswers.describe, exchanges: exchanges)
    }

    /// Tells `observer` of every token request as its answer arrives (metrics); nil: no one.
    public func observeCalls(_ observer: CallObserver?) { transport.observeCalls(observer) }

    /// Milliseconds since 1970 UTC, from the system clock.
    public static let systemMilliseconds: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Exchanges the code the consent page returned for a token pair.
    public func exchange(code: String) async throws(APIError) -> TokenPair {
        try await token([
            .init("client_id", app.clientId), .init("client_secret", app.clientSecret),
            .init("grant_type", "authorization_code"), .init("code", code), .init("user_type", app.userType),
            .init("redirect_uri", app.redirectURI),
        ])
    }

    /// Trades `refreshToken` (single-use) for a new pair.
    public func refresh(_ refreshToken: String, userType: String?) async throws(APIError) -> TokenPair {
        try await token([
            .init("client_id", app.clientId), .init("client_secret", app.clientSecret),
            .init("grant_type", "refresh_token"), .init("refresh_token", refreshToken),
            .init("user_type", userType ?? app.userType),
        ])
    }

    /// A location token minted from a company (agency) access token; it has no refresh token.
    public func locationToken(companyAccessToken: String, companyId: String, locationId: String) async throws(APIError) -> TokenPair {
        let sent = now()
        let request = Request(
            .post, "/oauth/locationToken", endpoint: "POST /oauth/locationToken",
            headers: [(name: "Version", value: GHLVersion.standard), (name: "Authorization", value: "Bearer \(companyAccessToken)")],
            body: .form([.init("companyId", companyId), .init("locationId", locationId)]), isIdempotent: true)
        let answer = try await transport.json(request)
        guard var pair = TokenPair(answer: answer, now: sent) else {
            throw APIError(.invalidResponse, service: "GHL", endpoint: request.endpoint, message: "field `access_token`: missing")
        }
        pair.userType = pair.userType ?? "Location"
        pair.locationId = pair.locationId ?? locationId
        pair.companyId = companyId
        return pair
    }

    /// Calls the token endpoint. Sent again after a lost answer: if GHL did rotate the refresh token,
    /// a second try fails just as giving up would; if it did not, the second try saves the location.
    private func token(_ form: [Request.FormField]) async throws(APIError) -> TokenPair {
        let sent = now()
        let request = Request(.post, "/oauth/token", endpoint: "POST /oauth/token", body: .form(form), isIdempotent: true)
        let answer = try await transport.json(request)
        guard let pair = TokenPair(answer: answer, now: sent) else {
            throw APIError(.invalidResponse, service: "GHL", endpoint: request.endpoint, message: "field `access_token`: missing")
        }
        return pair
    }
}
