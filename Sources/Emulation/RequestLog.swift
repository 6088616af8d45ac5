import SyncCore

/// Every request an emulator answered: counts per endpoint, writes, and the faults injected.
public actor RequestLog {
    /// One answered request.
    public struct Entry: Sendable {
        public var method: String
        public var endpoint: String
        public var isWrite: Bool
        public var status: Int
        public var fault: Fault
    }

    public private(set) var entries: [Entry] = []
    private var watcher: (@Sendable (Entry) -> Void)?

    public init() {}

    func append(_ entry: Entry) {
        entries.append(entry)
        watcher?(entry)
    }

    /// Calls `watcher` with every entry appended from now on (nil: no one), in the order they are logged:
    /// `emulate` prints a line per injected fault with it.
    public func watch(_ watcher: (@Sendable (Entry) -> Void)?) { self.watcher = watcher }

    /// Faults injected, by kind.
    public var faultCounts: [Fault: Int] {
        entries.reduce(into: [:]) { if $1.fault != .none { $0[$1.fault, default: 0] += 1 } }
    }

    /// Forgets every entry.
    public func reset() { entries.removeAll() }

    /// Requests per endpoint (`GET /contacts/{contactId}` → 3).
    public var countsByEndpoint: [String: Int] {
        entries.reduce(into: [:]) { $0[$1.endpoint, default: 0] += 1 }
    }

    /// Requests that change data, whatever their answer.
    public var writes: Int { entries.count { $0.isWrite } }

    /// Requests answered 429.
    public var throttled: Int { entries.count { $0.status == 429 } }

    /// A summary for `GET /__emulator/log`.
    public var summary: JSON {
        var byEndpoint: JSONObject = [:]
        for (endpoint, count) in countsByEndpoint.sorted(by: { $0.key < $1.key }) {
            byEndpoint[endpoint] = .number(Double(count))
        }
        var faults: JSONObject = [:]
        for (fault, count) in faultCounts { faults[fault.rawValue] = .number(Double(count)) }
        return .object([
            "requests": .number(Double(entries.count)), "writes": .number(Double(writes)),
            "throttled": .number(Double(throttled)), "byEndpoint": .object(byEndpoint), "faults": .object(faults),
        ])
    }
}
