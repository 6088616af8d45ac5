import Transport
import SyncCore

/// What a token grants.
struct Grant: Sendable {
    /// `Location` or `Company`.
    var userType: String
    var locationId: String?
    var companyId: String?
    /// Milliseconds since 1970; nil for Private Integration Tokens, which do not expire.
    var expiresAt: Int64?
    var approvedLocations: [String] = []
    var clientId: String?
    /// The scopes the token carries (an app's, or those chosen when a PIT was created).
    var scopes: [String] = GHLEmulator.defaultScopes
}

/// Tokens the emulator issued: access tokens and PITs, single-use refresh tokens, install codes.
struct TokenBook: Sendable {
    var apps: [String: String] = [:]
    /// The scopes each app asks for, by client id.
    var appScopes: [String: [String]] = [:]
    var access: [String: Grant] = [:]
    var refresh: [String: Grant] = [:]
    var usedRefresh: Set<String> = []
    var codes: [String: Grant] = [:]
    var grantCounts: [String: Int] = [:]
}

/// A sliding window of request times for one location (or company), and its day's count.
struct RequestWindow: Sendable {
    let limit: RateLimit
    private var starts: [ContinuousClock.Instant] = []
    private var head = 0
    private(set) var usedToday = 0

    init(_ limit: RateLimit) { self.limit = limit }

    private var interval: Duration { limit.interval }

    /// Counts a request at `now` if the window and the day allow it; false means 429.
    mutating func admit(at now: ContinuousClock.Instant) -> Bool {
        prune(now)
        guard starts.count - head < limit.requests, usedToday < (limit.daily ?? .max) else { return false }
        starts.append(now)
        usedToday += 1
        return true
    }

    /// The `X-RateLimit-*` headers as of `now`.
    mutating func headers(at now: ContinuousClock.Instant) -> [(name: String, value: String)] {
        prune(now)
        let ms = interval.components.seconds * 1000 + interval.components.attoseconds / 1_000_000_000_000_000
        var headers: [(name: String, value: String)] = [
            ("X-RateLimit-Max", String(limit.requests)),
            ("X-RateLimit-Remaining", String(max(0, limit.requests - (starts.count - head)))),
            ("X-RateLimit-Interval-Milliseconds", String(ms)),
        ]
        if let daily = limit.daily {
            headers.append(("X-RateLimit-Limit-Daily", String(daily)))
            headers.append(("X-RateLimit-Daily-Remaining", String(max(0, daily - usedToday))))
        }
        return headers
    }

    private mutating func prune(_ now: ContinuousClock.Instant) {
        while head < starts.count, starts[head] + interval <= now { head += 1 }
        if head > 512 { starts.removeFirst(head); head = 0 }
    }
}
