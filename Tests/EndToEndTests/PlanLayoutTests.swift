import Foundation
import SyncCore
import Testing
import TestSupport

/// `plan` as a person sees it at a terminal (a pseudo-terminal from util-linux's `script`), against
/// a world big enough to fill more than a screen, and the same plan sent to a pipe.
@Suite(.serialized) struct PlanLayoutTests {
    /// Runs `espo-ghl-sync ARGUMENTS` on a pseudo-terminal LINES lines high; the text it showed.
    func onATerminal(_ h: Harness, _ arguments: [String], lines: Int) async throws -> String {
        let command = ([h.binary] + arguments + ["--config", h.folder.file("espo-ghl-sync.json")])
            .map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", command, "/dev/null"]
        process.environment = h.environment.merging(["LINES": String(lines), "TERM": "dumb"]) { $1 }
        process.currentDirectoryURL = URL(fileURLWithPath: h.folder.path)
        let output = h.folder.file(UUID().uuidString + ".tty")
        FileManager.default.createFile(atPath: output, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        #expect(process.terminationStatus == 2, "plan with changes pending exits 2")
        let text = try String(contentsOfFile: output, encoding: .utf8)
        // Without the colours, and each redraw of the progress line on a line of its own.
        return text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .replacingOccurrences(of: "\u{1B}\\[[0-9;]*[A-Za-z]", with: "", options: .regularExpression)
    }

    @Test func aTerminalGetsTheSummaryFirstAndAScreenfulPerActionAPipeGetsEverything() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else {
            Issue.record("util-linux's script is needed to give plan a terminal")
            return
        }
        let h = try await Harness(people: 600)
        defer { Task { await h.stop() } }
        let piped = try await h.run(["plan"])
        #expect(piped.code == 2, "\(piped)")
        let json = try #require(try await h.run(["plan", "--json"]).json)
        let creates = try #require(json["operations"]?.arrayValue).count {
            $0["action"]?.stringValue == "create" && $0["target"]?.stringValue == "ghl"
        }
        #expect(creates > 40, "the world must plan more creates than a screen holds: \(creates)")

        // A pipe gets every create and every pair.
        let pipedCreates = piped.stdout.split(separator: "\n").count { $0.hasPrefix("    + from espo ") }
        #expect(pipedCreates == creates)
        #expect(!piped.stdout.contains("more operations"))
        #expect(piped.stdout.contains("    = ghl "))

        // A terminal 30 lines high: the summary first, then at most 26 lines of creates, the rest counted.
        let screen = try await onATerminal(h, ["plan"], lines: 30)
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
        let table = try #require(lines.firstIndex { $0.hasPrefix("entity") }, "\(screen.debugDescription.prefix(3000))")
        let section = try #require(lines.firstIndex { $0.hasPrefix("Contacts — plan") }, "\(screen.prefix(2000))")
        #expect(table < section)
        let shown = lines.count { $0.hasPrefix("    + from espo ") }
        #expect(shown > 0 && shown < creates)
        #expect(screen.contains("more operations (--all lists them)"), "\(screen.prefix(3000))")
        #expect(screen.contains("; --verbose lists them"))
        #expect(!screen.contains("    = ghl "))

        // --all: every operation; --verbose: the pairs too.
        let all = try await onATerminal(h, ["plan", "--all"], lines: 30)
        #expect(all.split(separator: "\n").count { $0.hasPrefix("    + from espo ") } == creates)
        #expect(!all.contains("more operations"))
        let verbose = try await onATerminal(h, ["plan", "--verbose"], lines: 30)
        #expect(verbose.contains("    = ghl "))
        // Nothing of this wrote anything.
        #expect(await h.writes() == (0, 0))
    }
}
