/// What `espo-ghl-sync --version` prints: the release and the commit it was built from.
public enum Version {
    /// The release number, raised with each issue that ships.
    public static let number = "0.12.0"

    /// The commit (12 hex digits, `-dirty` with uncommitted changes, `unknown` outside a git clone).
    public static let commit = buildCommit

    /// `espo-ghl-sync 0.12.0 (commit 1a2b3c4d5e6f)`.
    public static var text: String { "espo-ghl-sync \(number) (commit \(commit))" }
}
