import Emulation
import Foundation

/// What a sandbox's faults did, in lines a person reads: one per injected fault as it happens
/// (`emulate`'s stderr), and the totals from an emulator's request log (`demo`).
enum FaultLines {
    /// `ghl: injected fault on POST /contacts/: 500 before processing`, or for a 429 of the GHL
    /// emulator's own window `ghl: rate limit on GET /contacts/: 429 (100 requests per 10 s)`; nil
    /// for a request answered as asked.
    static func line(side: String, _ entry: RequestLog.Entry, limit: BurstLimit?) -> String? {
        let request = entry.endpoint  // `POST /contacts/`: the method and the spec's path
        if entry.fault != .none {
            let key = FaultSpec.Key(entry.fault)?.rawValue ?? entry.fault.rawValue
            return "\(side): injected fault \(key) on \(request): \(entry.fault.effect)"
        }
        if entry.status == 429 {
            return "\(side): rate limit on \(request): 429\(limit.map { " (\($0))" } ?? "")"
        }
        return nil
    }

    /// Prints `line` for each fault `server` injects from now on, on stderr.
    static func watch(_ server: EmulatorServer, side: String, limit: BurstLimit?) async {
        await server.log.watch { entry in
            if let line = line(side: side, entry, limit: limit) { Console.err(line + "\n") }
        }
    }

    /// The faults in a request log: `500 ×12, drop ×5, 429 ×3 injected in 1 234 requests; 2 429s of
    /// the rate limit`.
    static func totals(_ log: RequestLog) async -> (text: String, injected: Int) {
        let counts = await log.faultCounts
        let requests = await log.entries.count
        let limited = await log.throttled - (counts[.throttled] ?? 0)
        let injected = counts.values.reduce(0, +)
        let items = FaultSpec.Key.allCases.compactMap { key in counts[key.fault].map { "\(key.rawValue) ×\($0)" } }
        var text = items.isEmpty ? "no fault injected in \(requests) requests" : items.joined(separator: ", ") + " injected in \(requests) requests"
        if limited > 0 { text += "; \(limited) answered 429 by the rate limit" }
        return (text, injected)
    }
}
