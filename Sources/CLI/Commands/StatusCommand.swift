import ArgumentParser
import Engine
import Foundation
import StateStore
import SyncCore

/// `status`: the last runs, their counts and failures, and the conflicts waiting for a person.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the last runs, failed operations and pending conflicts.")
    @OptionGroup var global: GlobalOptions

    @Option(help: "How many runs to show.")
    var runs = 5

    func run() async throws {
        let config = try global.loadConfig()
        let store = try StateAccess.open(config)
        // `serve`'s passes (one per drain or poll) are summed up in one line, not listed.
        let recent = try StateAccess.call { try store.recentRuns(limit: max(1, runs), excludingMode: "serve") }
        let lastPass = try StateAccess.call { try store.recentRuns(limit: 1, mode: "serve") }.first
        // Failures are those of the last sync (a later plan applies nothing and fails nothing).
        let lastSync = try StateAccess.call { try store.recentRuns(limit: 1, mode: "sync") }.first
        let failures = try lastSync.map { run in try StateAccess.call { try store.failures(run: run.id) } } ?? []
        let conflicts = try StateAccess.call { try store.openConflicts(entity: nil) }
        if global.json {
            let document = JSON.object([
                "runs": .array(recent.map { run in
                    .object([
                        "id": .number(Double(run.id)), "mode": .string(run.mode), "status": .string(run.status),
                        "startedAt": .string(StateAccess.format(run.startedAt)),
                        "finishedAt": run.finishedAt.map { .string(StateAccess.format($0)) } ?? .null,
                        "summary": run.summary ?? .null,
                    ])
                }),
                "failures": .array(failures.map { entry in
                    .object([
                        "entity": .string(entry.entity), "action": .string(entry.operation.action.rawValue),
                        "target": entry.operation.target.map { .string($0.rawValue) } ?? .null,
                        "ghlId": entry.operation.ghlId.map(JSON.string) ?? .null,
                        "espoId": entry.operation.espoId.map(JSON.string) ?? .null,
                        "status": .string(entry.status.rawValue), "error": entry.lastError.map(JSON.string) ?? .null,
                    ])
                }),
                "openConflicts": .number(Double(conflicts.count)),
                "serve": lastPass.map { pass in
                    .object([
                        "lastPassAt": .string(StateAccess.format(pass.startedAt)), "status": .string(pass.status),
                        "inboxDepth": .number(Double((try? store.inboxStatus().depth) ?? 0)),
                    ])
                } ?? .null,
            ])
            Console.out(document.serialized() + "\n")
            return
        }
        if recent.isEmpty { Console.out("No run yet. Try `espo-ghl-sync plan`.\n") }
        if let lastPass {
            let depth = (try? store.inboxStatus().depth) ?? 0
            Console.out("serve: last pass \(StateAccess.format(lastPass.startedAt)) (\(lastPass.status)), \(depth) events waiting in the inbox\n")
        }
        for run in recent {
            let finished = run.finishedAt.map { StateAccess.format($0) } ?? "(not finished)"
            Console.out("run \(run.id)  \(run.mode)  \(run.status)  \(StateAccess.format(run.startedAt)) → \(finished)\n")
            if let entities = run.summary?["entities"]?.objectValue {
                for (entity, counts) in entities {
                    let parts = ["create", "update", "delete"].map { action in
                        "\(action) GHL \(StateAccess.count(counts[action]?["ghl"])) / Espo \(StateAccess.count(counts[action]?["espo"]))"
                    }
                    Console.out("    \(entity): \(parts.joined(separator: ", ")), conflicts \(StateAccess.count(counts["conflicts"])), failed \(StateAccess.count(counts["failed"]))\n")
                    let skips = counts["skips"]?.arrayValue ?? []
                    for skip in skips.prefix(20) {
                        let side = skip["side"]?.stringValue.flatMap(Side.init(rawValue:))?.displayName ?? "?"
                        Console.out("      skipped \(side) \(skip["id"]?.stringValue ?? "?"): \(skip["reason"]?.stringValue ?? "")\n")
                    }
                    if skips.count > 20 { Console.out("      … and \(skips.count - 20) more skipped (plan shows them all)\n") }
                    for row in counts["unreadable"]?.arrayValue ?? [] {
                        Console.out("      unreadable row: \(row["endpoint"]?.stringValue ?? "?"): record \(row["id"]?.stringValue ?? "(no id)"), field \(row["field"]?.stringValue ?? "?"): \(row["message"]?.stringValue ?? "")\n")
                    }
                }
            }
            if let error = run.summary?["error"]?.stringValue { Console.out("    error: \(error)\n") }
        }
        if !failures.isEmpty {
            Console.out("\nFailed in the last sync, run \(lastSync?.id ?? 0) (retried next run):\n")
            for entry in failures {
                let ids = [entry.operation.ghlId.map { "ghl \($0)" }, entry.operation.espoId.map { "espo \($0)" }].compactMap { $0 }.joined(separator: ", ")
                Console.out("  \(entry.entity) \(entry.operation.action.rawValue) → \(entry.operation.target?.displayName ?? "-") (\(ids)): \(entry.status.rawValue): \(entry.lastError ?? "")\n")
            }
        }
        Console.out("\nOpen conflicts: \(conflicts.count)\(conflicts.isEmpty ? "" : " — see `espo-ghl-sync conflicts list`")\n")
    }
}

/// Opening the state file for the commands that only read or resolve.
enum StateAccess {
    /// The config's state file; a missing one is an error here (only plan and sync create it).
    static func open(_ config: Config) throws -> StateStore {
        guard FileManager.default.fileExists(atPath: config.state) else {
            throw CommandError("no state file at \(config.state) yet; run `espo-ghl-sync plan` or `sync` first")
        }
        return try call { try StateStore(path: config.state) }
    }

    static func call<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as StateStoreError { throw CommandError(error.description) }
    }

    static func format(_ date: Date) -> String {
        Timestamp.iso8601(Int64(date.timeIntervalSince1970))
    }

    static func count(_ json: JSON?) -> String {
        FieldValue.format(json?.numberValue ?? 0)
    }
}
