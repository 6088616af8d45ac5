import Synchronization

/// Requests a transport has sent, by endpoint, with the answers that cost extra.
public struct CallCounts: Sendable, Equatable {
    /// Every request sent, retries and refreshes included.
    public var requests = 0
    public var byEndpoint: [String: Int] = [:]
    /// 429 answers received.
    public var throttled = 0
    /// Requests sent again after a failure (not counting 429 waits).
    public var retries = 0

    public init() {}
}

final class CallCounter: Sendable {
    private let state = Mutex(CallCounts())

    func sent(_ endpoint: String) {
        state.withLock {
            $0.requests += 1
            $0.byEndpoint[endpoint, default: 0] += 1
        }
    }

    func throttled() { state.withLock { $0.throttled += 1 } }
    func retried() { state.withLock { $0.retries += 1 } }
    var snapshot: CallCounts { state.withLock { $0 } }
}
