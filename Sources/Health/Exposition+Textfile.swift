import Foundation

extension Exposition {
    /// Writes the metrics to `path` for node_exporter's textfile collector, atomically: into
    /// `PATH.tmp.<pid>` in the same folder, then renamed over `path`, so a reader never sees half a file.
    public func writeTextfile(to path: String) throws(TextfileError) {
        let temporary = "\(path).tmp.\(getpid())"
        do {
            try Data(bytes()).write(to: URL(fileURLWithPath: temporary))
        } catch {
            throw TextfileError(path: path, reason: "cannot write \(temporary): \(error.localizedDescription)")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw TextfileError(path: path, reason: "cannot rename \(temporary) to it: \(reason)")
        }
    }
}

/// The metrics file could not be written: which file, and why.
public struct TextfileError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "cannot write the metrics file \(path): \(reason)" }
}
