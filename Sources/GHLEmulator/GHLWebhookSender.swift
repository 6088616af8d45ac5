import Emulation
import Synchronization

/// Posts the emulator's webhooks as GHL does (wave2 D.1): one POST per event, asynchronously, in
/// order per location; a 429 is retried after `retryDelay` up to `maxRetries` times (the retry goes
/// to the back of its location's queue, so it arrives after later events, as a real retry 10 minutes
/// late would); any other status, a timeout or no connection drops the event.
final class GHLWebhookSender: Sendable {
    /// One event waiting to be posted, its body already serialized (the bytes that are signed).
    struct Pending: Sendable {
        var name: String
        var location: String
        var webhookId: String
        var body: [UInt8]
        var attempt: Int
    }

    private struct State {
        var queues: [String: [Pending]] = [:]
        /// Locations with a worker posting their queue.
        var running: Set<String> = []
        /// Events waiting out their retry delay.
        var retrying = 0
        var paused = false
        var stopped = false
        var log: [WebhookDeliveryRecord] = []
        var waiters: [CheckedContinuation<Void, Never>] = []

        var isIdle: Bool { running.isEmpty && retrying == 0 && queues.values.allSatisfy(\.isEmpty) }

        mutating func waitersIfIdle() -> [CheckedContinuation<Void, Never>] {
            guard isIdle else { return [] }
            defer { waiters.removeAll() }
            return waiters
        }
    }

    let configuration: GHLWebhookConfiguration
    private let state = Mutex(State())

    init(_ configuration: GHLWebhookConfiguration) { self.configuration = configuration }

    /// Every POST so far, in the order they were answered.
    var deliveries: [WebhookDeliveryRecord] { state.withLock { $0.log } }

    /// Queues an event for its location; never waits.
    func enqueue(_ event: Pending) { enqueue(event, endingRetry: false) }

    /// Holds every queue after the POSTs in flight; events keep queueing.
    func pause() { state.withLock { $0.paused = true } }

    /// Starts posting the held queues again.
    func resume() {
        let locations = state.withLock { state -> [String] in
            state.paused = false
            let waiting = state.queues.filter { !$0.value.isEmpty && !state.running.contains($0.key) }.map(\.key)
            state.running.formUnion(waiting)
            return waiting
        }
        for location in locations { Task { await self.run(location) } }
    }

    /// Drops every queued event and posts nothing more.
    func stop() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.stopped = true
            state.queues.removeAll()
            return state.waitersIfIdle()
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once no event is queued, in flight or waiting for a retry. While paused with events
    /// queued it waits for `resume()`.
    func drained() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = state.withLock { state -> Bool in
                if state.isIdle { return true }
                state.waiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    private func enqueue(_ event: Pending, endingRetry: Bool) {
        let (start, waiters) = state.withLock { state -> (Bool, [CheckedContinuation<Void, Never>]) in
            if endingRetry { state.retrying -= 1 }
            guard !state.stopped else { return (false, state.waitersIfIdle()) }
            state.queues[event.location, default: []].append(event)
            guard !state.paused, !state.running.contains(event.location) else { return (false, []) }
            state.running.insert(event.location)
            return (true, [])
        }
        for waiter in waiters { waiter.resume() }
        if start { Task { await self.run(event.location) } }
    }

    private func run(_ location: String) async {
        while let event = next(location) { await post(event) }
    }

    private func next(_ location: String) -> Pending? {
        let (event, waiters) = state.withLock { state -> (Pending?, [CheckedContinuation<Void, Never>]) in
            if !state.paused, !state.stopped, let queue = state.queues[location], !queue.isEmpty {
                return (state.queues[location]!.removeFirst(), [])
            }
            state.running.remove(location)
            return (nil, state.waitersIfIdle())
        }
        for waiter in waiters { waiter.resume() }
        return event
    }

    private func post(_ event: Pending) async {
        let outcome = await WebhookPost.send(
            to: configuration.url, body: event.body, headers: headers(event.body), timeout: configuration.timeout)
        let status = if case .answered(let code) = outcome { code } else { 0 }
        let retry = status == 429 && event.attempt <= configuration.maxRetries
        let result: WebhookDeliveryRecord.Result = (200..<300).contains(status) ? .delivered : retry ? .willRetry : .dropped
        state.withLock { state in
            state.log.append(WebhookDeliveryRecord(
                event: event.name, id: event.webhookId, url: configuration.url, status: status, attempt: event.attempt, items: 1,
                result: result))
            if retry { state.retrying += 1 }
        }
        guard retry else { return }
        let delay = configuration.retryDelay
        Task {
            try? await Task.sleep(for: delay)
            var again = event
            again.attempt += 1
            self.enqueue(again, endingRetry: true)
        }
    }

    private func headers(_ body: [UInt8]) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [(name: "Content-Type", value: "application/json")]
        let keys = configuration.keys
        if configuration.signatures != .rsaOnly { headers.append((name: "x-ghl-signature", value: keys.ed25519Signature(body))) }
        if configuration.signatures != .ed25519Only { headers.append((name: "x-wh-signature", value: keys.rsaSignature(body))) }
        return headers
    }
}
