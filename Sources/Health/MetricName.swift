/// The names of every metric the sync exposes, in one place (README's table lists the same).
public enum MetricName {
    /// Counter `{mode, outcome}`: runs, by how they ended (`RunOutcome`).
    public static let runs = "espo_ghl_sync_runs_total"
    /// Counter `{entity, action, outcome}`: plan operations by what became of them (`OperationTally`).
    public static let operations = "espo_ghl_sync_operations_total"
    /// Gauge: when the last run ended, in seconds since 1970.
    public static let lastRun = "espo_ghl_sync_last_run_timestamp_seconds"
    /// Gauge `{entity}`: when the entity last synced with no failure and no unreadable row.
    public static let lastSuccess = "espo_ghl_sync_last_success_timestamp_seconds"
    /// Gauge: conflicts waiting for a person.
    public static let conflictsPending = "espo_ghl_sync_conflicts_pending"
    /// Gauge: failed (or possibly failed) operations that no later run has taken over.
    public static let failedOperationsPending = "espo_ghl_sync_failed_operations_pending"
    /// Gauge: finished sync runs in a row, newest first, that ended with failed operations.
    public static let failedOperationsPendingRuns = "espo_ghl_sync_failed_operations_pending_runs"
    /// Gauge: inbox events not applied yet.
    public static let inboxDepth = "espo_ghl_sync_inbox_depth"
    /// Gauge: seconds since the oldest unapplied inbox event was received (0 when none).
    public static let inboxOldestAge = "espo_ghl_sync_inbox_oldest_age_seconds"
    /// Counter `{service, status_class}`: API call attempts by the class of their answer.
    public static let apiCalls = "espo_ghl_sync_api_calls_total"
    /// Counter `{service}`: API answers with status 429.
    public static let apiThrottled = "espo_ghl_sync_api_throttled_total"
}
