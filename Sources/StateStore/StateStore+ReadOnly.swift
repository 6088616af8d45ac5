import Foundation
import GRDB

extension StateStore {
    /// Opens the state file at `path` for reading only, for checks such as `doctor`: nil when nothing
    /// is there (nothing is created). The file is checked as for a run (ours, not newer, not damaged),
    /// but never migrated or locked, and every write method throws.
    public static func openReadOnly(path: String) throws(StateStoreError) -> StateStore? {
        guard case .file(let size) = try StateFile.inspect(path) else { return nil }
        try StateFile.probe(path, size: size, quickCheckLimit: StateFile.quickCheckLimit)
        var configuration = StateFile.configuration
        configuration.readonly = true
        do {
            return StateStore(path: path, pool: try DatabasePool(path: path, configuration: configuration))
        } catch {
            throw .from(error, path: path, doing: "opening for reading")
        }
    }

    /// The schema version written in the file (`PRAGMA user_version`); `schemaVersion` is this build's.
    public func fileSchemaVersion() throws(StateStoreError) -> Int {
        try read("reading the schema version") { db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 }
    }
}
