import CLI
import Connectors
import Engine
import EspoClient
import Foundation
import GHLClient
import GHLEmulator
import Logging
import StateStore
import Synchronization
import SyncCore
import Transport

/// `throughput-bench --serve`: `serve` in process between both emulators, the GHL location held to
/// GHL's real limit (100 requests per 10 s). After a first sync of `contacts` pairs, GHL contacts are
/// edited at `rate` a second for `seconds`; the emulator posts each edit's signed webhook at once, and
/// the bench times each edit until EspoCRM holds it: receipt to the write on the other side.
struct ServeBench {
    var contacts = 2000
    var rate = 10.0
    var seconds = 60.0
    let mappings: String

    func run() async throws -> Bool {
        let real = RateLimit(requests: 100, interval: .seconds(10), daily: 200_000, concurrency: 8)
        let sandbox = try await Sandbox.start(people: 0, ghlLimit: real)
        let location = sandbox.locationId
        var pairs: [(ghl: String, espo: String)] = []
        for n in 0..<contacts {
            let email = "serve.\(n)+bench@example.com"
            let ghl = await sandbox.ghl.insertContact(location: location, [
                "firstName": "Bench", "lastName": .string("Person\(n)"), "email": .string(email), "city": "Austin",
            ])
            guard let espo = sandbox.espo.insert("Contact", [
                "firstName": "Bench", "lastName": .string("Person\(n)"), "emailAddress": .string(email), "addressCity": "Austin",
            ]) else { return false }
            pairs.append((ghl, espo))
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("serve-bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder + "/mappings", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for file in ["contacts.json", "businesses.json"] {
            try FileManager.default.copyItem(atPath: mappings + "/" + file, toPath: folder + "/mappings/" + file)
        }
        var text = sandbox.config(state: folder + "/state.sqlite", mappings: folder + "/mappings")
        text = text.replacingOccurrences(
            of: "\"auth\": { \"type\": \"privateToken\"",
            with: "\"webhooks\": { \"publicKey\": \"\(GHLWebhookKeys.test.publicKeyBase64)\" }, \"auth\": { \"type\": \"privateToken\"")
        // EspoCRM has no limit of its own; the config's default 20 a second is for a small server, and
        // each event costs EspoCRM a read and a write.
        text = text.replacingOccurrences(
            of: "\"auth\": { \"type\": \"apiKey\"",
            with: "\"rateLimit\": { \"requests\": 100, \"intervalSeconds\": 1, \"concurrency\": 8 }, \"auth\": { \"type\": \"apiKey\"")
        let configFile = folder + "/espo-ghl-sync.json"
        try text.write(toFile: configFile, atomically: true, encoding: .utf8)
        let config = try Config.load(file: configFile)

        // The first sync links every pair (both sides hold the same people).
        let ghlClient = GHLClient(
            .init(locationId: location, baseURL: sandbox.ghlServer.baseURL, limit: real), credentials: PrivateToken(sandbox.ghlToken))
        let espoClient = Espo.Client(
            siteURL: sandbox.espoServer.baseURL, credentials: Espo.APIKey(sandbox.espoAPIKey),
            rateLimit: RateLimit(requests: 20, interval: .seconds(1), concurrency: 4))
        do {
            let engine = try Engine.open(
                statePath: config.state, mappings: try Mapping.loadAll(directory: folder + "/mappings"), settings: config.sync,
                connectors: { _ in PerSide(ghl: GHLConnector(client: ghlClient), espo: EspoConnector(client: espoClient)) })
            let first = try await engine.run(RunOptions(mode: .sync))
            guard first.failureCount == 0 else { return false }
        }

        // The first sync's calls leave GHL's 10-second window before the load starts.
        try await Task.sleep(for: .seconds(11))
        let environment = ["GHL_TOKEN": sandbox.ghlToken, "ESPO_API_KEY": sandbox.espoAPIKey]
        var quiet = Logger(label: "serve-bench")
        quiet.logLevel = .warning
        let serving = try await Serving.start(
            config: config, environment: environment, host: "127.0.0.1", port: 0, signals: [], logger: quiet)
        await sandbox.ghl.deliverWebhooks(to: "http://127.0.0.1:\(serving.server.port)/webhooks/ghl")
        await sandbox.ghlServer.log.reset()

        // The load: one edit every 1/rate s, each to a contact not edited before; the watcher times
        // each until EspoCRM holds it.
        let pending = Mutex<[Int: (espo: String, value: String, at: ContinuousClock.Instant)]>([:])
        let latencies = Mutex<[Double]>([])
        let total = Int(rate * seconds)
        let watcher = Task {
            while !Task.isCancelled {
                let now = ContinuousClock.now
                let waiting = pending.withLock { $0 }
                for (n, edit) in waiting where sandbox.espo.record("Contact", id: edit.espo)?["addressCity"]?.stringValue == edit.value {
                    pending.withLock { _ = $0.removeValue(forKey: n) }
                    latencies.withLock { $0.append(Self.seconds(now - edit.at)) }
                }
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        let start = ContinuousClock.now
        for n in 0..<min(total, pairs.count) {
            let due = start + .milliseconds(Int64(Double(n) * 1000 / rate))
            try await Task.sleep(until: due)
            let value = "Serve \(n)"
            pending.withLock { $0[n] = (pairs[n].espo, value, .now) }
            _ = await sandbox.ghl.editContact(pairs[n].ghl, location: location, ["city": .string(value)])
        }
        let deadline = ContinuousClock.now + .seconds(180)
        while pending.withLock({ !$0.isEmpty }) && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        watcher.cancel()
        let lost = pending.withLock { $0.count }
        let sorted = latencies.withLock { $0 }.sorted()
        let calls = await sandbox.ghlServer.log.countsByEndpoint
        let throttled = await sandbox.ghlServer.log.throttled
        await serving.stop()
        await sandbox.ghlServer.stop()
        await sandbox.espoServer.stop()
        func percentile(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)] }
        let result: JSON = [
            "contacts": .number(Double(contacts)), "eventsPerSecond": .number(rate), "seconds": .number(seconds),
            "edits": .number(Double(min(total, pairs.count))), "arrived": .number(Double(sorted.count)), "lost": .number(Double(lost)),
            "p50Seconds": .number(percentile(0.5)), "p90Seconds": .number(percentile(0.9)), "p99Seconds": .number(percentile(0.99)),
            "maxSeconds": .number(sorted.last ?? 0),
            "ghlCalls": .number(Double(calls.values.reduce(0, +))), "ghlThrottled": .number(Double(throttled)),
            "ghlCallsByEndpoint": .object(JSONObject(uniqueKeysWithValues: calls.sorted { $0.key < $1.key }.map { ($0.key, JSON.number(Double($0.value))) })),
        ]
        print(result.serialized(pretty: true))
        return lost == 0
    }

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
}
