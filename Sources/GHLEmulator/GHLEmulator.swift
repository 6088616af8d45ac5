import Emulation
import Foundation
import SyncCore
import Transport

/// A GoHighLevel API v2 emulator that follows the official spec (`../shared/reference/ghl/`): the
/// contact, task, note, appointment, custom-field and business endpoints the sync uses (with the
/// bulk business link), OAuth token endpoints,
/// the official response wrappers and status codes, Bearer and `Version` checks, 422s with a message
/// array for properties a DTO lacks, the `X-RateLimit-*` headers and 429s of a per-location sliding
/// window, `dateUpdated` bumped on every change, the allow-duplicates setting, and an optional
/// search-index lag. Serve it with `EmulatorServer` (faults, request log) or `GHLEmulator.start`.
public actor GHLEmulator: EmulatedAPI {
    /// How the emulated service behaves.
    public struct Settings: Sendable {
        /// Each location's limit: 100 requests / 10 s and 200 000 a day unless set per location.
        public var rateLimit: RateLimit
        /// Seconds an OAuth access token lives (GHL: 86 399).
        public var accessTokenLifetime: Int
        /// How long a change takes to show in `POST /contacts/search` (GHL's index lags a few seconds).
        public var searchLag: Duration
        /// Seeds ids and generated data.
        public var seed: UInt64
        /// The largest `limit` `POST /locations/{id}/tasks/search` takes (at most
        /// `GHLEmulator.maxTaskSearchLimit`); larger ones are answered 422 naming `limit`.
        public var taskSearchLimit: Int

        public init(
            rateLimit: RateLimit = .ghl, accessTokenLifetime: Int = 86_399, searchLag: Duration = .zero, seed: UInt64 = 1,
            taskSearchLimit: Int = GHLEmulator.maxTaskSearchLimit
        ) {
            self.rateLimit = rateLimit
            self.accessTokenLifetime = accessTokenLifetime
            self.searchLag = searchLag
            self.seed = seed
            self.taskSearchLimit = min(taskSearchLimit, GHLEmulator.maxTaskSearchLimit)
        }
    }

    public nonisolated let contractName = "ghl"
    /// The server's clock: its `Date` header and every `dateAdded`, `dateUpdated` and token expiry follow it.
    public nonisolated let clock = ServerClock()
    let settings: Settings
    /// Every write to a location's records leaves a `RecordChange` behind; `publishChanges` turns
    /// them into webhooks (or forgets them when none are configured).
    var locations: [String: LocationData] = [:] { didSet { publishChanges() } }
    /// Posts the webhooks; nil until `deliverWebhooks`.
    var webhookSender: GHLWebhookSender?
    var tokens = TokenBook()
    var windows: [String: RequestWindow] = [:]
    var random: SeededGenerator
    private var lastMilliseconds: Int64 = 0
    private var traceCounter = 0

    public init(settings: Settings = Settings()) {
        self.settings = settings
        self.random = SeededGenerator(seed: settings.seed)
    }

    // MARK: - Setup (in process, for tests and the CLI)

    /// Adds a location (sub-account); `allowDuplicates` is its "Allow Duplicate Contact" setting.
    public func addLocation(_ id: String, name: String? = nil, allowDuplicates: Bool = false, companyId: String? = nil) {
        var location = LocationData(id: id, name: name, allowDuplicates: allowDuplicates)
        location.companyId = companyId
        location.customFields = LocationData.defaultCustomFields(location: id)
        locations[id] = location
    }

    /// Changes a location's "Allow Duplicate Contact" setting.
    public func setAllowDuplicates(_ allow: Bool, location: String) { locations[location]?.allowDuplicates = allow }

    /// Gives a location its own request limit (GHL may allow some locations less).
    public func setRateLimit(_ limit: RateLimit, location: String) { windows[location] = RequestWindow(limit) }

    /// A Private Integration Token for `location`, limited to `scopes` as chosen when it is created.
    public func issuePrivateToken(location: String, scopes: [String] = GHLEmulator.defaultScopes) -> String {
        let token = "pit-" + newId(24)
        tokens.access[token] = Grant(
            userType: "Location", locationId: location, companyId: locations[location]?.companyId, expiresAt: nil, scopes: scopes)
        return token
    }

    /// Registers a Marketplace app asking for `scopes`: the tokens it gets carry them.
    public func registerApp(clientId: String, clientSecret: String, scopes: [String] = GHLEmulator.defaultScopes) {
        tokens.apps[clientId] = clientSecret
        tokens.appScopes[clientId] = scopes
    }

    /// The code the consent page would return after an admin installed `clientId` on `location`
    /// (or, with `company`, on an agency, approving `approvedLocations`).
    public func authorizationCode(clientId: String, location: String? = nil, company: String? = nil, approvedLocations: [String] = []) -> String {
        let code = "code-" + newId(16)
        let grant = Grant(
            userType: location == nil ? "Company" : "Location", locationId: location,
            companyId: company ?? location.flatMap { locations[$0]?.companyId }, expiresAt: nil,
            approvedLocations: approvedLocations, clientId: clientId,
            scopes: tokens.appScopes[clientId] ?? GHLEmulator.defaultScopes)
        tokens.codes[code] = grant
        return code
    }

    /// Expires every OAuth access token issued so far (their refresh tokens stay valid).
    public func expireAccessTokens() {
        for (token, grant) in tokens.access where grant.expiresAt != nil { tokens.access[token]?.expiresAt = 0 }
    }

    /// Refresh tokens that have been used (and so no longer work).
    public var usedRefreshTokens: Int { tokens.usedRefresh.count }

    /// Token endpoint calls that refreshed, by grant type.
    public var tokenGrants: [String: Int] { tokens.grantCounts }

    // MARK: - Inspection

    /// The number of contacts in `location`.
    public func contactCount(location: String) -> Int { locations[location]?.contacts.count ?? 0 }

    /// Every contact id of `location`.
    public func contactIds(location: String) -> [String] { locations[location].map { Array($0.contacts.keys) } ?? [] }

    /// A contact as `GET /contacts/{id}` would show it.
    public func contactJSON(_ id: String, location: String) -> JSON? {
        guard let contact = locations[location]?.contacts[id] else { return nil }
        return .object(contact.read(shape: .full))
    }

    // MARK: - Time and ids

    /// Milliseconds since 1970, strictly increasing, so every change has its own `dateUpdated`.
    func tick() -> Int64 {
        let now = Int64(clock.now.timeIntervalSince1970 * 1000)
        lastMilliseconds = max(now, lastMilliseconds + 1)
        return lastMilliseconds
    }

    func newId(_ length: Int = 20) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
    }

    func traceId() -> String {
        traceCounter += 1
        return "trace-\(traceCounter)-" + newId(8)
    }
}

extension GHLEmulator {
    /// Starts serving a new emulator on `host`:`port` (0 picks a free port).
    public static func start(
        settings: Settings = Settings(), locations: [String] = [], host: String = "127.0.0.1", port: Int = 0,
        faults: Faults = .none, exchanges: ExchangeLog? = nil
    ) async throws -> (emulator: GHLEmulator, server: EmulatorServer) {
        let emulator = GHLEmulator(settings: settings)
        for location in locations { await emulator.addLocation(location) }
        let server = try await EmulatorServer.start(emulator, host: host, port: port, faults: faults, exchanges: exchanges)
        return (emulator, server)
    }
}
