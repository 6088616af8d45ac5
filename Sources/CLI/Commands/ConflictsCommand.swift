import ArgumentParser
import Foundation
import StateStore
import SyncCore

/// `conflicts list` and `conflicts resolve ID --take ghl|espo`.
struct ConflictsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts", abstract: "List conflicts waiting for a person, or resolve one.",
        subcommands: [List.self, Resolve.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the open conflicts.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let store = try StateAccess.open(try global.loadConfig())
            let open = try StateAccess.call { try store.openConflicts(entity: nil) }
            if global.json {
                Console.out(JSON.array(open.map { stored in
                    let conflict = stored.conflict
                    return .object([
                        "id": .number(Double(stored.id)), "entity": .string(stored.entity),
                        "ghlId": .string(conflict.link.ghlId), "espoId": .string(conflict.link.espoId),
                        "field": .string(conflict.field), "base": conflict.base?.json ?? .null,
                        "ghl": conflict.ghl?.json ?? .null, "espo": conflict.espo?.json ?? .null,
                    ])
                }).serialized() + "\n")
                return
            }
            if open.isEmpty { Console.out("No open conflicts.\n") }
            for stored in open {
                let conflict = stored.conflict
                Console.out("#\(stored.id)  \(stored.entity) ghl \(conflict.link.ghlId) ⇄ espo \(conflict.link.espoId)  \(conflict.field)\n")
                Console.out("      was \(conflict.base?.displayText ?? "(nothing)"); GoHighLevel \(conflict.ghl?.displayText ?? "(deleted)"); EspoCRM \(conflict.espo?.displayText ?? "(deleted)")\n")
            }
            if !open.isEmpty { Console.out("Resolve with: espo-ghl-sync conflicts resolve ID --take ghl|espo (applied by the next sync)\n") }
        }
    }

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Choose the side whose value wins; the next sync applies it.")
        @OptionGroup var global: GlobalOptions

        @Argument(help: "The conflict's number, from `conflicts list`.")
        var id: Int64

        @Option(help: "The side whose value wins: ghl or espo.")
        var take: Side

        func run() async throws {
            let store = try StateAccess.open(try global.loadConfig())
            try StateAccess.call { try store.resolveConflict(id: id, take: take) }
            Console.out("Conflict #\(id) resolved: \(take.displayName) wins; the next sync applies it.\n")
        }
    }
}

extension Side: ExpressibleByArgument {}
