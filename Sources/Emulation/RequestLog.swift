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

    public init() {}

    func append(_ entry: Entry) { entries.append(entry) }

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
        for entry in entries where entry.fault != .none {
            faults[entry.fault.rawValue] = .number((faults[entry.fault.rawValue]?.numberValue ?? 0) + 1)
        }
        return .object([
            "requests": .number(Double(entries.count)), "writes": .number(Double(writes)),
            "throttled": .number(Double(throttled)), "byEndpoint": .object(byEndpoint), "faults": .object(faults),
        ])
    }
}
