import Foundation

/// A folder made for one test and removed when the value goes away.
public final class TemporaryFolder: Sendable {
    public let path: String

    public init(prefix: String = "espo-ghl-sync-test") throws {
        let template = FileManager.default.temporaryDirectory.path + "/\(prefix)-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard let made = mkdtemp(&bytes) else { throw CocoaError(.fileWriteUnknown) }
        path = String(cString: made)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// The path of `name` in the folder.
    public func file(_ name: String = "state.sqlite") -> String { path + "/" + name }

    /// The names in the folder.
    public func names() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }
}

/// The executables this package builds, found beside the test bundle (`swift build --build-tests`
/// builds every product before `swift test --skip-build` runs).
public enum BuiltProduct {
    public struct NotBuilt: Error, CustomStringConvertible {
        public var description: String
    }

    /// The path of the executable product `name`.
    public static func path(_ name: String) throws -> String {
        var folders: [URL] = []
        for start in [URL(fileURLWithPath: CommandLine.arguments[0]), URL(fileURLWithPath: Bundle.main.bundlePath)] {
            var url = start.standardizedFileURL.resolvingSymlinksInPath()
            folders.append(url.deletingLastPathComponent())
            while url.path != "/" {
                if url.pathExtension == "xctest" { folders.append(url.deletingLastPathComponent()) }
                url = url.deletingLastPathComponent()
            }
        }
        var seen = Set<String>()
        folders = folders.filter { seen.insert($0.path).inserted }
        for folder in folders {
            let candidate = folder.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw NotBuilt(description: """
            \(name) is not built beside the tests (looked in \(folders.map(\.path).joined(separator: ", "))): \
            build it with `swift build --build-tests` (which builds every product) before `swift test --skip-build`
            """)
    }
}

/// What a child process says first: its output up to the first newline (or its end), trimmed; for
/// crash tests that wait for a probe to reach the point where it is killed.
public func firstLine(of pipe: Pipe) async -> String {
    let reader = pipe.fileHandleForReading
    return await Task.detached {
        var data = Data()
        while !data.contains(0x0A) {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            data += chunk
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }.value
}
