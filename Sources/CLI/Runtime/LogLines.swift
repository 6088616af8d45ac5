import Foundation
import Logging
import SyncCore

/// swift-log lines on stderr, as text or one JSON object per line (`--log-format`).
///
/// Nothing logged in this project carries a credential: the transport logs endpoints, statuses and
/// attempts only, and errors never hold tokens.
struct LogLines: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level
    let label: String
    let json: Bool

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let time = Timestamp.iso8601(Int64(Date().timeIntervalSince1970))
        var line: String
        if json {
            var object: JSONObject = [
                "time": .string(time), "level": .string(event.level.rawValue), "label": .string(label),
                "message": .string("\(event.message)"),
            ]
            for (key, value) in merged.sorted(by: { $0.key < $1.key }) { object[key] = .string("\(value)") }
            line = JSON.object(object).serialized()
        } else {
            line = "\(time) \(event.level.rawValue) \(label): \(event.message)"
            for (key, value) in merged.sorted(by: { $0.key < $1.key }) { line += " \(key)=\(value)" }
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Sends every logger of the process to stderr in `format`, at `debug` when verbose, else `notice`.
    static func bootstrap(format: LogFormat, verbose: Bool) {
        LoggingSystem.bootstrap { label in
            LogLines(logLevel: verbose ? .debug : .notice, label: label, json: format == .json)
        }
    }
}
