import CLI
import Foundation
import SyncCore
import Testing

/// The mappings built into the binary are the ones in `mappings/`, and load.
struct DefaultMappingsTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("mappings").path

    @Test func theEmbeddedMappingsAreTheShippedFiles() throws {
        let shipped = try FileManager.default.contentsOfDirectory(atPath: Self.folder).filter { $0.hasSuffix(".json") }.sorted()
        #expect(DefaultMappings.files.map(\.name) == shipped, "run scripts/embed-mappings.py")
        for (name, text) in DefaultMappings.files {
            let file = try String(contentsOfFile: Self.folder + "/" + name, encoding: .utf8)
            #expect(text + "\n" == file, "\(name) differs from mappings/\(name): run scripts/embed-mappings.py")
        }
    }

    @Test func everyEmbeddedMappingLoadsAndValidates() throws {
        for (name, text) in DefaultMappings.files {
            let mapping = try Mapping.parse(Array(text.utf8), file: name)
            #expect(mapping.validate().isEmpty, "\(name)")
        }
    }
}
