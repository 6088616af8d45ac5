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
/// commits, and the run ends as interrupted.
public final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    public func stop() { flag.store(true, ordering: .relaxed) }

    public var isSet: Bool { flag.load(ordering: .relaxed) }
}
