import Foundation
import Hummingbird
import Logging
import StateStore
import Webhooks

/// The webhook receiver: `POST /webhooks/ghl` and `POST /webhooks/espo/{subscription}`.
///
/// Each request is verified from its raw bytes, its events go into the inbox in one transaction, and
/// only then does it answer 200 (duplicates too: acknowledged and ignored). A missing or bad signature
/// gets 401 and is never stored. Under overload (the inbox holds `maxInbox` unapplied events, or the
/// state file stays locked past `busyWait`) it answers 429 to GHL, the only status GHL retries, and 503
/// to EspoCRM, which retries it; never 410, on which EspoCRM deletes the subscription.
public struct Receiver: Sendable {
    /// What the receiver checks against and how much it takes.
    public struct Configuration: Sendable {
        /// GHL's keys, the configured location and the 5-minute window.
        public var ghl: GHLWebhook
        /// Unapplied events at which the receiver answers "busy".
        public var maxInbox: Int
        /// The largest body read; a larger one is refused with 413.
        public var bodyLimit: Int
        /// How long an insert waits for another process's write lock before answering "busy".
        public var busyWait: Duration

        public init(ghl: GHLWebhook, maxInbox: Int = 10_000, bodyLimit: Int = 2 << 20, busyWait: Duration = .seconds(1)) {
            self.ghl = ghl
            self.maxInbox = maxInbox
            self.bodyLimit = bodyLimit
            self.busyWait = busyWait
        }
    }

    let store: StateStore
    let configuration: Configuration
    let subscriptions: @Sendable (String) -> EspoSubscription.Registration?
    let now: @Sendable () -> Date
    let metrics: ReceiverMetrics
    let logger: Logger
    let onAccepted: @Sendable () -> Void

    /// A receiver storing into `store`. `subscriptions` finds an EspoCRM subscription's registration by
    /// its name in the URL (see `EspoSubscriptions`); `onAccepted` wakes the worker after new events.
    public init(
        store: StateStore, configuration: Configuration,
        subscriptions: @escaping @Sendable (String) -> EspoSubscription.Registration?,
        metrics: ReceiverMetrics, logger: Logger = Logger(label: "espo-ghl-sync.receiver"),
        now: @escaping @Sendable () -> Date = { Date() }, onAccepted: @escaping @Sendable () -> Void
    ) {
        self.store = store
        self.configuration = configuration
        self.subscriptions = subscriptions
        self.metrics = metrics
        self.logger = logger
        self.now = now
        self.onAccepted = onAccepted
    }

    /// The receiver's path for GHL.
    public static let ghlPath = "/webhooks/ghl"

    /// Adds both webhook routes to `router`.
    public func addRoutes<Context: RequestContext>(to router: some RouterMethods<Context>) {
        router.post("webhooks/ghl") { request, _ in
            var request = request
            guard let body = try await Self.body(&request, limit: configuration.bodyLimit) else {
                return Self.answer(413, "the body is larger than \(configuration.bodyLimit) bytes")
            }
            return await receiveGHL(body: body, headers: request.headers)
        }
        router.post("webhooks/espo/:subscription") { request, context in
            var request = request
            let name = context.parameters.get("subscription") ?? ""
            guard let body = try await Self.body(&request, limit: configuration.bodyLimit) else {
                return Self.answer(413, "the body is larger than \(configuration.bodyLimit) bytes")
            }
            return await receiveEspo(subscription: name, body: body, headers: request.headers)
        }
    }

    /// Answers one GHL delivery.
    func receiveGHL(body: [UInt8], headers: HTTPFields) async -> Response {
        let verdict = configuration.ghl.verdict(
            body: body, ed25519Signature: Self.header(GHLSignature.ed25519Header, in: headers),
            rsaSignature: Self.header(GHLSignature.rsaHeader, in: headers), now: now())
        return await answer(verdict, source: .ghl, busyStatus: 429)
    }

    /// Answers one EspoCRM batch posted to subscription `name`.
    func receiveEspo(subscription name: String, body: [UInt8], headers: HTTPFields) async -> Response {
        let verdict = EspoWebhook.verdict(
            body: body, signature: Self.header(EspoSignature.header, in: headers), subscriptionName: name,
            registration: subscriptions(name))
        return await answer(verdict, source: .espo, busyStatus: 503)
    }

    private func answer(_ verdict: WebhookVerdict, source: InboxEvent.Source, busyStatus: Int) async -> Response {
        let sender = source == .ghl ? "GHL" : "EspoCRM"
        switch verdict {
        case .unauthenticated(let reason):
            metrics.count(source, .rejected)
            logger.warning("refused a \(sender) webhook: \(reason)", metadata: ["webhook.source": "\(source)"])
            return Self.answer(401, reason)
        case .malformed(let reason):
            metrics.count(source, .rejected)
            logger.warning("refused a signed \(sender) webhook: \(reason)", metadata: ["webhook.source": "\(source)"])
            return Self.answer(400, reason)
        case .stale(let reason):
            metrics.count(source, .stale)
            logger.warning("refused a \(sender) webhook: \(reason)", metadata: ["webhook.source": "\(source)"])
            return Self.answer(400, reason)
        case .ignored(let reason):
            metrics.count(source, .ignored)
            logger.debug("ignored a \(sender) webhook: \(reason)", metadata: ["webhook.source": "\(source)"])
            return Self.answer(200, "ignored: \(reason)")
        case .accepted(let events):
            return await store(events, source: source, sender: sender, busyStatus: busyStatus)
        }
    }

    private func store(_ events: [ReceivedEvent], source: InboxEvent.Source, sender: String, busyStatus: Int) async -> Response {
        let rows = events.map { InboxEvent($0, source: source) }
        let result = await Self.offPool { [store, configuration, now] () -> Result<InboxAcceptance, StateStoreError> in
            Result { () throws(StateStoreError) in
                try store.acceptInbox(rows, at: now(), capacity: configuration.maxInbox, waitingAtMost: configuration.busyWait)
            }
        }
        switch result {
        case .success(let acceptance) where acceptance.full:
            metrics.count(source, .busy, by: events.count)
            logger.warning("answered \(busyStatus) to \(sender): the inbox holds \(configuration.maxInbox) unapplied events",
                           metadata: ["webhook.source": "\(source)"])
            return Self.answer(busyStatus, "the inbox is full; try again later", retryAfter: 60)
        case .success(let acceptance):
            metrics.count(source, .accepted, by: acceptance.new)
            metrics.count(source, .duplicate, by: acceptance.duplicates)
            if acceptance.new > 0 { onAccepted() }
            return Self.answer(200, "accepted \(acceptance.new), duplicates \(acceptance.duplicates)")
        case .failure(let error):
            metrics.count(source, .busy, by: events.count)
            logger.error("answered \(busyStatus) to \(sender): \(error)", metadata: ["webhook.source": "\(source)"])
            return Self.answer(busyStatus, error.kind == .busy ? "the state file is busy; try again later" : "cannot store the events; try again later",
                               retryAfter: 60)
        }
    }

    // MARK: - HTTP

    /// The body's bytes; nil when longer than `limit`.
    private static func body(_ request: inout Request, limit: Int) async throws -> [UInt8]? {
        do {
            let buffer = try await request.collectBody(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return nil
        }
    }

    static func header(_ name: String, in headers: HTTPFields) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.canonicalName == lowered }?.value
    }

    static func answer(_ status: Int, _ text: String, retryAfter: Int? = nil) -> Response {
        var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8"]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: text + "\n")))
    }

    /// Runs blocking SQLite work on a Dispatch thread, so a write lock held by another process never
    /// parks Swift's few cooperative threads that serve every other request.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }
}
