import Engine

/// How a run ended, the `outcome` label of `espo_ghl_sync_runs_total`; the same words as the
/// engine's run status in the state file.
public enum RunOutcome: String, Sendable, CaseIterable {
    /// Every operation applied, every listed row read.
    case ok
    /// Finished, but some operations failed (retried next run) or some listed rows could not be read.
    case partial
    /// SIGINT or SIGTERM stopped it before every operation was issued.
    case interrupted
    /// Stopped by an error before it finished (an unreachable API, a bad config, a busy state file).
    case failed
    /// The mass-delete guard refused the plan; nothing was written.
    case aborted

    /// The outcome of a run that returned `summary`.
    public init(_ summary: RunSummary) {
        if summary.stoppedBy != nil {
            self = .failed
        } else if summary.interrupted {
            self = .interrupted
        } else if summary.failureCount > 0 || summary.unreadableCount > 0 {
            self = .partial
        } else {
            self = .ok
        }
    }

    /// The outcome of a run that threw `error`.
    public init(error: any Error) {
        if case EngineError.massDeleteGuard = error { self = .aborted } else { self = .failed }
    }
}
