import Emulation
import Foundation
import SyncCore
import Testing

/// `sync --metrics-file`: the built binary against both emulators writes node_exporter's textfile,
/// whose API call counts are what the emulators' request logs saw.
@Suite(.serialized) struct MetricsFileTests {
    @Test func aSyncWritesTheTextfileWithItsRunItsOperationsAndTheCallsTheEmulatorsSaw() async throws {
        let h = try await Harness()
        for n in 0..<4 { await h.person(n) }
        for n in 4..<6 { await h.person(n, on: [.ghl]) }
        await h.person(6, on: [.espo])
        await h.resetRequestLogs()
        // The first three GHL requests are answered 429: waited out, and counted.
        await h.sandbox.ghlServer.setFaults(Faults(throttleBurst: 3))
        let started = Date().timeIntervalSince1970
        let sync = try await h.run(["sync", "--json", "--metrics-file", "sync.prom"])
        #expect(sync.code == 0, "\(sync)")
        let text = try String(contentsOfFile: h.folder.file("sync.prom"), encoding: .utf8)
        let metrics = try Textfile(text)

        #expect(metrics.series("espo_ghl_sync_runs_total") == [["mode": "sync", "outcome": "ok"]: 1], "\(text)")
        #expect(metrics.types["espo_ghl_sync_runs_total"] == "counter")
        #expect(metrics.types["espo_ghl_sync_inbox_depth"] == "gauge")
        let operations = metrics.series("espo_ghl_sync_operations_total")
        #expect(operations[["entity": "contact", "action": "link", "outcome": "applied"]] == 4, "\(text)")
        #expect(operations[["entity": "contact", "action": "create", "outcome": "applied"]] == 3, "\(text)")
        #expect(operations.keys.allSatisfy { $0["outcome"] != "failed" }, "\(text)")
        #expect(count(sync.json, "create", .espo) == 2 && count(sync.json, "create", .ghl) == 1, "\(sync)")

        for (service, log) in [("ghl", h.sandbox.ghlServer.log), ("espo", h.sandbox.espoServer.log)] {
            let entries = await log.entries
            #expect(!entries.isEmpty)
            for statusClass in ["2xx", "3xx", "4xx", "5xx", "error"] {
                let seen = entries.count { Self.statusClass($0.status) == statusClass }
                #expect(metrics["espo_ghl_sync_api_calls_total", ["service": service, "status_class": statusClass]] == Double(seen),
                        "\(service) \(statusClass)\n\(text)")
            }
            #expect(metrics["espo_ghl_sync_api_throttled_total", ["service": service]] == Double(await log.throttled), "\(text)")
        }
        #expect(metrics["espo_ghl_sync_api_throttled_total", ["service": "ghl"]] == 3)

        let lastRun = try #require(metrics["espo_ghl_sync_last_run_timestamp_seconds"])
        #expect(lastRun >= started && lastRun <= Date().timeIntervalSince1970)
        let successes = metrics.series("espo_ghl_sync_last_success_timestamp_seconds")
        #expect(Set(successes.keys.compactMap { $0["entity"] }) == ["contact", "business"], "\(text)")
        #expect(successes.values.allSatisfy { abs($0 - lastRun) < 0.001 }, "\(text)")  // the file keeps milliseconds
        for gauge in ["conflicts_pending", "failed_operations_pending", "failed_operations_pending_runs", "inbox_depth",
                      "inbox_oldest_age_seconds"] {
            #expect(metrics["espo_ghl_sync_" + gauge] == 0, "\(gauge)\n\(text)")
        }
        #expect(!h.folder.names().contains { $0.contains(".tmp.") }, "\(h.folder.names())")

        // The next night's file replaces this one: a new process counts its own run, the last success
        // moves on, and only the calls of that run are in it.
        await h.resetRequestLogs()
        let again = try await h.run(["sync", "--metrics-file", "sync.prom"])
        #expect(again.code == 0, "\(again)")
        let next = try Textfile(try String(contentsOfFile: h.folder.file("sync.prom"), encoding: .utf8))
        #expect(next.series("espo_ghl_sync_runs_total") == [["mode": "sync", "outcome": "ok"]: 1])
        #expect(next.series("espo_ghl_sync_operations_total").keys.allSatisfy { $0["action"] != "create" })
        #expect(try #require(next["espo_ghl_sync_last_success_timestamp_seconds", ["entity": "contact"]]) > lastRun)
        let calls = next.series("espo_ghl_sync_api_calls_total").filter { $0.key["service"] == "ghl" }.values.reduce(0, +)
        #expect(calls == Double(await h.sandbox.ghlServer.log.entries.count))
        await h.stop()
    }

    @Test func aFailedSyncStillWritesItsFileAndAMissingFolderIsRefusedUpFront() async throws {
        let h = try await Harness()
        await h.person(0)
        #expect(try await h.run(["sync", "--metrics-file", "first.prom"]).code == 0)
        await h.resetRequestLogs()
        let failed = try await h.run(["sync", "--metrics-file", "failed.prom"], environment: ["ESPO_API_KEY": "not-the-key"])
        #expect(failed.code == 1, "\(failed)")
        let text = try String(contentsOfFile: h.folder.file("failed.prom"), encoding: .utf8)
        let metrics = try Textfile(text)
        #expect(metrics.series("espo_ghl_sync_runs_total") == [["mode": "sync", "outcome": "failed"]: 1], "\(text)")
        let refused = await h.sandbox.espoServer.log.entries.count { $0.status == 401 }
        #expect(refused > 0)
        #expect(metrics["espo_ghl_sync_api_calls_total", ["service": "espo", "status_class": "4xx"]] == Double(refused), "\(text)")
        // What the state file knew from the run before is still there.
        #expect(metrics["espo_ghl_sync_last_success_timestamp_seconds", ["entity": "contact"]] != nil, "\(text)")
        #expect(metrics["espo_ghl_sync_failed_operations_pending"] == 0)

        let missing = try await h.run(["sync", "--metrics-file", h.folder.file("no-such-folder/sync.prom")])
        #expect(missing.code == 1, "\(missing)")
        #expect(missing.stderr.contains("does not exist"), "\(missing)")
        #expect(h.folder.names().allSatisfy { !$0.contains(".tmp.") && $0 != "no-such-folder" }, "\(h.folder.names())")
        await h.stop()
    }

    /// The request log's status as the metrics' class: 0 is a dropped connection.
    static func statusClass(_ status: Int) -> String {
        (200..<600).contains(status) ? "\(status / 100)xx" : "error"
    }
}

/// A node_exporter textfile read strictly: every line must be `# HELP`, `# TYPE` or
/// `name{label="value",…} value`, and every sample's name must have had its `# TYPE`.
struct Textfile {
    struct Malformed: Error, CustomStringConvertible {
        var line: String
        var description: String { "not a textfile line: \(line)" }
    }

    private(set) var samples: [String: [[String: String]: Double]] = [:]
    private(set) var types: [String: String] = [:]

    init(_ text: String) throws {
        let sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*)\})? (\S+)$/
        let label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/
        guard text.hasSuffix("\n") else { throw Malformed(line: "(the file does not end with a line feed)") }
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# HELP ") { continue }
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                guard parts.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]),
                      types[String(parts[2])] == nil
                else { throw Malformed(line: String(line)) }
                types[String(parts[2])] = String(parts[3])
                continue
            }
            guard let match = try sample.wholeMatch(in: line), let value = Double(match.output.3),
                  types[String(match.output.1)] != nil
            else { throw Malformed(line: String(line)) }
            var labels: [String: String] = [:]
            for pair in (match.output.2 ?? "").matches(of: label) { labels[String(pair.output.1)] = String(pair.output.2) }
            guard samples[String(match.output.1), default: [:]].updateValue(value, forKey: labels) == nil else {
                throw Malformed(line: "\(line) (a second sample of the same series)")
            }
        }
    }

    subscript(name: String, labels: [String: String] = [:]) -> Double? { samples[name]?[labels] }

    func series(_ name: String) -> [[String: String]: Double] { samples[name] ?? [:] }
}
