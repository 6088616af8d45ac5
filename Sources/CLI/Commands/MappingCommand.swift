import ArgumentParser
import Connectors
import Engine
import SyncCore

/// `mapping validate` and `mapping show`.
struct MappingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mapping", abstract: "Check or show the mapping files.",
        subcommands: [Validate.self, Show.self])

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every mapping file; print each problem with its file, key and fix.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let config = try global.loadConfig()
            let mappings = try MappingCommand.load(config)
            if global.json {
                Console.out(JSON.object(["valid": true, "mappings": .array(mappings.map { .string($0.file) })]).serialized() + "\n")
            } else {
                for mapping in mappings { Console.out("ok  \(mapping.file) (\(mapping.entity), \(mapping.fields.count) fields)\n") }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show what each mapping syncs, field by field.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let config = try global.loadConfig()
            for mapping in try MappingCommand.load(config) {
                Console.out(MappingCommand.describe(mapping))
            }
        }
    }

    /// What a run refuses besides the files' own problems, before any request: objects no connector
    /// serves, and references to no mapping's entity (or in a cycle).
    static func problems(in mappings: [Mapping]) -> [String] {
        var problems: [String] = []
        for mapping in mappings {
            for (side, supported) in [(Side.ghl, GHLConnector.objectNames), (.espo, EspoConnector.objectNames)] {
                let object = mapping.sides[side].object
                if !supported.contains(object) {
                    problems.append(EngineError.unsupportedObject(file: mapping.file, side: side, object: object, supported: supported).description)
                }
            }
        }
        do { _ = try EntityOrder.sorted(mappings) } catch { problems.append(error.description) }
        return problems
    }

    /// Every mapping of the config's folder, or a `CommandError` listing every problem.
    static func load(_ config: Config) throws -> [Mapping] {
        do {
            let mappings = try Mapping.loadAll(directory: config.mappings)
            if mappings.isEmpty {
                throw CommandError("no mapping file (*.json) in \(config.mappings); run `espo-ghl-sync init` or set \"mappings\" in \(config.file)")
            }
            let problems = Self.problems(in: mappings)
            if !problems.isEmpty { throw CommandError(problems.joined(separator: "\n")) }
            return mappings
        } catch let error as MappingError {
            throw CommandError(error.description)
        }
    }

    static func describe(_ mapping: Mapping) -> String {
        var lines = [
            "\(mapping.entity)  (\(mapping.file))",
            "  GoHighLevel \(mapping.sides.ghl.object) ⇄ EspoCRM \(mapping.sides.espo.object); conflicts: \(mapping.conflict.rawValue); deletes: \(mapping.deletes.rawValue)",
            "  identity: " + mapping.identity.map { $0.parts.map { "\($0.field) (\($0.match))" }.joined(separator: " + ") }.joined(separator: ", "),
        ]
        let rows = [["field", "direction", "GoHighLevel", "EspoCRM", "conflict"]] + mapping.fields.map { field in
            [
                field.name, field.direction.rawValue,
                describe(field.sources.ghl), describe(field.sources.espo),
                (field.conflict ?? mapping.conflict).rawValue,
            ]
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            let cells = row.indices.map { $0 == row.count - 1 ? row[$0] : row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
            lines.append("  " + cells.joined(separator: "  "))
        }
        return lines.joined(separator: "\n") + "\n\n"
    }

    private static func describe(_ source: FieldSource) -> String {
        let paths = source.paths.map(\.description).joined(separator: ", ")
        return source.transforms.isEmpty ? paths : "\(paths) [\(source.transforms.map { "\($0)" }.joined(separator: ", "))]"
    }
}
