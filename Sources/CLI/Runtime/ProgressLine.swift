import Engine
import Foundation
import Synchronization

/// Progress of long fetches and applies on stderr: counts, rate and time left. On a terminal it
/// redraws one line; elsewhere (cron, a log file) it prints a line at most every 30 seconds. Notes
/// always print.
final class ProgressLine: Sendable {
    private struct State {
        var lastPrint = ContinuousClock.now
        var phaseStart = ContinuousClock.now
        var phase = ""
        var drawn = false
    }

    private let terminal: Bool
    private let quiet: Bool
    private let state = Mutex(State())

    init(terminal: Bool, quiet: Bool) {
        self.terminal = terminal
        self.quiet = quiet
    }

    func handle(_ event: ProgressEvent) {
        switch event {
        case .note(let text):
            clear()
            FileHandle.standardError.write(Data("note: \(text)\n".utf8))
        case .fetched(let entity, let side, let count, let full):
            update(phase: "fetch \(entity) \(side.displayName)", text: "\(full ? "listing all" : "listing changes"): \(count) records", done: count, total: nil)
        case .planned(let entity, let writes):
            update(phase: "plan \(entity)", text: "planned \(writes) writes", done: 0, total: nil, force: true)
        case .applied(let entity, let done, let total):
            update(phase: "apply \(entity)", text: "applied \(done) of \(total)", done: done, total: total, force: done == total)
        }
    }

    /// Ends the progress line so the report starts on a clean line.
    func finish() { clear() }

    private func update(phase: String, text: String, done: Int, total: Int?, force: Bool = false) {
        guard !quiet else { return }
        let now = ContinuousClock.now
        let line: String? = state.withLock { state in
            if state.phase != phase {
                state.phase = phase
                state.phaseStart = now
            }
            let interval: Duration = terminal ? .milliseconds(200) : .seconds(30)
            guard force || now - state.lastPrint >= interval else { return nil }
            state.lastPrint = now
            let elapsed = Double((now - state.phaseStart).components.seconds) + Double((now - state.phaseStart).components.attoseconds) / 1e18
            var line = "\(phase): \(text)"
            if elapsed > 0.5, done > 0 {
                let rate = Double(done) / elapsed
                line += String(format: ", %.1f/s", rate)
                if let total, total > done, rate > 0 {
                    line += ", about \(Int((Double(total - done) / rate).rounded(.up))) s left"
                }
            }
            state.drawn = terminal
            return line
        }
        guard let line else { return }
        FileHandle.standardError.write(Data((terminal ? "\r\u{1B}[2K" + line : line + "\n").utf8))
    }

    private func clear() {
        let drawn = state.withLock { state in
            defer { state.drawn = false }
            return state.drawn
        }
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
    }
}
