import ArgumentParser
import Engine
import StateStore
import Foundation
import SyncCore

/// Options of `plan` and `sync`.
struct RunOptionsGroup: ParsableArguments {
    @Flag(name: .long, help: "List every record on both sides; only a full listing shows deletes.")
    var full = false

    @Flag(name: .long, help: "Let a run delete more than the mass-delete guard allows.")
    var allowMassDelete = false
}

/// `plan`: the dry run. Fetches, plans and shows; sends no write to either API.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what a sync would change, field by field, without writing to either system.",
        discussion: "Exit 0 when there is nothing to do, 2 when changes are pending, 3 when a listing held rows that could not be read, 1 on error.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var run: RunOptionsGroup

    @Option(name: .long, help: "Also write the plan as a self-contained HTML page to this file.")
    var html: String?

    func run() async throws {
        LogLines.bootstrap(format: global.logFormat, verbose: global.verbose)
        let summary = try await Run.execute(.plan, config: try global.loadConfig(), json: global.json, options: run)
        if let html {
            let page = HTMLReport.render(summary, generatedAt: Timestamp.iso8601(Int64(Date().timeIntervalSince1970)))
            do { try page.write(toFile: html, atomically: true, encoding: .utf8) } catch {
                throw CommandError("cannot write the HTML report to \(html): \(error.localizedDescription)")
            }
        }
        throw ExitCode(summary.unreadableCount > 0 ? 3 : summary.hasPendingChanges ? 2 : 0)
    }
}

/// `sync`: plan and apply.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "Plan and apply: bring both systems into agreement.",
        discussion: """
            Exit 0 when everything applied, 3 when it finished but some operations failed (they are \
            retried next run) or a listing held rows that could not be read (no delete is inferred from \
            it), 1 on a fatal error (state stays consistent), 130 when interrupted.
            """)
    @OptionGroup var global: GlobalOptions
    @OptionGroup var run: RunOptionsGroup

    func run() async throws {
        LogLines.bootstrap(format: global.logFormat, verbose: global.verbose)
        let summary = try await Run.execute(.sync, config: try global.loadConfig(), json: global.json, options: run)
        throw ExitCode(summary.interrupted ? 130 : summary.failureCount > 0 || summary.unreadableCount > 0 ? 3 : 0)
    }
}

/// What `plan` and `sync` share: config, wiring, the engine, the output.
enum Run {
    /// Runs `mode` for `config`, prints the report (JSON with `json`), and returns the summary.
    static func execute(
        _ mode: RunSummary.Mode, config: Config, json: Bool, options: RunOptionsGroup,
        environment: [String: String] = ProcessInfo.processInfo.environment, quietProgress: Bool = false
    ) async throws -> RunSummary {
        let mappings = try MappingCommand.load(config)
        let wiring = Wiring(config: config, environment: environment)
        // Secrets are checked before the state file is even opened.
        _ = try wiring.espoClient()
        if case .privateToken = config.ghl.auth { _ = try wiring.ghlClient(store: nil) }
        let progress = ProgressLine(terminal: Console.stderrIsTerminal, quiet: quietProgress || (json && !Console.stderrIsTerminal))
        let interruption = Interruption()
        let engine: Engine
        do {
            engine = try Engine.open(
                statePath: config.state, mappings: mappings, settings: config.sync,
                connectors: { store in try wiring.connectors(store: store) }, stop: interruption.stop, progress: progress.handle)
        } catch let error as EngineError {
            throw CommandError(error.description)
        }
        let summary: RunSummary
        do {
            summary = try await engine.run(RunOptions(mode: mode, full: options.full, allowMassDelete: options.allowMassDelete))
        } catch {
            progress.finish()
            if json {
                Console.out(JSON.object(["mode": .string(mode.rawValue), "error": .string(error.description)]).serialized() + "\n")
            }
            throw CommandError(error.description)
        }
        progress.finish()
        withExtendedLifetime(interruption) {}
        if json {
            Console.out(summary.json.serialized() + "\n")
        } else {
            Console.out(TextReport(colour: Console.stdoutIsTerminal).render(summary))
        }
        return summary
    }
}
