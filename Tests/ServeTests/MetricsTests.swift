import Emulation
import Engine
import Foundation
import GRDB
import Health
import StateStore
import SyncCore
import Testing
import TestSupport
import Transport

/// The health metrics: a registry of their own per test, fed real summaries, a real state file and
/// real HTTP answers, read back from the exposition text swift-prometheus renders.
@Suite struct MetricsTests {
    static let date = Date(timeIntervalSince1970: 1_760_000_000.25)

    // MARK: Runs and operations

    @Test func aSyncSummaryRendersItsRunItsOperationsAndTheEntitiesThatSynced() throws {
        let folder = try TemporaryFolder(prefix: "metrics")
        let store = try StateStore(path: folder.file())
        let exposition = Exposition()
        let metrics = SyncMetrics(factory: exposition.factory)
        try metrics.record(Self.partialSummary, store: store, at: Self.date)

        let samples = try Samples(exposition.text())
        #expect(samples["espo_ghl_sync_runs_total", ["mode": "sync", "outcome": "partial"]] == 1)
        #expect(samples.series(named: "espo_ghl_sync_runs_total").count == 1)
        let operations: [[String: String]: Double] = [
            ["entity": "contact", "action": "link", "outcome": "applied"]: 1,
            ["entity": "contact", "action": "update", "outcome": "applied"]: 1,
            ["entity": "contact", "action": "create", "outcome": "applied"]: 1,
            ["entity": "contact", "action": "update", "outcome": "failed"]: 1,
            ["entity": "contact", "action": "create", "outcome": "skipped"]: 2,
            ["entity": "contact", "action": "update", "outcome": "skipped"]: 1,
            ["entity": "contact", "action": "queued", "outcome": "conflict"]: 1,
            ["entity": "contact", "action": "settled", "outcome": "conflict"]: 1,
            ["entity": "business", "action": "update", "outcome": "applied"]: 1,
            ["entity": "task", "action": "create", "outcome": "applied"]: 2,
        ]
        #expect(samples.series(named: "espo_ghl_sync_operations_total") == operations)
        #expect(samples["espo_ghl_sync_last_run_timestamp_seconds"] == Self.date.timeIntervalSince1970)
        // Only the task synced cleanly: the contact had a failure, the business an unreadable row.
        #expect(samples.series(named: "espo_ghl_sync_last_success_timestamp_seconds") == [["entity": "task"]: 1_760_000_000.25])
        #expect(try store.health().lastSuccess == ["task": Self.date])
        for gauge in ["conflicts_pending", "failed_operations_pending", "failed_operations_pending_runs", "inbox_depth",
                      "inbox_oldest_age_seconds"] {
            #expect(samples["espo_ghl_sync_" + gauge] == 0, "\(gauge)")
        }
    }

    @Test func anInterruptedRunCountsWhatItKnowsAndMarksNoEntitySynced() throws {
        let folder = try TemporaryFolder(prefix: "metrics")
        let store = try StateStore(path: folder.file())
        let exposition = Exposition()
        let link = Plan.Operation(action: .link, ghlId: "g1", espoId: "e1")
        let update = Plan.Operation(action: .update, target: .ghl, ghlId: "g2", espoId: "e2")
        let create = Plan.Operation(action: .create, target: .espo, ghlId: "g3")
        let delete = Plan.Operation(action: .delete, target: .espo, ghlId: "g4", espoId: "e4")
        // Two of four applied: the link, and one write the summary does not name.
        let summary = RunSummary(
            mode: .sync, entities: [.init(plan: Plan(entity: "contact", operations: [link, update, create, delete]), applied: 2)],
            apiCalls: PerSide(ghl: 1, espo: 1), interrupted: true)
        try SyncMetrics(factory: exposition.factory).record(summary, store: store, at: Self.date)

        let samples = try Samples(exposition.text())
        #expect(samples["espo_ghl_sync_runs_total", ["mode": "sync", "outcome": "interrupted"]] == 1)
        #expect(samples.series(named: "espo_ghl_sync_operations_total") == [
            ["entity": "contact", "action": "link", "outcome": "applied"]: 1,
            ["entity": "contact", "action": "unknown", "outcome": "applied"]: 1,
        ])
        #expect(samples.series(named: "espo_ghl_sync_last_success_timestamp_seconds").isEmpty)
        #expect(try store.health().lastSuccess.isEmpty)
    }

    @Test func aPlanRunCountsAsARunOfItsModeAndNothingElse() throws {
        let folder = try TemporaryFolder(prefix: "metrics")
        let store = try StateStore(path: folder.file())
        let exposition = Exposition()
        var summary = Self.partialSummary
        summary.mode = .plan
        for i in summary.entities.indices { summary.entities[i].failures = []; summary.entities[i].applied = 0 }
        try SyncMetrics(factory: exposition.factory).record(summary, store: store, at: Self.date)
        let samples = try Samples(exposition.text())
        #expect(samples.series(named: "espo_ghl_sync_runs_total") == [["mode": "plan", "outcome": "partial"]: 1])
        #expect(samples.series(named: "espo_ghl_sync_operations_total").isEmpty)
        #expect(try store.health().lastSuccess.isEmpty)
    }

    @Test func failedAndAbortedRunsAreCountedByTheirOutcome() throws {
        let exposition = Exposition()
        let metrics = SyncMetrics(factory: exposition.factory)
        metrics.recordFailure(mode: "sync", error: EngineError.massDeleteGuard("mass-delete guard: 40 of 50 missing"), at: Self.date)
        metrics.recordFailure(mode: "sync", error: EngineError.noMappings(folder: "mappings"), at: Self.date)
        metrics.recordFailure(mode: "serve", error: CocoaError(.fileNoSuchFile), at: Self.date.addingTimeInterval(60))
        let samples = try Samples(exposition.text())
        #expect(samples.series(named: "espo_ghl_sync_runs_total") == [
            ["mode": "sync", "outcome": "aborted"]: 1, ["mode": "sync", "outcome": "failed"]: 1,
            ["mode": "serve", "outcome": "failed"]: 1,
        ])
        #expect(samples["espo_ghl_sync_last_run_timestamp_seconds"] == Self.date.timeIntervalSince1970 + 60)
    }

    @Test func twoRegistriesInOneProcessDoNotShareCounts() throws {
        let first = Exposition()
        let second = Exposition()
        SyncMetrics(factory: first.factory).apiCall(service: "ghl", status: 200)
        _ = SyncMetrics(factory: second.factory)
        #expect(try Samples(first.text())["espo_ghl_sync_api_calls_total", ["service": "ghl", "status_class": "2xx"]] == 1)
        #expect(try Samples(second.text())["espo_ghl_sync_api_calls_total", ["service": "ghl", "status_class": "2xx"]] == 0)
    }

    // MARK: The state file

    @Test func entityHealthSurvivesReopeningTheFileAndNeverGoesBackInTime() throws {
        let folder = try TemporaryFolder(prefix: "metrics")
        do {
            let store = try StateStore(path: folder.file())
            try store.recordSuccess(of: ["contact", "task"], at: Self.date)
            try store.recordSuccess(of: ["contact"], at: Self.date.addingTimeInterval(-3600))
            try store.recordSuccess(of: ["task"], at: Self.date.addingTimeInterval(86_400))
        }
        let reopened = try StateStore(path: folder.file())
        #expect(try reopened.health().lastSuccess == ["contact": Self.date, "task": Self.date.addingTimeInterval(86_400)])
        // A fresh process knows the times from the file alone.
        let exposition = Exposition()
        try SyncMetrics(factory: exposition.factory).refresh(store: reopened, at: Self.date)
        #expect(try Samples(exposition.text()).series(named: "espo_ghl_sync_last_success_timestamp_seconds") == [
            ["entity": "contact"]: Self.date.timeIntervalSince1970,
            ["entity": "task"]: Self.date.timeIntervalSince1970 + 86_400,
        ])
    }

    @Test func theGaugesReadConflictsFailuresTheFailureStreakAndTheInboxFromTheFile() throws {
        let folder = try TemporaryFolder(prefix: "metrics")
        let store = try StateStore(path: folder.file())
        let newer = try store.beginRun(mode: "sync", at: Self.date)
        let operations = [
            Plan.Operation(action: .update, target: .ghl, ghlId: "g1", espoId: "e1"),
            Plan.Operation(action: .create, target: .espo, ghlId: "g2"),
            Plan.Operation(action: .delete, target: .ghl, ghlId: "g3", espoId: "e3"),
        ]
        let entries = try store.journal(run: newer, entity: "contact", operations: operations)
        try store.fail(entries[0], error: "422", outcomeUnknown: false)
        try store.fail(entries[1], error: "timed out", outcomeUnknown: true)  // entries[2] stays pending
        let conflict = Conflict(
            link: LinkKey(ghlId: "g1", espoId: "e1"), field: "phone", base: .string("1"), ghl: .string("2"),
            espo: .string("3"), policy: .manual, resolution: .queued)
        try store.queueConflicts([conflict], entity: "contact", run: newer)

        let database = try DatabaseQueue(path: folder.file())
        try database.write { db in
            for (id, received, applied) in [(1, -90.0, nil), (2, -30.0, nil), (3, -600.0, -500.0)] as [(Int, Double, Double?)] {
                try db.execute(
                    sql: """
                        INSERT INTO inbox (id, source, event, object, side, record_id, received_at, applied_at)
                        VALUES (?, 'ghl', 'ContactUpdate', 'contact', 'ghl', ?, ?, ?)
                        """,
                    arguments: [id, "c\(id)", Self.millis(Self.date.addingTimeInterval(received)),
                                applied.map { Self.millis(Self.date.addingTimeInterval($0)) }])
            }
        }

        let exposition = Exposition()
        try SyncMetrics(factory: exposition.factory).refresh(store: store, at: Self.date)
        let samples = try Samples(exposition.text())
        #expect(samples["espo_ghl_sync_conflicts_pending"] == 1)
        #expect(samples["espo_ghl_sync_failed_operations_pending"] == 2)
        #expect(samples["espo_ghl_sync_inbox_depth"] == 2)
        #expect(samples["espo_ghl_sync_inbox_oldest_age_seconds"] == 90)
        #expect(samples["espo_ghl_sync_failed_operations_pending_runs"] == 0)  // the run has not finished

        try store.finishRun(newer, status: "partial", at: Self.date, summary: .object([
            "entities": .object(["contact": .object(["failed": 2])]),
        ]))
        try SyncMetrics(factory: exposition.factory).refresh(store: store, at: Self.date.addingTimeInterval(10))
        let later = try Samples(exposition.text())
        #expect(later["espo_ghl_sync_failed_operations_pending_runs"] == 1)
        #expect(later["espo_ghl_sync_inbox_oldest_age_seconds"] == 100)
    }

    @Test func theFailureStreakCountsFinishedRunsInARowAndPassesOverRunsThatStoppedEarly() throws {
        let folder = try TemporaryFolder(prefix: "metrics")
        let store = try StateStore(path: folder.file())
        func run(_ status: String, failed: Int?, mode: String = "sync") throws {
            let id = try store.beginRun(mode: mode, at: Self.date)
            let summary: JSON = failed.map { .object(["entities": .object(["contact": .object(["failed": .number(Double($0))])])]) }
                ?? .object(["error": "the GHL API is unreachable"])
            try store.finishRun(id, status: status, at: Self.date, summary: summary)
        }
        #expect(try store.health().runsWithFailures == 0)
        try run("partial", failed: 2)
        try run("ok", failed: 0)
        try run("partial", failed: 1)
        try run("failed", failed: nil)
        try run("interrupted", failed: 4)
        try run("aborted", failed: nil)
        try run("partial", failed: 1, mode: "plan")
        try run("partial", failed: 1)
        _ = try store.beginRun(mode: "sync", at: Self.date)  // still running
        #expect(try store.health().runsWithFailures == 3)
        try run("ok", failed: 0)
        #expect(try store.health().runsWithFailures == 0)
    }

    // MARK: API calls

    @Test func apiCallsAreCountedByStatusClassAsTheyAreAnswered() async throws {
        let server = try await EmulatorServer.start(StatusAPI(), faults: Faults(throttleBurst: 2))
        let exposition = Exposition()
        let metrics = SyncMetrics(factory: exposition.factory)
        let observer: CallObserver = { metrics.apiCall(service: $0.service, status: $0.status) }
        let ghl = APITransport(
            service: "GHL", contractName: "ghl", baseURL: server.baseURL, credentials: nil,
            pacer: Pacer(RateLimit(requests: 100, interval: .milliseconds(50), concurrency: 1)),
            retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(1)), observer: observer)
        _ = try await ghl.send(Request(.get, "/status/200"))  // two 429s, then 200
        _ = try await ghl.send(Request(.post, "/status/201", isIdempotent: false))
        for status in [300, 404, 422, 503] {
            await #expect(throws: APIError.self) { _ = try await ghl.send(Request(.get, "/status/\(status)")) }
        }
        // A write whose answer is lost (sent once, never retried): an error, counted for EspoCRM.
        let lossy = try await EmulatorServer.start(StatusAPI(), faults: Faults(lostAnswerRate: 1))
        let espo = APITransport(
            service: "EspoCRM", contractName: "espo", baseURL: lossy.baseURL, credentials: nil,
            pacer: Pacer(RateLimit(requests: 100, interval: .seconds(1), concurrency: 1)),
            retry: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(1)), observer: observer)
        await #expect(throws: APIError.self) { _ = try await espo.send(Request(.post, "/status/201", isIdempotent: false)) }
        await lossy.stop()

        let samples = try Samples(exposition.text())
        let calls = samples.series(named: "espo_ghl_sync_api_calls_total")
        #expect(calls[["service": "ghl", "status_class": "2xx"]] == 2)
        #expect(calls[["service": "ghl", "status_class": "3xx"]] == 1)
        #expect(calls[["service": "ghl", "status_class": "4xx"]] == 4)  // two 429s, 404, 422
        #expect(calls[["service": "ghl", "status_class": "5xx"]] == 3)  // a read retried to its third attempt
        #expect(calls[["service": "ghl", "status_class": "error"]] == 0)
        #expect(calls[["service": "espo", "status_class": "error"]] == 1)
        #expect(calls[["service": "espo", "status_class": "2xx"]] == 0)
        #expect(samples.series(named: "espo_ghl_sync_api_throttled_total") == [["service": "ghl"]: 2, ["service": "espo"]: 0])
        // The server saw exactly what was counted, class by class.
        let seen = await server.log.entries.map { "\($0.status / 100)xx" }
        for statusClass in ["2xx", "3xx", "4xx", "5xx"] {
            #expect(Double(seen.count { $0 == statusClass }) == calls[["service": "ghl", "status_class": statusClass]], "\(statusClass)")
        }
        #expect(ghl.counts.requests == seen.count)
        await server.stop()
    }

    @Test func statusClassesCoverEveryAnswerAndNone() {
        #expect(StatusClass.of(200) == "2xx")
        #expect(StatusClass.of(204) == "2xx")
        #expect(StatusClass.of(301) == "3xx")
        #expect(StatusClass.of(429) == "4xx")
        #expect(StatusClass.of(599) == "5xx")
        #expect(StatusClass.of(nil) == "error")
        #expect(StatusClass.of(102) == "error")
    }

    // MARK: Fixtures

    /// Contact: a link, an update and a create applied, an update failed, two records not created, a
    /// clear not written, one conflict queued and one settled. Business: an update applied, one row
    /// unreadable. Task: two creates applied.
    static var partialSummary: RunSummary {
        let failedUpdate = Plan.Operation(action: .update, target: .espo, ghlId: "g3", espoId: "e3")
        let contact = Plan(
            entity: "contact",
            operations: [
                .init(action: .link, ghlId: "g1", espoId: "e1"), .init(action: .update, target: .ghl, ghlId: "g2", espoId: "e2"),
                failedUpdate, .init(action: .create, target: .espo, ghlId: "g4"),
            ],
            conflicts: [
                Conflict(link: LinkKey(ghlId: "g2", espoId: "e2"), field: "phone", base: nil, ghl: .string("1"),
                         espo: .string("2"), policy: .manual, resolution: .queued),
                Conflict(link: LinkKey(ghlId: "g2", espoId: "e2"), field: "city", base: nil, ghl: .string("Austin"),
                         espo: .string("Dallas"), policy: .newestWins, resolution: .took(.ghl)),
            ],
            skipped: [
                Skip(side: .ghl, id: "g5", reason: .missingRequired(fields: ["lastName"])),
                Skip(side: .espo, id: "e6", reason: .matchesLinked(ids: ["g1"])),
                Skip(side: .ghl, id: "g2", reason: .requiredOnTarget(field: "lastName")),
            ])
        let business = Plan(entity: "business", operations: [.init(action: .update, target: .ghl, ghlId: "b1", espoId: "a1")])
        let task = Plan(
            entity: "task",
            operations: [.init(action: .create, target: .ghl, espoId: "t1"), .init(action: .create, target: .espo, ghlId: "t2")])
        return RunSummary(
            mode: .sync,
            entities: [
                .init(plan: contact, failures: [.init(operation: failedUpdate, message: "422 phone invalid")], applied: 3),
                .init(plan: business, applied: 1,
                      unreadable: [UnreadableRow(id: "a2", field: "modifiedAt", endpoint: "GET /Account", message: "not a date")]),
                .init(plan: task, applied: 2),
            ],
            apiCalls: PerSide(ghl: 5, espo: 4))
    }

    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
}

/// `GET|POST /status/{code}` answers with that status.
struct StatusAPI: EmulatedAPI {
    let contractName = "test"

    func route(_ request: ServedRequest) -> Route? {
        request.segments.count == 2 && request.segments[0] == "status"
            ? Route("\(request.method) /status/{code}", isWrite: request.method != "GET") : nil
    }

    func respond(to request: ServedRequest) async -> ServedResponse {
        let status = Int(request.segments[1]) ?? 400
        return .json(status, .object(["status": .number(Double(status))]))
    }
}

/// The samples of a Prometheus text exposition, read strictly: every line must be `# HELP`, `# TYPE`
/// or `name{label="value",…} value`, as node_exporter's textfile collector requires.
struct Samples {
    struct Malformed: Error, CustomStringConvertible {
        var line: String
        var description: String { "not a Prometheus sample, # HELP or # TYPE line: \(line)" }
    }

    /// Samples by name, then label set.
    private(set) var byName: [String: [[String: String]: Double]] = [:]
    /// The `# TYPE` of each name.
    private(set) var types: [String: String] = [:]

    init(_ text: String) throws {
        let sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*)\})? (\S+)$/
        let label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty { continue }
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                guard parts.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else {
                    throw Malformed(line: String(line))
                }
                types[String(parts[2])] = String(parts[3])
                continue
            }
            if line.hasPrefix("# HELP ") { continue }
            guard let match = try sample.wholeMatch(in: line), let value = Double(match.output.3) else {
                throw Malformed(line: String(line))
            }
            var labels: [String: String] = [:]
            if let list = match.output.2 {
                for pair in list.matches(of: label) { labels[String(pair.output.1)] = String(pair.output.2) }
            }
            byName[String(match.output.1), default: [:]][labels] = value
        }
    }

    /// The value of `name` with exactly `labels`; nil when there is no such sample.
    subscript(name: String, labels: [String: String] = [:]) -> Double? { byName[name]?[labels] }

    /// Every sample of `name`, by label set.
    func series(named name: String) -> [[String: String]: Double] { byName[name] ?? [:] }
}
