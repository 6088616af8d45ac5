import Foundation
import Testing
import TestSupport

/// `init` and `demo` on an installed binary: they need no repository around them.
@Suite(.serialized) struct InitTests {
    /// Runs the built binary with `arguments` in `folder`, to its end.
    func run(_ arguments: [String], in folder: String) throws -> (code: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try BuiltProduct.path("espo-ghl-sync"))
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func initWritesAStarterConfigAndTheDefaultMappingsAndNeverOverwrites() throws {
        let folder = try TemporaryFolder(prefix: "init")
        let target = folder.file("crm")
        let first = try run(["init", target], in: folder.path)
        #expect(first.code == 0, "\(first.output)")
        for file in ["espo-ghl-sync.json", "mappings/contacts.json", "mappings/businesses.json"] {
            #expect(FileManager.default.fileExists(atPath: target + "/" + file), "\(file)")
        }
        // The written mappings are valid as they are.
        let check = try run(["mapping", "validate", "--config", target + "/espo-ghl-sync.json"], in: folder.path)
        #expect(check.code == 0, "\(check.output)")
        // A second init refuses, names the file, and leaves what the user edited alone.
        try "{ \"edited\": true }".write(toFile: target + "/mappings/contacts.json", atomically: true, encoding: .utf8)
        let again = try run(["init", target], in: folder.path)
        #expect(again.code == 1)
        #expect(again.output.contains("not overwriting"), "\(again.output)")
        #expect(again.output.contains("contacts.json"))
        #expect(try String(contentsOfFile: target + "/mappings/contacts.json", encoding: .utf8) == "{ \"edited\": true }")
    }

    @Test func aMappingNamingAnObjectNoConnectorServesFailsValidationWithTheList() throws {
        let folder = try TemporaryFolder(prefix: "init")
        #expect(try run(["init", folder.path], in: folder.path).code == 0)
        let file = folder.file("mappings/businesses.json")
        let text = try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "\"Account\"", with: "\"Company\"")
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let check = try run(["mapping", "validate", "--config", folder.file("espo-ghl-sync.json")], in: folder.path)
        #expect(check.code == 1)
        #expect(check.output.contains("businesses.json") && check.output.contains("\"Company\""), "\(check.output)")
        #expect(check.output.contains("\"Account\", \"Contact\""), "\(check.output)")
    }

    @Test func theDemoRunsFromAFolderWithoutMappings() throws {
        let folder = try TemporaryFolder(prefix: "demo")
        let demo = try run(["demo", "--people", "24"], in: folder.path)
        #expect(demo.code == 0, "\(demo.output.suffix(2000))")
        // It converged, with businesses and accounts on both sides.
        #expect(demo.output.contains(" 0 failed; the second plan has 0 operations."), "\(demo.output.suffix(2000))")
        #expect(demo.output.contains("6 businesses") && demo.output.contains("6 accounts"), "\(demo.output.suffix(2000))")
    }
}
