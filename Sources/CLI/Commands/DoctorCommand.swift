import ArgumentParser
import Foundation

/// `doctor`: checks a setup without writing anything, one line per check with the fix under each failure.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check everything a sync needs, without writing to either system or to the state file.",
        discussion: """
            Checks in order: config, mappings, secrets, state file; GoHighLevel (reachable, token, location, \
            scopes per mapping) and EspoCRM (reachable, API user, access per mapping, attributes); each server's \
            clock against this machine's (60 s at most). A check that cannot run because an earlier one failed \
            is skipped. Exit 0 when no check fails, 1 otherwise.
            """)
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        LogLines.bootstrap(format: global.logFormat, verbose: global.verbose)
        let report = await Doctor(file: global.config, environment: ProcessInfo.processInfo.environment).run()
        if global.json {
            Console.out(report.json.serialized() + "\n")
        } else {
            Console.out(report.text(colour: Console.stdoutIsTerminal))
        }
        if !report.ok { throw ExitCode(1) }
    }
}
