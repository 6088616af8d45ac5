import Foundation
import SyncCore

/// One event in `serve`'s durable inbox: a hint that a record of one object on one side changed (or
/// went), written before the receiver answers and applied later by the worker.
public struct InboxEvent: Sendable, Hashable {
    /// Who reported the event; it decides how long its dedupe key is kept.
    public enum Source: String, Sendable, Hashable, CaseIterable {
        /// A GHL webhook: its key (the webhookId) is kept after it is applied, until pruned, so a replay
        /// of the same delivery is ignored.
        case ghl
        /// An EspoCRM webhook: its key is released once applied, since EspoCRM has no delivery id and
        /// the same item may rightly come again later.
        case espo
        /// `serve`'s poll: its key is released once applied, like EspoCRM's.
        case poll
    }

    public var source: Source
    /// Unique among the rows that hold it; nil: never a duplicate.
    public var dedupeKey: String?
    /// The event's name as the sender gave it (`ContactUpdate`, `Contact.update`).
    public var event: String
    /// The API's name for the record's type on `side` (GHL `contact`, EspoCRM `Contact`).
    public var object: String
    public var side: Side
    public var recordId: String
    /// The record's parent on `side`, when the event names it.
    public var parentId: String?
    /// The event says the record was deleted.
    public var deleted: Bool

    public init(
        source: Source, dedupeKey: String?, event: String, object: String, side: Side, recordId: String,
        parentId: String? = nil, deleted: Bool = false
    ) {
        self.source = source
        self.dedupeKey = dedupeKey
        self.event = event
        self.object = object
        self.side = side
        self.recordId = recordId
        self.parentId = parentId
        self.deleted = deleted
    }
}

/// An inbox row not yet applied, as the worker reads it.
public struct InboxEntry: Sendable, Hashable {
    /// The row's id, in arrival order.
    public var id: Int64
    public var event: InboxEvent
    public var receivedAt: Date
    /// Failed attempts to apply it so far.
    public var attempts: Int
    /// Why the last attempt failed.
    public var lastError: String?
}

/// What `acceptInbox` did with one request's events.
public struct InboxAcceptance: Sendable, Hashable {
    /// Events stored.
    public var new: Int
    /// Events whose dedupe key a row already holds: acknowledged, not stored again.
    public var duplicates: Int
    /// The inbox already held its capacity of unapplied events: nothing was stored.
    public var full: Bool

    public init(new: Int, duplicates: Int, full: Bool) {
        self.new = new
        self.duplicates = duplicates
        self.full = full
    }
}

/// How much the inbox holds unapplied.
public struct InboxStatus: Sendable, Hashable {
    /// Unapplied events.
    public var depth: Int
    /// When the oldest unapplied event arrived; nil when there is none.
    public var oldest: Date?

    public init(depth: Int, oldest: Date?) {
        self.depth = depth
        self.oldest = oldest
    }
}
