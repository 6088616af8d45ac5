import ArgumentParser

/// `completions SHELL`: the shell completion script swift-argument-parser generates for every command.
struct CompletionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "completions",
        abstract: "Print the completion script for bash, zsh or fish (make install puts them where each shell looks).",
        discussion: """
            bash: espo-ghl-sync completions bash > ~/.local/share/bash-completion/completions/espo-ghl-sync
            zsh:  espo-ghl-sync completions zsh > ~/.zfunc/_espo-ghl-sync   (with fpath+=~/.zfunc before compinit)
            fish: espo-ghl-sync completions fish > ~/.config/fish/completions/espo-ghl-sync.fish
            """)

    @Argument(help: "bash, zsh or fish.") var shell: Shell

    enum Shell: String, ExpressibleByArgument, CaseIterable {
        case bash, zsh, fish
        var completionShell: CompletionShell {
            switch self {
            case .bash: .bash
            case .zsh: .zsh
            case .fish: .fish
            }
        }
    }

    func run() throws {
        Console.out(Root.completionScript(for: shell.completionShell))
    }
}
