import AsyncHTTPClient
import Foundation
import GRDB
import Hummingbird
import Logging
import NIOCore
import Prometheus
import Serve
import ServiceLifecycle
import StateStore
import Synchronization
import SyncCore
import Testing
import TestSupport
import Webhooks

/// How often the receiver woke the worker.
final class Wakes: Sendable {
    let count = Atomic<Int>(0)
}

/// The receiver's routes alone, served over HTTP on 127.0.0.1, with a fresh state file.
final class ReceiverBench: Sendable {
    typealias F = WebhookFixtures
    let folder: TemporaryFolder
    let store: StateStore
    let registry = PrometheusCollectorRegistry()
    let wakes = Wakes()
    let client: HTTPClient
    private let group: ServiceGroup
    private let task: Task<Void, any Error>
    let baseURL: String

    init(
        maxInbox: Int = 10_000, busyWait: Duration = .seconds(1), now: @escaping @Sendable () -> Date = { Date() },
        registrations: [EspoSubscription.Registration] = [WebhookFixtures.registration()]
    ) async throws {
        folder = try TemporaryFolder()
        let store = try StateStore(path: folder.file())
        self.store = store
        let subscriptions = EspoSubscriptions(registrations)
        var quiet = Logger(label: "receiver-test")
        quiet.logLevel = .critical
        let receiver = Receiver(
            store: store, configuration: .init(ghl: F.webhook, maxInbox: maxInbox, busyWait: busyWait),
            subscriptions: { subscriptions.registration(named: $0) },
            metrics: ReceiverMetrics(factory: PrometheusMetricsFactory(registry: registry)), logger: quiet, now: now,
            onAccepted: { [wakes] in wakes.count.add(1, ordering: .relaxed) })
        let router = Router()
        receiver.addRoutes(to: router)
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: quiet)
        group = ServiceGroup(configuration: .init(services: [application], gracefulShutdownSignals: [], logger: quiet))
        task = Task { [group] in try await group.run() }
        var port = 0
        for await value in ports { port = value; break }
        baseURL = "http://127.0.0.1:\(port)"
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 32)
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func stop() async throws {
        try await client.shutdown()
        await group.triggerGracefulShutdown()
        _ = await task.result
    }

    /// POSTs `body` to `path` with `headers`; the status and the answer's text.
    func post(_ path: String, _ body: [UInt8], headers: [(String, String)]) async throws -> (status: Int, text: String, retryAfter: String?) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(request, timeout: .seconds(10))
        let buffer = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: buffer), response.headers.first(name: "Retry-After"))
    }

    func postGHL(_ body: [UInt8], ed25519: String? = nil, rsa: String? = nil) async throws -> (status: Int, text: String, retryAfter: String?) {
        var headers: [(String, String)] = []
        if let ed25519 { headers.append(("x-ghl-signature", ed25519)) }
        if let rsa { headers.append(("x-wh-signature", rsa)) }
        return try await post("/webhooks/ghl", body, headers: headers)
    }

    func postEspo(_ name: String, _ body: [UInt8], signature: String?) async throws -> (status: Int, text: String, retryAfter: String?) {
        try await post("/webhooks/espo/\(name)", body, headers: signature.map { [("Signature", $0)] } ?? [])
    }

    /// The counter `espo_ghl_sync_webhooks_received_total{source, outcome}` as exposed.
    func received(_ source: String, _ outcome: String) -> Int {
        for line in registry.emitToString().split(separator: "\n")
        where line.hasPrefix("espo_ghl_sync_webhooks_received_total{") && line.contains("source=\"\(source)\"")
            && line.contains("outcome=\"\(outcome)\"") {
            return Int(line.split(separator: " ").last.map(String.init) ?? "") ?? -1
        }
        return 0
    }
}

@Suite struct ReceiverTests {
    typealias F = WebhookFixtures

    @Test func aSignedGHLEventIsStoredBeforeTheAnswerAndAReplayIsAcknowledgedOnce() async throws {
        let bench = try await ReceiverBench()
        let body = F.ghlBody("TaskCreate", id: "t1", webhookId: "wh-1")
        let first = try await bench.postGHL(body, ed25519: F.ed25519Signature(body))
        #expect(first.status == 200)
        // The answer came after the commit: the row is there now.
        let rows = try bench.store.pendingInbox(limit: 10)
        #expect(rows.map(\.event) == [InboxEvent(
            source: .ghl, dedupeKey: "ghl:wh-1", event: "TaskCreate", object: "task", side: .ghl, recordId: "t1")])
        #expect(Hint(rows[0].event) == Hint(side: .ghl, object: "task", id: "t1", event: "TaskCreate"))
        let replay = try await bench.postGHL(body, rsa: F.rsaSignature(body))
        #expect(replay.status == 200)
        #expect(try bench.store.inboxStatus().depth == 1)
        #expect(bench.wakes.count.load(ordering: .relaxed) == 1)
        #expect(bench.received("ghl", "accepted") == 1)
        #expect(bench.received("ghl", "duplicate") == 1)
        try await bench.stop()
    }

    @Test func badOrMissingSignaturesGet401AndAreNeverStored() async throws {
        let bench = try await ReceiverBench()
        let body = F.ghlBody("ContactUpdate")
        var tampered = body
        tampered[tampered.count - 2] ^= 0x01
        let other = F.ghlBody("ContactUpdate")
        #expect(try await bench.postGHL(tampered, ed25519: F.ed25519Signature(body)).status == 401)
        #expect(try await bench.postGHL(body).status == 401)
        #expect(try await bench.postGHL(body, ed25519: F.ed25519Signature(other), rsa: F.rsaSignature(body)).status == 401)

        let registration = F.registration()
        let batch = F.espoBody(count: 3)
        let wrongSecret = EspoSignature.value(body: batch, webhookId: registration.webhookId, secretKey: "wrong")
        let good = EspoSignature.value(body: batch, webhookId: registration.webhookId, secretKey: registration.secretKey)
        #expect(try await bench.postEspo("contact-update", batch, signature: wrongSecret).status == 401)
        #expect(try await bench.postEspo("contact-update", batch, signature: nil).status == 401)
        #expect(try await bench.postEspo("account-update", batch, signature: good).status == 401)

        #expect(try bench.store.inboxStatus().depth == 0)
        #expect(bench.wakes.count.load(ordering: .relaxed) == 0)
        #expect(bench.received("ghl", "rejected") == 3)
        #expect(bench.received("espo", "rejected") == 3)
        try await bench.stop()
    }

    @Test func aStaleOrOtherLocationsEventIsNotStored() async throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let bench = try await ReceiverBench(now: { now })
        let stale = F.ghlBody("ContactUpdate", at: now.addingTimeInterval(-301))
        let elsewhere = F.ghlBody("ContactUpdate", at: now, location: "another-location")
        let fresh = F.ghlBody("ContactUpdate", at: now.addingTimeInterval(-299))
        #expect(try await bench.postGHL(stale, ed25519: F.ed25519Signature(stale)).status == 400)
        let ignored = try await bench.postGHL(elsewhere, ed25519: F.ed25519Signature(elsewhere))
        #expect(ignored.status == 200)
        #expect(ignored.text.hasPrefix("ignored: ContactUpdate is for location another-location"))
        #expect(try await bench.postGHL(fresh, ed25519: F.ed25519Signature(fresh)).status == 200)
        #expect(try bench.store.inboxStatus().depth == 1)
        #expect(bench.received("ghl", "stale") == 1)
        #expect(bench.received("ghl", "ignored") == 1)
        try await bench.stop()
    }

    @Test func anEspoBatchOfFiftyIsFiftyRowsAndItsRetryAddsNone() async throws {
        let registration = F.registration("meeting-update")
        let bench = try await ReceiverBench(registrations: [registration])
        let batch = F.espoBody(count: 50)
        let signature = EspoSignature.value(body: batch, webhookId: registration.webhookId, secretKey: registration.secretKey)
        #expect(try await bench.postEspo("meeting-update", batch, signature: signature).status == 200)
        let rows = try bench.store.pendingInbox(limit: 100)
        #expect(rows.count == 50)
        #expect(rows.allSatisfy { $0.event.source == .espo && $0.event.side == .espo && $0.event.object == "Meeting" })
        // EspoCRM retries a batch it thinks failed: acknowledged, nothing stored twice.
        #expect(try await bench.postEspo("meeting-update", batch, signature: signature).status == 200)
        #expect(try bench.store.inboxStatus().depth == 50)
        #expect(bench.received("espo", "accepted") == 50)
        #expect(bench.received("espo", "duplicate") == 50)
        // A signed body that is not an array: 400, which EspoCRM does not retry.
        let junk = Array("not json".utf8)
        let junkSignature = EspoSignature.value(body: junk, webhookId: registration.webhookId, secretKey: registration.secretKey)
        #expect(try await bench.postEspo("meeting-update", junk, signature: junkSignature).status == 400)
        try await bench.stop()
    }

    @Test func aFullInboxGets429FromGHLAnd503FromEspoAndNever410() async throws {
        let registration = F.registration()
        let bench = try await ReceiverBench(maxInbox: 1, registrations: [registration])
        let first = F.ghlBody("ContactUpdate", id: "c1")
        #expect(try await bench.postGHL(first, ed25519: F.ed25519Signature(first)).status == 200)
        let second = F.ghlBody("ContactUpdate", id: "c2")
        let ghl = try await bench.postGHL(second, ed25519: F.ed25519Signature(second))
        #expect(ghl.status == 429)
        #expect(ghl.retryAfter == "60")
        let batch = F.espoBody(count: 2)
        let signature = EspoSignature.value(body: batch, webhookId: registration.webhookId, secretKey: registration.secretKey)
        #expect(try await bench.postEspo("contact-update", batch, signature: signature).status == 503)
        #expect(try bench.store.inboxStatus().depth == 1)
        #expect(bench.received("ghl", "busy") == 1)
        #expect(bench.received("espo", "busy") == 2)
        // Once the worker applied the first, GHL's retry is taken.
        try bench.store.markInboxApplied(ids: try bench.store.pendingInbox(limit: 1).map(\.id), at: Date())
        #expect(try await bench.postGHL(second, ed25519: F.ed25519Signature(second)).status == 200)
        try await bench.stop()
    }

    @Test func aStateFileLockedByAnotherProcessGets429And503() async throws {
        let registration = F.registration()
        let bench = try await ReceiverBench(busyWait: .milliseconds(200), registrations: [registration])
        let other = try DatabaseQueue(path: bench.store.path)
        let holding = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let holder = Thread {
            try? other.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    holding.signal()
                    release.wait()
                    return .commit
                }
            }
        }
        holder.start()
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { holding.wait(); continuation.resume() }
        }
        let body = F.ghlBody("NoteCreate", id: "n1", fields: ["contactId": "c1"])
        let batch = F.espoBody(count: 1)
        let signature = EspoSignature.value(body: batch, webhookId: registration.webhookId, secretKey: registration.secretKey)
        #expect(try await bench.postGHL(body, ed25519: F.ed25519Signature(body)).status == 429)
        #expect(try await bench.postEspo("contact-update", batch, signature: signature).status == 503)
        release.signal()
        #expect(try await bench.postGHL(body, ed25519: F.ed25519Signature(body)).status == 200)
        #expect(try await bench.postEspo("contact-update", batch, signature: signature).status == 200)
        #expect(try bench.store.inboxStatus().depth == 2)
        try other.close()
        try await bench.stop()
    }

    @Test func aBurstOfAThousandGHLEventsIsEachAcknowledgedWithinASecond() async throws {
        let bench = try await ReceiverBench()
        let deliveries = (0..<1000).map { n in
            let body = F.ghlBody("ContactUpdate", id: "c\(n)", webhookId: "burst-\(n)")
            return (body, F.ed25519Signature(body))
        }
        let clock = ContinuousClock()
        let answers = try await withThrowingTaskGroup(of: (Int, Duration).self) { group in
            var answers: [(Int, Duration)] = []
            var next = 0
            func send(_ n: Int) {
                group.addTask {
                    let start = clock.now
                    let answer = try await bench.postGHL(deliveries[n].0, ed25519: deliveries[n].1)
                    return (answer.status, clock.now - start)
                }
            }
            while next < 8 { send(next); next += 1 }
            for try await answer in group {
                answers.append(answer)
                if next < deliveries.count { send(next); next += 1 }
            }
            return answers
        }
        #expect(answers.count == 1000)
        #expect(answers.allSatisfy { $0.0 == 200 })
        let slowest = answers.map(\.1).max() ?? .zero
        #expect(slowest < .seconds(1), "the slowest answer took \(slowest)")
        #expect(try bench.store.inboxStatus().depth == 1000)
        #expect(Set(try bench.store.pendingInbox(limit: 2000).map(\.event.recordId)).count == 1000)
        try await bench.stop()
    }
}
