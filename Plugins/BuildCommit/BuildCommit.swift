import Foundation
import PackagePlugin

/// Writes the commit the target is built from into `BuildCommit.swift` (`let buildCommit = "1a2b3c4d5e6f"`,
/// `-dirty` when the work tree has changes, `unknown` outside a git clone), for `--version`. The
/// file is only rewritten when the commit changes, so an unchanged tree rebuilds nothing.
@main
struct BuildCommit: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "generated")
        let script = """
            commit=$(git -C "$1" rev-parse --short=12 HEAD 2>/dev/null) || commit=unknown
            if [ "$commit" != unknown ] && ! git -C "$1" diff --quiet HEAD -- 2>/dev/null; then commit="$commit-dirty"; fi
            mkdir -p "$2"
            printf '/// The commit this binary was built from (written by the BuildCommit plugin).\\nlet buildCommit = "%s"\\n' "$commit" > "$2/.next"
            if cmp -s "$2/.next" "$2/BuildCommit.swift"; then rm -f "$2/.next"; else mv "$2/.next" "$2/BuildCommit.swift"; fi
            """
        return [
            .prebuildCommand(
                displayName: "Recording the commit for --version",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", script, "sh", context.package.directoryURL.path, output.path],
                outputFilesDirectory: output),
        ]
    }
}
