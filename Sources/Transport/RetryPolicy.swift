/// How often and how patiently a call is repeated.
public struct RetryPolicy: Sendable, Equatable {
    /// Sends of one request, counting the first, for 5xx answers, timeouts and lost connections.
    public var maxAttempts: Int
    /// Waits after 429 answers before the call gives up; they do not use up `maxAttempts`. Each wait
    /// lasts the server's window (10 s at GHL), so the default rides out a storm of about ten minutes:
    /// a nightly batch can afford to wait.
    public var maxThrottleWaits: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// How long one request may take, from sending to the last byte of its answer.
    public var timeout: Duration

    public init(
        maxAttempts: Int = 4, maxThrottleWaits: Int = 60, baseDelay: Duration = .milliseconds(250),
        maxDelay: Duration = .seconds(10), timeout: Duration = .seconds(30)
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.maxThrottleWaits = max(0, maxThrottleWaits)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.timeout = timeout
    }

    public static let standard = RetryPolicy()

    /// The wait after failed attempt `attempt` (1-based): exponential, capped, with jitter.
    /// `unit` is a random number in 0..<1; the wait lies between half and all of the exponential step.
    public func delay(afterAttempt attempt: Int, unit: Double) -> Duration {
        let exponent = min(max(attempt - 1, 0), 20)
        let step = min(baseDelay * (1 << exponent), maxDelay)
        return step * (0.5 + 0.5 * min(max(unit, 0), 1))
    }
}
