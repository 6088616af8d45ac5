import SyncCore
import Transport

/// Keeps one location's (or company's) OAuth tokens: hands out a valid access token, refreshes it
/// before it expires and once after a 401, one refresh at a time, and stores every rotated pair,
/// sealed, in the vault *before* the new access token is used — a refresh token is single-use, so a
/// pair that was not stored would lock the location out after a crash.
public actor TokenKeeper: Credentials {
    /// Where fresh tokens come from.
    public enum Source: Sendable {
        /// The pair's own refresh token, through the app's token endpoint.
        case refreshToken(OAuthSession)
        /// A location token minted from a company keeper's access token (`/oauth/locationToken`).
        case company(TokenKeeper, companyId: String, locationId: String, session: OAuthSession)
    }

    /// The vault slot, e.g. `ghl.location.<id>`.
    public nonisolated let name: String
    private let vault: any TokenVault
    private let sealer: TokenSealer
    private let source: Source
    /// Refresh when less than this is left (milliseconds).
    private let margin: Int64
    private let now: @Sendable () -> Int64
    private var current: TokenPair?
    private var refreshing: Task<TokenPair, any Error>?
    /// Refreshes done by this keeper.
    public private(set) var refreshes = 0
    /// Called after a rotated pair is stored and before it is used (the crash probe stops there).
    private let afterStore: (@Sendable (TokenPair) async -> Void)?

    public init(
        name: String, vault: any TokenVault, sealer: TokenSealer, source: Source, refreshMargin: Duration = .seconds(300),
        now: @escaping @Sendable () -> Int64 = OAuthSession.systemMilliseconds,
        afterStore: (@Sendable (TokenPair) async -> Void)? = nil
    ) {
        self.name = name
        self.vault = vault
        self.sealer = sealer
        self.source = source
        self.margin = refreshMargin.components.seconds * 1000
        self.now = now
        self.afterStore = afterStore
    }

    /// The slot name of a location's tokens.
    public static func slot(location: String) -> String { "ghl.location.\(location)" }
    /// The slot name of a company's tokens.
    public static func slot(company: String) -> String { "ghl.company.\(company)" }

    /// Stores a pair obtained outside the keeper (the code exchange at install time).
    public func install(_ pair: TokenPair) throws(APIError) {
        try store(pair)
        current = pair
    }

    /// The pair in use, loading it from the vault the first time.
    public func pair() throws(APIError) -> TokenPair? {
        if current == nil { current = try load() }
        return current
    }

    public func headers(for request: Request) async throws(APIError) -> [(name: String, value: String)] {
        [(name: "Authorization", value: "Bearer \(try await validAccessToken())")]
    }

    /// After a 401: refresh, unless the refused request carried an older token than the one now
    /// held (another request refreshed meanwhile); then it is simply sent again.
    public func renew(after response: Response, sent: [(name: String, value: String)]) async throws(APIError) -> Bool {
        if let refreshing {
            _ = try await join(refreshing)
            return true
        }
        let used = sent.first { $0.name.lowercased() == "authorization" }?.value.split(separator: " ").last.map(String.init)
        if let used, let current = try pair(), current.accessToken != used { return true }
        _ = try await refresh()
        return true
    }

    /// After a 401 whose request is unknown: refresh.
    public func renew(after response: Response) async throws(APIError) -> Bool {
        try await renew(after: response, sent: [])
    }

    /// An access token with more than the margin left, refreshing first when needed.
    public func validAccessToken() async throws(APIError) -> String {
        if let refreshing { return try await join(refreshing).accessToken }
        guard let pair = try pair() else {
            if case .company = source { return try await refresh().accessToken }
            throw failure("no token is stored for \(name); install the app again (consent) to get one")
        }
        if pair.expiresAt - now() > margin { return pair.accessToken }
        return try await refresh().accessToken
    }

    /// Refreshes once, however many callers ask at the same time.
    private func refresh() async throws(APIError) -> TokenPair {
        if let refreshing { return try await join(refreshing) }
        let task = Task { try await self.performRefresh() }
        refreshing = task
        defer { refreshing = nil }
        return try await join(task)
    }

    private func performRefresh() async throws -> TokenPair {
        let fresh: TokenPair
        switch source {
        case .refreshToken(let session):
            guard let old = try pair(), let refreshToken = old.refreshToken else {
                throw failure("no refresh token is stored for \(name); install the app again (consent)")
            }
            var pair = try await session.refresh(refreshToken, userType: old.userType)
            pair.locationId = pair.locationId ?? old.locationId
            pair.companyId = pair.companyId ?? old.companyId
            fresh = pair
        case .company(let company, let companyId, let locationId, let session):
            fresh = try await mint(from: company, companyId: companyId, locationId: locationId, session: session)
        }
        try store(fresh)
        current = fresh
        refreshes += 1
        if let afterStore { await afterStore(fresh) }
        return fresh
    }

    /// A location token from the company keeper's access token; a refused company token is renewed once.
    private func mint(from company: TokenKeeper, companyId: String, locationId: String, session: OAuthSession) async throws(APIError) -> TokenPair {
        let companyToken = try await company.validAccessToken()
        var refusal: APIError
        do {
            return try await session.locationToken(companyAccessToken: companyToken, companyId: companyId, locationId: locationId)
        } catch {
            refusal = error
        }
        guard refusal.status == 401 else { throw refusal }
        let sent = [(name: "Authorization", value: "Bearer " + companyToken)]
        _ = try await company.renew(after: refusal.response ?? Response(status: 401), sent: sent)
        let renewed = try await company.validAccessToken()
        return try await session.locationToken(companyAccessToken: renewed, companyId: companyId, locationId: locationId)
    }

    private func join(_ task: Task<TokenPair, any Error>) async throws(APIError) -> TokenPair {
        do { return try await task.value } catch let error as APIError { throw error } catch {
            throw failure("\(error)")
        }
    }

    private func store(_ pair: TokenPair) throws(APIError) {
        do {
            try vault.saveToken(try sealer.seal(pair, name: name), name: name, keyId: sealer.keyId)
        } catch {
            throw failure("the new token pair could not be stored, so it was not used: \(error)")
        }
    }

    private func load() throws(APIError) -> TokenPair? {
        do {
            guard let sealed = try vault.token(name: name) else { return nil }
            return try sealer.open(sealed, name: name, sealedBy: try vault.tokenKeyId(name: name))
        } catch {
            throw failure("\(error)")
        }
    }

    private func failure(_ message: String) -> APIError {
        APIError(.unauthorized, service: "GHL", endpoint: "POST /oauth/token", message: message, attempts: 0)
    }
}
