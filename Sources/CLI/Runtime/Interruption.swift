import Dispatch
import Engine
import Foundation

/// SIGINT and SIGTERM during a run: the first stops the engine from issuing new operations (those in
/// flight finish and are committed, then the run exits 130); a second one exits at once, which the
/// journal makes safe too.
final class Interruption {
    let stop = StopSignal()
    private let sources: [any DispatchSourceSignal]

    /// `stopping` is what the first signal prints: by default a run's promise to finish what is in flight.
    init(stopping: String = "stopping: no new operations; finishing those in flight (interrupt again to quit now)") {
        let stop = self.stop
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if stop.isSet {
                    FileHandle.standardError.write(Data("\ninterrupted again: exiting now; the journal lets the next run finish the work\n".utf8))
                    exit(130)
                }
                stop.stop()
                FileHandle.standardError.write(Data("\n\(stopping)\n".utf8))
            }
            source.resume()
            return source
        }
    }
}
