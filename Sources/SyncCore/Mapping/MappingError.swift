/// One problem in a file a person wrote (a mapping, a config): the file, where in it, what is wrong, and how to fix it.
public struct DocumentIssue: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// A JSON path such as `$.fields.email.ghl.transforms[1]`.
    public var path: String
    public var message: String
    public var fix: String

    public init(file: String, path: String, message: String, fix: String) {
        self.file = file
        self.path = path
        self.message = message
        self.fix = fix
    }

    public var description: String { "\(file): \(path): \(message). Fix: \(fix)" }
}

/// A mapping that cannot be used, with every problem found in it.
public struct MappingError: Error, Sendable, Hashable, CustomStringConvertible {
    public var issues: [DocumentIssue]

    public init(issues: [DocumentIssue]) {
        self.issues = issues
    }

    public init(file: String, path: String = "$", message: String, fix: String) {
        self.issues = [DocumentIssue(file: file, path: path, message: message, fix: fix)]
    }

    public var description: String { issues.map(\.description).joined(separator: "\n") }
}
