import CoreMetrics
import Engine
import Foundation
import StateStore

/// The sync's health as swift-metrics counters and gauges, made by the factory it is given (never the
/// global `MetricsSystem`): runs and their outcome, operations, API calls, and what the state file
/// says (pending conflicts and failures, the inbox backlog, each entity's last success).
///
/// Counters count what this process saw; the gauges read from the state file are as fresh as the
/// last `refresh(store:at:)`. Every name is in `MetricName`.
public struct SyncMetrics: Sendable {
    public let factory: any MetricsFactory
    private let lastRun: Gauge
    private let conflictsPending: Gauge
    private let failedOperationsPending: Gauge
    private let failedOperationsPendingRuns: Gauge
    private let inboxDepth: Gauge
    private let inboxOldestAge: Gauge

    /// Metrics made by `factory`. The API call series of both services start at 0, so a ratio of them
    /// exists before the first 429.
    public init(factory: any MetricsFactory) {
        self.factory = factory
        lastRun = Gauge(label: MetricName.lastRun, factory: factory)
        conflictsPending = Gauge(label: MetricName.conflictsPending, factory: factory)
        failedOperationsPending = Gauge(label: MetricName.failedOperationsPending, factory: factory)
        failedOperationsPendingRuns = Gauge(label: MetricName.failedOperationsPendingRuns, factory: factory)
        inboxDepth = Gauge(label: MetricName.inboxDepth, factory: factory)
        inboxOldestAge = Gauge(label: MetricName.inboxOldestAge, factory: factory)
        for service in ["ghl", "espo"] {
            for status in StatusClass.all { _ = apiCallCounter(service: service, statusClass: status) }
            _ = throttledCounter(service: service)
        }
    }

    // MARK: Runs

    /// Counts a run that returned `summary` (`mode` defaults to the summary's: `sync`, `plan`; `serve`
    /// passes its own) and its operations, records in `store` that each entity with no failure and no
    /// unreadable row synced at `date` (a finished, uninterrupted `sync` only), then refreshes the
    /// gauges from `store`.
    public func record(
        _ summary: RunSummary, store: StateStore, at date: Date = Date(), mode: String? = nil
    ) throws(StateStoreError) {
        let mode = mode ?? summary.mode.rawValue
        Counter(label: MetricName.runs, dimensions: [("mode", mode), ("outcome", RunOutcome(summary).rawValue)], factory: factory)
            .increment()
        for (key, count) in OperationTally(summary).counts {
            Counter(
                label: MetricName.operations,
                dimensions: [("entity", key.entity), ("action", key.action), ("outcome", key.outcome)], factory: factory
            ).increment(by: count)
        }
        lastRun.record(date.timeIntervalSince1970)
        // Only a batch run says an entity is in agreement; a `serve` pass looked at a few records.
        if mode == RunSummary.Mode.sync.rawValue, !summary.interrupted {
            let synced = summary.entities.filter { $0.failures.isEmpty && $0.unreadable.isEmpty && $0.plan.massDeleteGuard == nil }
            try store.recordSuccess(of: synced.map(\.plan.entity), at: date)
        }
        try refresh(store: store, at: date)
    }

    /// Counts a run of `mode` that threw `error` before it finished: `outcome="aborted"` for the
    /// mass-delete guard, else `"failed"`.
    public func recordFailure(mode: String, error: any Error, at date: Date = Date()) {
        Counter(label: MetricName.runs, dimensions: [("mode", mode), ("outcome", RunOutcome(error: error).rawValue)], factory: factory)
            .increment()
        lastRun.record(date.timeIntervalSince1970)
    }

    // MARK: The state file

    /// Sets the gauges from `store`: conflicts and failed operations pending, the failure streak, the
    /// inbox depth and its oldest event's age at `now` (0 when empty), each entity's last success.
    public func refresh(store: StateStore, at now: Date = Date()) throws(StateStoreError) {
        let health = try store.health()
        conflictsPending.record(health.openConflicts)
        failedOperationsPending.record(health.pendingFailures)
        failedOperationsPendingRuns.record(health.runsWithFailures)
        inboxDepth.record(health.inboxDepth)
        inboxOldestAge.record(health.oldestInboxEvent.map { max(0, now.timeIntervalSince($0)) } ?? 0)
        for (entity, date) in health.lastSuccess {
            Gauge(label: MetricName.lastSuccess, dimensions: [("entity", entity)], factory: factory)
                .record(date.timeIntervalSince1970)
        }
    }

    // MARK: API calls

    /// Counts one API call attempt of `service` (`ghl`, `espo`) as its answer arrives: `status` nil
    /// when none came. A 429 also counts as throttled.
    public func apiCall(service: String, status: Int?) {
        apiCallCounter(service: service, statusClass: StatusClass.of(status)).increment()
        if status == 429 { throttledCounter(service: service).increment() }
    }

    private func apiCallCounter(service: String, statusClass: String) -> Counter {
        Counter(label: MetricName.apiCalls, dimensions: [("service", service), ("status_class", statusClass)], factory: factory)
    }

    private func throttledCounter(service: String) -> Counter {
        Counter(label: MetricName.apiThrottled, dimensions: [("service", service)], factory: factory)
    }
}
