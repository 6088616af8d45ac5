import Foundation
import SyncCore

/// One sync run as recorded.
public struct RunRecord: Sendable, Hashable {
    public var id: Int64
    /// What kind of run, as the engine named it ("sync", "dry-run", …).
    public var mode: String
    public var startedAt: Date
    /// Nil while running, or when the process died before finishing.
    public var finishedAt: Date?
    /// "running" until `finishRun` sets the engine's final status.
    public var status: String
    /// The engine's counts and notes, nil until finished.
    public var summary: JSON?

    public init(id: Int64, mode: String, startedAt: Date, finishedAt: Date?, status: String, summary: JSON?) {
        self.id = id
        self.mode = mode
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.status = status
        self.summary = summary
    }
}
