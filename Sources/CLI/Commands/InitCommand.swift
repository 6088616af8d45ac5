import ArgumentParser
import Foundation

/// `init [DIR]`: a starter config and the default mappings, for a user to edit.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a starter espo-ghl-sync.json and the default mappings/ into a folder, to edit.",
        discussion: "Refuses to overwrite a file that exists; nothing is written then. Exit 0 on success, 1 otherwise.")

    @Argument(help: "The folder to write into.") var directory = "."

    func run() throws {
        let folder = URL(fileURLWithPath: directory).standardizedFileURL.path
        let config = folder + "/espo-ghl-sync.json"
        let targets = [config] + DefaultMappings.files.map { folder + "/mappings/" + $0.name }
        let existing = targets.filter { FileManager.default.fileExists(atPath: $0) }
        guard existing.isEmpty else {
            throw CommandError("not overwriting \(existing.joined(separator: ", ")); move \(existing.count == 1 ? "it" : "them") away or pick another folder")
        }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try Self.starterConfig.write(toFile: config, atomically: true, encoding: .utf8)
        } catch {
            throw CommandError("cannot write \(config): \(error.localizedDescription)")
        }
        try Self.writeMappings(into: folder + "/mappings")
        Console.out("""
            Wrote \(targets.map { $0.hasPrefix(folder + "/") ? String($0.dropFirst(folder.count + 1)) : $0 }.joined(separator: ", ")) in \(folder).
            Next: set the location id and base URLs in espo-ghl-sync.json, export the secrets it names, and run
              espo-ghl-sync mapping check && espo-ghl-sync plan

            """)
    }

    /// Writes the default mappings into `folder`, creating it; an existing file is an error.
    static func writeMappings(into folder: String) throws {
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw CommandError("cannot create \(folder): \(error.localizedDescription)")
        }
        for (name, text) in DefaultMappings.files {
            let path = folder + "/" + name
            guard !FileManager.default.fileExists(atPath: path) else { throw CommandError("not overwriting \(path)") }
            do { try (text + "\n").write(toFile: path, atomically: true, encoding: .utf8) } catch {
                throw CommandError("cannot write \(path): \(error.localizedDescription)")
            }
        }
    }

    /// The config `init` writes: every key a new user sets, with the defaults of the rest.
    static let starterConfig = """
        {
          "ghl": {
            "baseURL": "https://services.leadconnectorhq.com",
            "locationId": "YOUR_LOCATION_ID",
            "auth": { "type": "privateToken", "tokenEnv": "GHL_TOKEN" }
          },
          "espo": {
            "baseURL": "https://crm.example.com",
            "auth": { "type": "apiKey", "apiKeyEnv": "ESPO_API_KEY" }
          },
          "state": "state.sqlite",
          "mappings": "mappings",
          "sync": { "maxDeletes": 10, "maxDeleteFraction": 0.1, "fullScanEveryDays": 7 }
        }

        """
}
