import ArgumentParser
import Engine
import Foundation
import Health
import StateStore
import SyncCore
import Transport

/// Options of `plan` and `sync`.
struct RunOptionsGroup: ParsableArguments {
    @Flag(name: .long, help: "List every record on both sides; only a full listing shows deletes.")
    var full = false

    @Flag(name: .long, help: "Let a run delete more than the mass-delete guard allows.")
    var allowMassDelete = false

    @Flag(name: .long, help: "On a terminal, list every operation, not a screenful per action.")
    var all = false
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
        let summary = try await Run.execute(
            .plan, config: try global.loadConfig(), json: global.json, options: run, listsPairs: global.verbose)
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
            it), 1 on a fatal error (state stays consistent), or when an answer stopped the run because every \
            further call would fail (401, 403, GHL's daily quota), 130 when interrupted.
            """)
    @OptionGroup var global: GlobalOptions
    @OptionGroup var run: RunOptionsGroup

    @Option(name: .long, help: ArgumentHelp(
        "After the run, also a failed one, write its metrics to this file for node_exporter's textfile collector.",
        discussion: "Written atomically (PATH.tmp.<pid>, then renamed); name it *.prom in the collector's folder.",
        valueName: "path"))
    var metricsFile: String?

    func validate() throws {
        guard let metricsFile else { return }
        let folder = URL(fileURLWithPath: metricsFile).deletingLastPathComponent().path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw ValidationError("--metrics-file \(metricsFile): the folder \(folder) does not exist; give a file in node_exporter's --collector.textfile.directory")
        }
    }

    func run() async throws {
        LogLines.bootstrap(format: global.logFormat, verbose: global.verbose)
        let exposition = metricsFile.map { _ in Exposition() }
        let metrics = exposition.map { SyncMetrics(factory: $0.factory) }
        let summary: RunSummary
        do {
            let config: Config
            do { config = try global.loadConfig() } catch {
                metrics?.recordFailure(mode: RunSummary.Mode.sync.rawValue, error: error)
                throw error
            }
            summary = try await Run.execute(
                .sync, config: config, json: global.json, options: run, listsPairs: global.verbose, metrics: metrics)
        } catch {
            // The run's own error is what the exit reports; a metrics file that cannot be written is told too.
            do { try writeMetrics(exposition) } catch { Console.err("error: \(error)\n") }
            throw error
        }
        try writeMetrics(exposition)
        if let reason = summary.stoppedBy {
            throw CommandError("""
                the run stopped early: \(reason). Every further call would have failed the same way; what was \
                applied is kept, and the rest is retried next run. `espo-ghl-sync doctor` checks the credentials, \
                the scopes and the role
                """)
        }
        throw ExitCode(summary.interrupted ? 130 : summary.failureCount > 0 || summary.unreadableCount > 0 ? 3 : 0)
    }

    private func writeMetrics(_ exposition: Exposition?) throws {
        guard let exposition, let metricsFile else { return }
        do { try exposition.writeTextfile(to: metricsFile) } catch { throw CommandError(error.description) }
    }
}

/// What `plan` and `sync` share: config, wiring, the engine, the output.
enum Run {
    /// Runs `mode` for `config`, prints the report (JSON with `json`), and returns the summary.
    ///
    /// With `metrics`, both sides' API calls are counted as they are answered, and the run (or its
    /// failure) is recorded and the gauges refreshed from the state file before this returns or throws.
    static func execute(
        _ mode: RunSummary.Mode, config: Config, json: Bool, options: RunOptionsGroup,
        environment: [String: String] = ProcessInfo.processInfo.environment, quietProgress: Bool = false,
        listsPairs: Bool = false, metrics: SyncMetrics? = nil
    ) async throws -> RunSummary {
        var calls: CallObserver?
        if let metrics {
            calls = { (event: CallEvent) in metrics.apiCall(service: event.service, status: event.status) }
        }
        let wiring = Wiring(config: config, environment: environment, calls: calls)
        // A run that cannot start is a failed run too.
        func failed(_ error: any Error) -> any Error {
            metrics?.recordFailure(mode: mode.rawValue, error: error)
            return error
        }
        let mappings: [Mapping]
        do {
            mappings = try MappingCommand.load(config)
            // Secrets are checked before the state file is even opened.
            _ = try wiring.espoClient()
            if case .privateToken = config.ghl.auth { _ = try wiring.ghlClient(store: nil) }
        } catch { throw failed(error) }
        let progress = ProgressLine(terminal: Console.stderrIsTerminal, quiet: quietProgress || (json && !Console.stderrIsTerminal))
        let interruption = Interruption()
        let engine: Engine
        do {
            engine = try Engine.open(
                statePath: config.state, mappings: mappings, settings: config.sync,
                connectors: { store in try wiring.connectors(store: store) }, stop: interruption.stop, progress: progress.handle)
        } catch let error as EngineError {
            throw failed(CommandError(error.description))
        } catch { throw failed(error) }
        let summary: RunSummary
        do {
            summary = try await engine.run(RunOptions(mode: mode, full: options.full, allowMassDelete: options.allowMassDelete))
        } catch {
            if let metrics {
                metrics.recordFailure(mode: mode.rawValue, error: error)
                do { try metrics.refresh(store: engine.store) } catch { Console.err("error: \(error.description)\n") }
            }
            progress.finish()
            if json {
                Console.out(JSON.object(["mode": .string(mode.rawValue), "error": .string(error.description)]).serialized() + "\n")
            }
            throw CommandError(error.description)
        }
        progress.finish()
        withExtendedLifetime(interruption) {}
        do { try metrics?.record(summary, store: engine.store) } catch {
            throw CommandError("the run finished, but its metrics could not be recorded: \(error.description)")
        }
        if json {
            Console.out(summary.json.serialized() + "\n")
        } else {
            Console.out(TextReport(colour: Console.stdoutIsTerminal, layout: layout(all: options.all, listsPairs: listsPairs)).render(summary))
        }
        return summary
    }

    /// On a terminal, a screenful per action and the matched pairs only when asked for; to a file or a
    /// pipe, everything.
    static func layout(all: Bool, listsPairs: Bool) -> TextReport.Layout {
        guard let rows = Console.terminalRows else { return .complete }
        return TextReport.Layout(linesPerGroup: all ? nil : max(8, rows - 4), listsPairs: listsPairs)
    }
}
