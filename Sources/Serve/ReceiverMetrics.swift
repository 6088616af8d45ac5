import CoreMetrics
import StateStore

/// `espo_ghl_sync_webhooks_received_total{source, outcome}`: webhook events by sender and outcome. A
/// request refused before its events could be read (a bad signature) counts once.
public struct ReceiverMetrics: Sendable {
    /// What became of an event.
    public enum Outcome: String, Sendable, CaseIterable {
        /// Stored in the inbox.
        case accepted
        /// Already in the inbox (a replayed or repeated delivery): acknowledged, not stored again.
        case duplicate
        /// Bad or missing signature, or a signed body that is not the documented shape.
        case rejected
        /// A GHL `timestamp` more than 5 minutes from now.
        case stale
        /// The inbox was full or the state file locked: 429 to GHL, 503 to EspoCRM.
        case busy
        /// Signed, but nothing for the sync (another location, an event type it does not use).
        case ignored
    }

    public static let label = "espo_ghl_sync_webhooks_received_total"

    private let counters: [String: Counter]

    /// The counters, made with `factory` (the Prometheus registry of `serve`).
    public init(factory: any MetricsFactory) {
        var counters: [String: Counter] = [:]
        for source in [InboxEvent.Source.ghl, .espo] {
            for outcome in Outcome.allCases {
                counters[Self.key(source, outcome)] = Counter(
                    label: Self.label, dimensions: [("source", source.rawValue), ("outcome", outcome.rawValue)], factory: factory)
            }
        }
        self.counters = counters
    }

    func count(_ source: InboxEvent.Source, _ outcome: Outcome, by amount: Int = 1) {
        guard amount > 0 else { return }
        counters[Self.key(source, outcome)]?.increment(by: amount)
    }

    private static func key(_ source: InboxEvent.Source, _ outcome: Outcome) -> String { "\(source.rawValue)/\(outcome.rawValue)" }
}
