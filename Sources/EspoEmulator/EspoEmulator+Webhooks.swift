import Crypto
import Emulation
import Foundation
import Synchronization
import SyncCore

/// How the emulator's "Process Webhook Queue" job runs (EspoCRM's config names in brackets).
public struct EspoWebhookSettings: Sendable {
    /// Between two runs of the job (EspoCRM: every 2 minutes).
    public var interval: Duration
    /// Captured events turned into queue items per run (`webhookQueueEventPortionSize`, 20).
    public var eventPortionSize: Int
    /// Webhooks sent to per run (`webhookQueuePortionSize`, 20).
    public var webhookPortionSize: Int
    /// Items per POST (`webhookBatchSize`, 50).
    public var batchSize: Int
    /// Attempts per item in all (`webhookMaxAttemptNumber`, 4).
    public var maxAttempts: Int
    /// The wait before a failed batch is tried again (`webhookFailAttemptPeriod`, 10 minutes).
    public var failAttemptPeriod: Duration
    /// A POST that takes longer counts as 408 (`webhookTimeout`, 10 s; connecting may take 5 s of it).
    public var timeout: Duration

    public init(
        interval: Duration = .seconds(2), eventPortionSize: Int = 20, webhookPortionSize: Int = 20, batchSize: Int = 50,
        maxAttempts: Int = 4, failAttemptPeriod: Duration = .seconds(600), timeout: Duration = .seconds(10)
    ) {
        self.interval = interval
        self.eventPortionSize = eventPortionSize
        self.webhookPortionSize = webhookPortionSize
        self.batchSize = batchSize
        self.maxAttempts = maxAttempts
        self.failAttemptPeriod = failAttemptPeriod
        self.timeout = timeout
    }
}

/// EspoCRM's outgoing webhooks (FACTS §12, wave2 D.2). An API user subscribes with `POST Webhook`;
/// from then on every create, update and delete of that entity type (through the API, or through
/// `insert`, `edit` and `remove`, which act as a person) is captured, and a job running every
/// `webhookSettings.interval` posts them in batches, signed with the subscription's `secretKey`.
/// Internal addresses (127.0.0.1) are refused, as by EspoCRM 9.3.2+, unless `webhookAllowedAddresses`
/// (its `webhookAllowedAddressList`) names them.
extension EspoEmulator {
    /// How the job runs; change it before subscribing (a running job reads it at each run).
    public var webhookSettings: EspoWebhookSettings {
        get { webhookJob.settings }
        set { webhookJob.settings = newValue }
    }

    /// `webhookAllowedAddressList`: internal hosts, or host:port, that webhooks may post to.
    public var webhookAllowedAddresses: Set<String> {
        get { store.withLock { $0.webhookTables.allowedAddresses } }
        set { store.withLock { $0.webhookTables.allowedAddresses = newValue } }
    }

    /// Every webhook POST so far, in the order they were answered.
    public var webhookDeliveries: [WebhookDeliveryRecord] { webhookJob.log }

    /// The subscriptions, as `GET Webhook/{id}` shows them, oldest first.
    public var webhookSubscriptions: [JSONObject] {
        store.withLock { store in
            store.webhookTables.webhooks.values.sorted { $0.number < $1.number }.map { store.renderWebhook($0) }
        }
    }

    /// Holds the job: events keep being captured, nothing is sent until `resumeWebhooks()`.
    public func pauseWebhooks() { webhookJob.paused = true }

    public func resumeWebhooks() { webhookJob.paused = false }

    /// Returns once no captured event and no queue item is left (sent, failed for good, or dropped
    /// with their subscription); at once when there are none. Items waiting out
    /// `failAttemptPeriod` are waited for. While paused with items left it waits for `resumeWebhooks()`.
    public func webhooksDrained() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            if store.withLock({ $0.webhookTables.isEmpty }) {
                continuation.resume()
            } else {
                webhookJob.wait(continuation)
            }
        }
    }

    // MARK: The job

    /// Starts the job if it does not run yet; it ends when the emulator is released.
    func startWebhookJob() {
        guard webhookJob.claimStart() else { return }
        Task { [weak self] in
            while let interval = await self?.runWebhookQueue() {
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// One run of "Process Webhook Queue": captured events become queue items, then one batch per
    /// webhook is posted and settled. Returns the wait before the next run.
    func runWebhookQueue() async -> Duration {
        let settings = webhookJob.settings
        if !webhookJob.paused {
            let batches = store.withLock { store in
                store.queueWebhookEvents(portion: settings.eventPortionSize)
                return store.webhookBatches(portion: settings.webhookPortionSize, size: settings.batchSize, now: .now)
            }
            for batch in batches {
                let body = JSON.array(batch.data).serializedBytes()
                let outcome = await WebhookPost.send(
                    to: batch.webhook.url, body: body, headers: signatureHeaders(batch.webhook, body), timeout: settings.timeout)
                let code: Int
                switch outcome {
                case .answered(let status): code = status
                case .timedOut: code = 408
                case .unreachable: code = 0
                }
                let result = store.withLock {
                    $0.settle(batch, code: code, now: .now, period: settings.failAttemptPeriod, maxAttempts: settings.maxAttempts)
                }
                webhookJob.append(WebhookDeliveryRecord(
                    event: batch.webhook.event, id: batch.webhook.id, url: batch.webhook.url, status: code, attempt: batch.attempt,
                    items: batch.data.count, result: result))
            }
        }
        if store.withLock({ $0.webhookTables.isEmpty }) { webhookJob.resumeWaiters() }
        return settings.interval
    }

    /// `Signature`: base64(webhookId + ":" + lowercase hex HMAC-SHA256(secretKey, body)); the legacy
    /// `X-Signature`: base64(webhookId + ":" + the raw HMAC bytes) (`Core/Webhook/Sender.php`).
    func signatureHeaders(_ webhook: StoredWebhook, _ body: [UInt8]) -> [(name: String, value: String)] {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(webhook.secretKey.utf8)))
        let hex = mac.map { String(format: "%02x", $0) }.joined()
        return [
            (name: "Content-Type", value: "application/json"),
            (name: "Signature", value: Data("\(webhook.id):\(hex)".utf8).base64EncodedString()),
            (name: "X-Signature", value: (Data("\(webhook.id):".utf8) + Data(mac)).base64EncodedString()),
        ]
    }
}

/// The job's state: its settings, whether it runs, its log and who waits for it.
final class WebhookJob: Sendable {
    private struct State {
        var settings = EspoWebhookSettings()
        var started = false
        var paused = false
        var log: [WebhookDeliveryRecord] = []
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    var settings: EspoWebhookSettings {
        get { state.withLock { $0.settings } }
        set { state.withLock { $0.settings = newValue } }
    }

    var paused: Bool {
        get { state.withLock { $0.paused } }
        set { state.withLock { $0.paused = newValue } }
    }

    var log: [WebhookDeliveryRecord] { state.withLock { $0.log } }

    /// True the first time only: the caller starts the job.
    func claimStart() -> Bool {
        state.withLock { state in
            defer { state.started = true }
            return !state.started
        }
    }

    func append(_ record: WebhookDeliveryRecord) { state.withLock { $0.log.append(record) } }

    /// Parks `continuation` until a run ends with nothing left.
    func wait(_ continuation: CheckedContinuation<Void, Never>) { state.withLock { $0.waiters.append(continuation) } }

    func resumeWaiters() {
        let waiters = state.withLock { state in
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
