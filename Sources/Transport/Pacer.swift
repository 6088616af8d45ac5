/// Paces the requests to one API account: a sliding request window, a concurrency cap, the server's
/// own rate-limit answers, and holds after a 429. Shared by every task that calls that account.
public actor Pacer {
    public let limit: RateLimit
    private var window: RateWindow
    private let clock = ContinuousClock()
    private let origin: ContinuousClock.Instant
    private var inFlight = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init(_ limit: RateLimit) {
        self.limit = limit
        self.window = RateWindow(limit)
        self.origin = clock.now
    }

    private var now: Duration { clock.now - origin }

    /// Waits for a free slot and a start the window allows, then counts the request as started.
    /// Throws `CancellationError` when the task is cancelled, `Pacer.DailyQuotaSpent` when the day's
    /// quota is gone. Hand the returned ticket back to `release(_:)` when the answer arrives.
    public func acquire() async throws -> Ticket {
        while true {
            try Task.checkCancellation()
            if window.isDailyQuotaSpent { throw DailyQuotaSpent() }
            if inFlight >= limit.concurrency {
                await withCheckedContinuation { waiters.append($0) }
                continue
            }
            let current = now
            let start = window.nextStart(at: current)
            if start <= current {
                window.recordStart(at: current)
                inFlight += 1
                return Ticket(start: current)
            }
            try await Task.sleep(for: start - current)
        }
    }

    /// A request's place in the window, from `acquire()` to `release(_:)`.
    public struct Ticket: Sendable {
        let start: Duration
    }

    /// Frees the slot taken by `acquire()`; the request's place in the window moves to now.
    public func release(_ ticket: Ticket) {
        inFlight -= 1
        window.recordFinish(startedAt: ticket.start, at: now)
        if !waiters.isEmpty { waiters.removeFirst().resume() }
    }

    /// Feeds back what an answer said about the server's limits.
    public func observe(_ quota: Quota) {
        window.observe(quota, at: now)
    }

    /// After a 429: holds every start for `duration` (the server's `Retry-After`, else one window).
    public func holdAfterThrottle(_ duration: Duration?) {
        window.hold(until: now + (duration ?? window.interval))
    }

    /// Requests started so far that count against the day, as far as this pacer knows.
    public var dailyRemaining: Int? { window.dailyRemaining }

    /// Thrown by `acquire()` when the daily quota is spent.
    public struct DailyQuotaSpent: Error {}
}
