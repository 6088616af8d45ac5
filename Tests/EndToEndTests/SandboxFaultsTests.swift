import CLI
import Foundation
import SyncCore
import Testing
import TestSupport
import Transport

/// `espo-ghl-sync emulate` with `--faults`, `--latency` and `--rate-limit`, run as the built binary:
/// what it prints, what its emulators answer over HTTP, what their request logs count and the lines
/// on its stderr; and `demo --faults`, which converges anyway.
@Suite(.serialized) struct SandboxFaultsTests {
    /// A running `emulate`, its printed URLs and credentials.
    struct Emulate {
        let process: Process
        let folder: TemporaryFolder
        let stdout: String
        let ghlURL: String
        let espoURL: String
        let ghlToken: String
        let espoKey: String
        let locationId: String

        /// Starts `emulate ARGUMENTS` on free ports and waits until it has printed its sandbox.
        static func start(_ arguments: [String]) async throws -> Emulate {
            let folder = try TemporaryFolder(prefix: "emulate")
            FileManager.default.createFile(atPath: folder.file("out"), contents: nil)
            FileManager.default.createFile(atPath: folder.file("err"), contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try BuiltProduct.path("espo-ghl-sync"))
            process.arguments = ["emulate", "--ghl-port", "0", "--espo-port", "0", "--people", "12"] + arguments
            process.currentDirectoryURL = URL(fileURLWithPath: folder.path)
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: folder.file("out")))
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: folder.file("err")))
            try process.run()
            let pid = process.processIdentifier
            // A hang fails the test instead of blocking it.
            let watchdog = Task {
                try await Task.sleep(for: .seconds(120))
                kill(pid, SIGKILL)
            }
            var stdout = ""
            while process.isRunning, !stdout.contains("Stop with Ctrl-C.") {
                try await Task.sleep(for: .milliseconds(50))
                stdout = (try? String(contentsOfFile: folder.file("out"), encoding: .utf8)) ?? ""
            }
            watchdog.cancel()
            let stderr = (try? String(contentsOfFile: folder.file("err"), encoding: .utf8)) ?? ""
            try #require(process.isRunning, "emulate ended early: \(stdout)\n\(stderr)")
            func after(_ prefix: String, upTo end: Character) throws -> String {
                let line = try #require(stdout.split(separator: "\n").first { $0.contains(prefix) }, "no \(prefix) in \(stdout)")
                let rest = line[line.range(of: prefix)!.upperBound...]
                return String(rest.prefix { $0 != end })
            }
            return Emulate(
                process: process, folder: folder, stdout: stdout,
                ghlURL: try after("GoHighLevel emulator: ", upTo: " "), espoURL: try after("EspoCRM emulator:     ", upTo: " "),
                ghlToken: try after("export GHL_TOKEN=", upTo: "\n"), espoKey: try after("export ESPO_API_KEY=", upTo: "\n"),
                locationId: try after("(location ", upTo: ","))
        }

        var stderr: String { (try? String(contentsOfFile: folder.file("err"), encoding: .utf8)) ?? "" }

        /// The config it printed, parsed as `--config` would read it.
        func config() throws -> Config {
            let start = try #require(stdout.range(of: "\n{\n"), "no config in \(stdout)")
            let end = try #require(stdout.range(of: "\n}\n", range: start.upperBound..<stdout.endIndex))
            let text = String(stdout[start.lowerBound..<end.upperBound])
            return try Config.parse(Array(text.utf8), file: folder.file("espo-ghl-sync.json"))
        }

        /// Sends `signal` and returns how the process ended.
        func stop(with signal: Int32) async throws -> (code: Int32, reason: Process.TerminationReason) {
            kill(process.processIdentifier, signal)
            let pid = process.processIdentifier
            let watchdog = Task {
                try await Task.sleep(for: .seconds(30))
                kill(pid, SIGKILL)
            }
            while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
            watchdog.cancel()
            return (process.terminationStatus, process.terminationReason)
        }
    }

    /// One request's answer as it arrived: a status, or nil when the connection dropped.
    struct Answer {
        var status: Int?
        var response: Response?
        var elapsed: Duration
    }

    /// Sends each request once (no retry, no wait after a 429), so that every answer is seen.
    func transport(_ url: String) -> APITransport {
        APITransport(
            service: "test", contractName: "test", baseURL: url, credentials: nil,
            pacer: Pacer(RateLimit(requests: 10_000, interval: .seconds(1), concurrency: 1)),
            retry: RetryPolicy(maxAttempts: 1, maxThrottleWaits: 0))
    }

    func send(_ transport: APITransport, _ request: Request) async -> Answer {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let response = try await transport.send(request)
            return Answer(status: response.status, response: response, elapsed: clock.now - start)
        } catch {
            return Answer(status: error.response?.status ?? error.status, response: error.response, elapsed: clock.now - start)
        }
    }

    func ghlList(_ e: Emulate) -> Request {
        Request(.get, "/contacts/", query: [.init("locationId", e.locationId), .init("limit", "1")],
                headers: [("Authorization", "Bearer \(e.ghlToken)"), ("Version", "2021-07-28")])
    }

    func espoList(_ e: Emulate) -> Request {
        Request(.get, "/api/v1/Contact", query: [.init("maxSize", "1")], headers: [("X-Api-Key", e.espoKey)])
    }

    /// The `faults` object of an emulator's `GET /__emulator/log`.
    func loggedFaults(_ url: String) async throws -> (faults: JSONObject, requests: Int, throttled: Int) {
        let log = try await transport(url).json(Request(.get, "/__emulator/log"))
        return (log["faults"]?.objectValue ?? [:], Int(log["requests"]?.numberValue ?? -1), Int(log["throttled"]?.numberValue ?? -1))
    }

    func lines(_ stderr: String, _ prefix: String) -> Int {
        stderr.split(separator: "\n").count { $0.hasPrefix(prefix) }
    }

    @Test func faultsLatencyAndTheRateLimitAreWhatTheEmulatorsAnswerLogAndPrint() async throws {
        let e = try await Emulate.start([
            "--seed", "2", "--faults", "500=0.2,drop=0.1,429=0.1", "--ghl-faults", "502=0.1", "--espo-faults", "503=0.1",
            "--ghl-latency", "150", "--espo-latency", "40", "--rate-limit", "6/60",
        ])
        // It prints the faults in force per side, and a config paced to the emulator's limit.
        #expect(e.stdout.contains("GoHighLevel: 500=0.2, 502=0.1, 429=0.1, drop=0.1, latency 150 ms; rate limit 6 requests per 60 s"), "\(e.stdout)")
        #expect(e.stdout.contains("EspoCRM:     500=0.2, 503=0.1, 429=0.1, drop=0.1, latency 40 ms; no rate limit"), "\(e.stdout)")
        let config = try e.config()
        #expect(config.ghl.rateLimit.requests == 6 && config.ghl.rateLimit.intervalSeconds == 60)
        #expect(config.ghl.baseURL == e.ghlURL && config.espo.baseURL == e.espoURL)

        let ghl = transport(e.ghlURL), espo = transport(e.espoURL)
        var ghlAnswers: [Answer] = [], espoAnswers: [Answer] = []
        for _ in 0..<40 {
            ghlAnswers.append(await send(ghl, ghlList(e)))
            espoAnswers.append(await send(espo, espoList(e)))
        }
        // Every answer waited at least the side's latency, whatever it was.
        #expect(ghlAnswers.allSatisfy { $0.elapsed >= .milliseconds(150) }, "\(ghlAnswers.map(\.elapsed))")
        #expect(espoAnswers.allSatisfy { $0.elapsed >= .milliseconds(40) }, "\(espoAnswers.map(\.elapsed))")

        // GoHighLevel: the log counts each injected fault as the client met it, and stderr has a line for each.
        let ghlLog = try await loggedFaults(e.ghlURL)
        let stderr = e.stderr
        let ghl500 = ghlAnswers.count { $0.status == 500 }, ghl502 = ghlAnswers.count { $0.status == 502 }
        let ghlDropped = ghlAnswers.count { $0.status == nil }
        #expect(ghl500 > 0 && ghl502 > 0 && ghlDropped > 0, "\(ghlAnswers.map(\.status))")
        #expect(ghlLog.requests == 40)
        #expect(ghlLog.faults["internalError"]?.numberValue == Double(ghl500) && ghlLog.faults["badGateway"]?.numberValue == Double(ghl502))
        #expect(ghlLog.faults["dropped"]?.numberValue == Double(ghlDropped), "\(ghlLog)")
        #expect(lines(stderr, "ghl: injected fault 500 on GET /contacts/: 500 before processing") == ghl500, "\(stderr)")
        #expect(lines(stderr, "ghl: injected fault 502 on GET /contacts/") == ghl502)
        #expect(lines(stderr, "ghl: injected fault drop on GET /contacts/: connection dropped before processing") == ghlDropped)
        // GHL's 500 is its JSON error; its 502 the load balancer's HTML page.
        let failed = try #require(ghlAnswers.first { $0.status == 500 }?.response)
        #expect(try failed.json()["statusCode"]?.numberValue == 500)
        #expect(ghlAnswers.first { $0.status == 502 }?.response?.text.contains("<h1>502 Bad Gateway</h1>") == true)

        // The requests no fault turned away met the 6-per-60-s window: six answered, the rest 429 with its headers.
        let injected429 = Int(ghlLog.faults["throttled"]?.numberValue ?? 0)
        #expect(injected429 > 0, "\(ghlLog)")
        let reached = 40 - ghl500 - ghl502 - ghlDropped - injected429
        #expect(reached > 6, "\(ghlAnswers.map(\.status))")
        #expect(ghlAnswers.count { $0.status == 200 } == 6)
        #expect(ghlAnswers.count { $0.status == 429 } == reached - 6 + injected429)
        #expect(ghlLog.throttled == reached - 6 + injected429)
        #expect(lines(stderr, "ghl: rate limit on GET /contacts/: 429 (6 requests per 60 s)") == reached - 6, "\(stderr)")
        #expect(lines(stderr, "ghl: injected fault 429 on GET /contacts/: 429 before processing") == injected429)
        for answer in ghlAnswers where answer.status == 429 {
            let response = try #require(answer.response)
            #expect(response.header("X-RateLimit-Max") == "6" && response.header("X-RateLimit-Interval-Milliseconds") == "60000")
            #expect(response.header("X-RateLimit-Remaining") == "0")
            #expect(try response.json()["message"]?.stringValue == "Too Many Requests")
        }

        // EspoCRM: its own 500 and 503 have empty bodies; its 429 is the proxy's HTML page, no rate-limit headers.
        let espoLog = try await loggedFaults(e.espoURL)
        let espoCounts = (
            internal: espoAnswers.count { $0.status == 500 }, unavailable: espoAnswers.count { $0.status == 503 },
            throttled: espoAnswers.count { $0.status == 429 }, dropped: espoAnswers.count { $0.status == nil })
        #expect(espoCounts.internal > 0 && espoCounts.unavailable > 0 && espoCounts.throttled > 0 && espoCounts.dropped > 0,
                "\(espoAnswers.map(\.status))")
        #expect(espoLog.faults["internalError"]?.numberValue == Double(espoCounts.internal))
        #expect(espoLog.faults["serverError"]?.numberValue == Double(espoCounts.unavailable))
        #expect(espoLog.faults["throttled"]?.numberValue == Double(espoCounts.throttled) && espoLog.throttled == espoCounts.throttled)
        #expect(espoLog.faults["dropped"]?.numberValue == Double(espoCounts.dropped))
        #expect(espoAnswers.count { $0.status == 200 } == 40 - espoCounts.internal - espoCounts.unavailable - espoCounts.throttled - espoCounts.dropped)
        #expect(lines(stderr, "espo: injected fault 500 on GET /Contact: 500 before processing") == espoCounts.internal)
        #expect(lines(stderr, "espo: injected fault 503 on GET /Contact") == espoCounts.unavailable)
        #expect(lines(stderr, "espo: injected fault 429 on GET /Contact") == espoCounts.throttled)
        #expect(lines(stderr, "espo: injected fault drop on GET /Contact") == espoCounts.dropped)
        #expect(lines(stderr, "espo: rate limit") == 0)
        let espoThrottled = try #require(espoAnswers.first { $0.status == 429 }?.response)
        #expect(espoThrottled.text.contains("429 Too Many Requests") && espoThrottled.header("X-RateLimit-Max") == nil)
        #expect(espoThrottled.header("Retry-After") == nil)
        #expect(espoAnswers.first { $0.status == 500 }?.response?.body.isEmpty == true)
        // The secrets it was started with never reach stderr.
        #expect(!stderr.contains(e.ghlToken) && !stderr.contains(e.espoKey))

        let end = try await e.stop(with: SIGTERM)
        #expect(end.reason == .exit && end.code == 0, "\(end) \(e.stderr)")
    }

    @Test func theSeedRepeatsTheFaultRollsAndSIGINTStopsItCleanly() async throws {
        var runs: [[String]] = []
        for seed in ["7", "7", "8"] {
            let e = try await Emulate.start(["--seed", seed, "--faults", "500=0.3,drop=0.2,429=0.2"])
            let ghl = transport(e.ghlURL), espo = transport(e.espoURL)
            for _ in 0..<15 {
                _ = await send(ghl, ghlList(e))
                _ = await send(espo, espoList(e))
            }
            let end = try await e.stop(with: SIGINT)
            #expect(end.reason == .exit && end.code == 0, "\(end) \(e.stderr)")
            runs.append(e.stderr.split(separator: "\n").map(String.init).filter { $0.contains("injected fault") })
        }
        #expect(!runs[0].isEmpty)
        #expect(runs[0] == runs[1], "\(runs[0])\n\(runs[1])")
        #expect(runs[0] != runs[2], "seed 8 rolled as seed 7 did: \(runs[0])")
    }

    @Test func theDemoConvergesUnderFaults() async throws {
        let folder = try TemporaryFolder(prefix: "demo-faults")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try BuiltProduct.path("espo-ghl-sync"))
        process.arguments = ["demo", "--people", "60", "--faults", "500=0.1,drop=0.05,429=0.02"]
        process.currentDirectoryURL = URL(fileURLWithPath: folder.path)
        FileManager.default.createFile(atPath: folder.file("out"), contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: folder.file("out")))
        process.standardError = FileHandle.nullDevice
        try process.run()
        let pid = process.processIdentifier
        let watchdog = Task {
            try await Task.sleep(for: .seconds(300))
            kill(pid, SIGKILL)
        }
        while process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        watchdog.cancel()
        let output = try String(contentsOfFile: folder.file("out"), encoding: .utf8)
        #expect(process.terminationStatus == 0, "\(output.suffix(3000))")
        // Faults were injected on both sides, by the counts of each emulator's request log.
        for side in ["GoHighLevel emulator: ", "EspoCRM emulator:     "] {
            let line = try #require(output.split(separator: "\n").first { $0.hasPrefix(side) }, "\(output.suffix(3000))")
            #expect(line.contains("500 ×") && line.contains("injected in"), "\(line)")
            #expect(!line.contains("no fault injected"), "\(line)")
        }
        // Some operation failed and a later sync retried it; the last plan is empty and both sides agree.
        #expect(output.contains("Sync run 1: ") && output.contains("── 2. espo-ghl-sync sync, run 2 of at most 8"), "\(output.suffix(3000))")
        #expect(output.contains("the last plan has 0 operations."), "\(output.suffix(3000))")
        #expect(output.contains("the last plan is empty and both sides agree, record for record."), "\(output.suffix(3000))")
        #expect(output.contains("Faults are turned off for step 4") && output.contains("serve stopped."), "\(output.suffix(1000))")
    }
}
