import CoreMetrics
import Prometheus

/// A Prometheus registry of its own, the factory that fills it and the text it renders: what
/// `GET /metrics` answers and `sync --metrics-file` writes. Each one is independent of every other
/// (and of `MetricsSystem`), so tests in one process do not share counts.
public struct Exposition: Sendable {
    public let registry: PrometheusCollectorRegistry

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    /// The swift-metrics factory whose counters and gauges land in `registry`.
    public var factory: any MetricsFactory { PrometheusMetricsFactory(registry: registry) }

    /// Every metric in the Prometheus text format (version 0.0.4), as swift-prometheus renders it.
    public func bytes() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }

    /// `bytes()` as text.
    public func text() -> String { String(decoding: bytes(), as: UTF8.self) }

    /// The content type of `bytes()`, for an HTTP answer.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
}
