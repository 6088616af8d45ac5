/// One attempt of a call as a transport's observer hears it, the moment its answer (or its absence)
/// arrives: every retry, 401 renewal and 429 wait is an attempt of its own.
public struct CallEvent: Sendable, Equatable {
    /// The transport's `contractName`: `ghl` or `espo`.
    public var service: String
    /// The endpoint's name, e.g. `GET /contacts/{contactId}`.
    public var endpoint: String
    /// The HTTP status answered; nil when no answer came (refused, timed out, dropped connection).
    public var status: Int?

    public init(service: String, endpoint: String, status: Int?) {
        self.service = service
        self.endpoint = endpoint
        self.status = status
    }
}

/// Hears every attempt of a transport (see `APITransport.observeCalls(_:)`); it must return quickly.
public typealias CallObserver = @Sendable (CallEvent) -> Void
