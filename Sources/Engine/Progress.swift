import Synchronization
import SyncCore

/// What a run reports while it works, for the progress line on stderr.
public enum ProgressEvent: Sendable {
    /// Records listed so far on one side, and whether the listing is full.
    case fetched(entity: String, side: Side, count: Int, full: Bool)
    /// A plan is ready.
    case planned(entity: String, writes: Int)
    /// Operations applied or failed so far, of `total`.
    case applied(entity: String, done: Int, total: Int)
    /// Something a person should know that does not stop the run.
    case note(String)
}

/// Set by SIGINT or SIGTERM: the executor starts no further operation, finishes those in flight,
/// commits, and the run ends as interrupted. A run's own signal is also set by an answer that shows
/// every further call would fail (`stop(because:)`), and then carries the reason.
public final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)
    private let why = Mutex<String?>(nil)
    private let parent: StopSignal?

    /// A signal of its own; with `parent`, one that is also set whenever `parent` is, so that a run
    /// can stop itself without stopping the process that runs it (serve's worker).
    public init(parent: StopSignal? = nil) {
        self.parent = parent
    }

    public func stop() { flag.store(true, ordering: .relaxed) }

    /// Stops because of `reason` (a 401, a 403, the daily quota); the first reason is kept.
    public func stop(because reason: String) {
        why.withLock { if $0 == nil { $0 = reason } }
        flag.store(true, ordering: .relaxed)
    }

    public var isSet: Bool { flag.load(ordering: .relaxed) || parent?.isSet == true }

    /// Why `stop(because:)` stopped it; nil when a signal did, or nothing.
    public var reason: String? { why.withLock { $0 } }
}
