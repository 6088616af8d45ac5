import ArgumentParser
import Foundation

/// `espo-ghl-sync`: keeps an EspoCRM instance and a GoHighLevel location in agreement.
public struct Root: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "espo-ghl-sync",
        abstract: "Keeps EspoCRM and a GoHighLevel location in agreement, both ways, in batches.",
        discussion: """
            Exit codes: 0 done (plan: nothing to do), 1 error, 2 plan: changes pending, \
            3 finished but some operations failed (retried next run) or a listing held unreadable rows, 130 interrupted.
            """,
        version: Version.text,
        subcommands: [
            PlanCommand.self, SyncCommand.self, ServeCommand.self, StatusCommand.self, ConflictsCommand.self, MappingCommand.self,
            AuthCommand.self, EmulateCommand.self, DemoCommand.self, InitCommand.self,
            WebhooksCommand.self, DoctorCommand.self, CompletionsCommand.self,
        ])

    public init() {}
}

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The config file.")
    var config = "espo-ghl-sync.json"

    @Flag(name: .long, help: "Print one JSON object on stdout instead of text.")
    var json = false

    @Flag(name: .long, help: "Log what happens, call by call, on stderr; plan and sync also list the matched pairs.")
    var verbose = false

    @Option(name: .long, help: "Log lines as text or json.")
    var logFormat: LogFormat = .text

    /// The config, or exit 1 with every problem, before any request is sent.
    func loadConfig() throws -> Config {
        do {
            return try Config.load(file: config)
        } catch {
            throw CommandError(error.description)
        }
    }
}

/// How log lines look on stderr.
enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// A fatal error: printed on stderr as `error: …`, exit code 1.
struct CommandError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Writes to stdout and stderr.
enum Console {
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func err(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Whether stdout is a terminal (colour and progress only then).
    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// The terminal's height in lines when stdout is one (`LINES` when the terminal does not say); nil otherwise.
    static var terminalRows: Int? {
        guard stdoutIsTerminal else { return nil }
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0 { return Int(size.ws_row) }
        return ProcessInfo.processInfo.environment["LINES"].flatMap(Int.init) ?? 24
    }
}

extension Root {
    /// Runs the command line and exits with the documented codes; errors go to stderr as `error: …`.
    public static func start(arguments: [String]? = nil) async -> Never {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            Foundation.exit(0)
        } catch let failure as CommandError {
            Console.err("error: \(failure.description)\n")
            Foundation.exit(1)
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            // Help and version requests exit 0; a usage error prints the usage and exits 1.
            let message = fullMessage(for: error)
            if exitCode(for: error) == .success {
                Console.out(message + "\n")
                Foundation.exit(0)
            }
            Console.err(message + "\n")
            Foundation.exit(1)
        }
    }
}
