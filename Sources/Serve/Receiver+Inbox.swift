import StateStore
import Webhooks

extension InboxEvent {
    /// The inbox row of a verified event from `source`.
    public init(_ received: ReceivedEvent, source: Source) {
        let hint = received.hint
        self.init(
            source: source, dedupeKey: received.dedupeKey, event: hint.event, object: hint.object, side: hint.side,
            recordId: hint.id, parentId: hint.parentId, deleted: hint.deleted)
    }
}

extension Hint {
    /// The hint an inbox row holds, for the worker.
    public init(_ event: InboxEvent) {
        self.init(side: event.side, object: event.object, id: event.recordId, parentId: event.parentId,
                  deleted: event.deleted, event: event.event)
    }
}
