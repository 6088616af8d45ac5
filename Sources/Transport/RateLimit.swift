/// Request-rate and concurrency limits for one API account (a GHL location, an EspoCRM site).
public struct RateLimit: Sendable, Equatable {
    /// Requests allowed in any window of `interval`.
    public var requests: Int
    public var interval: Duration
    /// Requests allowed per day, where the API counts them.
    public var daily: Int?
    /// Requests in flight at once.
    public var concurrency: Int

    public init(requests: Int, interval: Duration, daily: Int? = nil, concurrency: Int) {
        self.requests = max(1, requests)
        self.interval = interval
        self.daily = daily
        self.concurrency = max(1, concurrency)
    }

    /// GHL's documented limit: 100 requests per 10 s and 200 000 per day, per location.
    public static let ghl = RateLimit(requests: 100, interval: .seconds(10), daily: 200_000, concurrency: 8)

    /// EspoCRM has no server-side limit; this is gentle enough for a small PHP server.
    public static let espo = RateLimit(requests: 20, interval: .seconds(1), concurrency: 4)
}

/// What a server said about its limits in an answer's headers (GHL's `X-RateLimit-*`).
public struct Quota: Sendable, Equatable {
    /// Requests allowed per window.
    public var max: Int?
    /// Requests left in the current window.
    public var remaining: Int?
    public var interval: Duration?
    public var dailyRemaining: Int?
    /// How long to wait before retrying, when the server said (a `Retry-After`).
    public var retryAfter: Duration?

    public init(
        max: Int? = nil, remaining: Int? = nil, interval: Duration? = nil, dailyRemaining: Int? = nil,
        retryAfter: Duration? = nil
    ) {
        self.max = max
        self.remaining = remaining
        self.interval = interval
        self.dailyRemaining = dailyRemaining
        self.retryAfter = retryAfter
    }
}

/// The sliding window behind `Pacer`: a pure value, driven by explicit instants so it can be tested
/// without waiting.
///
/// At most `requests` starts fall in any window of `interval`, plus a small margin so that requests
/// whose latencies differ still arrive at the server inside its limit. An answer's `Quota` narrows the
/// window: a lower `max` is adopted, and when the server has no request left while this window has
/// used less than half of it (another client shares the bucket), every start waits a whole window.
public struct RateWindow: Sendable {
    public private(set) var limit: Int
    public private(set) var interval: Duration
    /// Extra spacing added to the window, as a fraction of it.
    public var margin: Double
    private var starts: [Duration] = []
    private var head = 0
    private var heldUntil: Duration = .zero
    public private(set) var dailyRemaining: Int?

    public init(_ limit: RateLimit, margin: Double = 0.02) {
        self.limit = limit.requests
        self.interval = limit.interval
        self.margin = margin
        self.dailyRemaining = limit.daily
    }

    private var span: Duration { interval + interval * margin }

    /// Starts counted inside the window that ends at `now`.
    public mutating func count(at now: Duration) -> Int {
        prune(now)
        return starts.count - head
    }

    /// The earliest instant, not before `now`, at which another request may start.
    public mutating func nextStart(at now: Duration) -> Duration {
        prune(now)
        var earliest = max(now, heldUntil)
        let inWindow = starts.count - head
        if inWindow >= limit {
            earliest = max(earliest, starts[starts.count - limit] + span)
        }
        return earliest
    }

    /// Counts a request started at `now`.
    public mutating func recordStart(at now: Duration) {
        starts.append(now)
        if let remaining = dailyRemaining { dailyRemaining = remaining - 1 }
    }

    /// Moves the place of the request started at `start`, which just got its answer, to `now`: a
    /// server counts a request when it arrives, which may be well after the client started it (a new
    /// connection, a loaded machine), so a request keeps its place in the window until `interval` after
    /// its answer. A request that outlived the window gets its place back at `now`.
    public mutating func recordFinish(startedAt start: Duration, at now: Duration) {
        prune(now)
        var low = head, high = starts.count
        while low < high {
            let middle = (low + high) / 2
            if starts[middle] < start { low = middle + 1 } else { high = middle }
        }
        if low < starts.count, starts[low] == start {
            starts.remove(at: low)
        }
        starts.append(now)
    }

    /// Whether the day's quota is spent.
    public var isDailyQuotaSpent: Bool { (dailyRemaining ?? 1) <= 0 }

    /// Adopts what the server reported about its limits.
    public mutating func observe(_ quota: Quota, at now: Duration) {
        if let interval = quota.interval, interval > .zero, interval != self.interval { self.interval = interval }
        if let max = quota.max, max > 0, max < limit { limit = max }
        if let daily = quota.dailyRemaining { dailyRemaining = daily }
        // A server with nothing left while this window has used less than half of it is shared with
        // another client: wait a whole window. Near the limit, "0 left" is what running at full rate
        // looks like (the server counts on arrival, this window until the answer), and a smaller
        // `remaining` may describe a window this one has already moved past; neither is acted on.
        if let remaining = quota.remaining, remaining <= 0, count(at: now) < limit / 2 {
            hold(until: now + interval)
        }
    }

    /// Holds every start until `instant` (after a 429).
    public mutating func hold(until instant: Duration) {
        heldUntil = max(heldUntil, instant)
    }

    private mutating func prune(_ now: Duration) {
        while head < starts.count, starts[head] + span <= now { head += 1 }
        if head > 1024, head * 2 > starts.count {
            starts.removeFirst(head)
            head = 0
        }
    }
}
