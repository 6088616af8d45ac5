import Foundation
import GRDB
import SyncCore

/// Why the state file could not be opened or changed: the file, what went wrong, and what to do.
public struct StateStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Hashable {
        /// The file was written by a newer build; it was left unchanged.
        case newerSchema(found: Int, supported: Int)
        /// The file is not an espo-ghl-sync state file (not SQLite, or another program's database).
        case notAStateFile(reason: String)
        /// SQLite or the stored values report damage.
        case corrupt(detail: String)
        /// The file has zero bytes: truncated, never initialised again.
        case emptyFile
        /// The folder the new state file should go in does not exist.
        case missingFolder(String)
        /// Another process holds the file's write lock longer than the busy timeout.
        case busy
        /// No conflict has this id.
        case unknownConflict(id: Int64)
        /// No journal entry has this id.
        case unknownJournalEntry(id: Int64)
        /// No run has this id.
        case unknownRun(id: Int64)
        /// The call contradicts what the file holds (e.g. completing a create without the created id).
        case invalidOperation(String)
        /// Rows a transaction was about to replace changed since they were read; nothing was changed.
        case changedMeanwhile(String)
        /// Any other SQLite or file system failure.
        case database(detail: String)
    }

    /// The state file's path.
    public var path: String
    public var kind: Kind

    public init(path: String, kind: Kind) {
        self.path = path
        self.kind = kind
    }

    public var description: String {
        switch kind {
        case .newerSchema(let found, let supported):
            return "state file \(path) was written by a newer espo-ghl-sync (schema \(found), this build knows \(supported)): upgrade espo-ghl-sync; the file was not changed"
        case .notAStateFile(let reason):
            return "\(path) is not an espo-ghl-sync state file (\(reason)): point the configuration at the state file, or move this file away; it was not changed"
        case .corrupt(let detail):
            return "state file \(path) is damaged (\(detail)): stop scheduled runs and restore the file from a backup; do not delete it, a fresh state would match every record again and duplicate those it cannot match"
        case .emptyFile:
            return "state file \(path) is empty (0 bytes), probably truncated: restore it from a backup; it was not initialised, because a fresh state would match every record again and duplicate those it cannot match. To start over on purpose, delete the file"
        case .missingFolder(let folder):
            return "cannot create state file \(path): the folder \(folder) does not exist; create it, or set another state path"
        case .busy:
            return "state file \(path) is busy: another espo-ghl-sync process is using it; wait for it to finish, then run again"
        case .unknownConflict(let id):
            return "state file \(path) has no conflict \(id): list the open conflicts and use one of their ids"
        case .unknownJournalEntry(let id):
            return "state file \(path) has no journal entry \(id): this is a bug in espo-ghl-sync, please report it"
        case .unknownRun(let id):
            return "state file \(path) has no run \(id): this is a bug in espo-ghl-sync, please report it"
        case .invalidOperation(let detail):
            return "state file \(path): \(detail); nothing was changed. This is a bug in espo-ghl-sync, please report it"
        case .changedMeanwhile(let detail):
            return "state file \(path): \(detail) (another espo-ghl-sync command wrote them); nothing was changed: run the command again"
        case .database(let detail):
            return "state file \(path): \(detail)"
        }
    }
}

extension StateStoreError {
    /// The typed error for any failure met while `doing` something with the file at `path`.
    static func from(_ error: any Error, path: String, doing: String) -> StateStoreError {
        switch error {
        case let error as StateStoreError:
            return error
        case let error as DatabaseError:
            return from(error, path: path, doing: doing)
        case let error as CanonicalEncoding.DecodingError:
            return StateStoreError(path: path, kind: .corrupt(detail: "\(doing): stored \(error)"))
        case let error as StoredValueError:
            return StateStoreError(path: path, kind: .corrupt(detail: "\(doing): \(error)"))
        case let error as JSONSyntaxError:
            return StateStoreError(path: path, kind: .corrupt(detail: "\(doing): stored JSON: \(error)"))
        default:
            return StateStoreError(path: path, kind: .database(detail: "\(doing): \(error)"))
        }
    }

    private static func from(_ error: DatabaseError, path: String, doing: String) -> StateStoreError {
        // The message only: GRDB keeps statement arguments (record values, sealed tokens) out of it.
        let message = error.message ?? "SQLite error \(error.extendedResultCode.rawValue)"
        let kind: Kind
        switch error.resultCode {
        case .SQLITE_CORRUPT:
            kind = .corrupt(detail: "\(doing): \(message)")
        case .SQLITE_NOTADB:
            kind = .notAStateFile(reason: "SQLite says: \(message)")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            kind = .busy
        case .SQLITE_FULL:
            kind = .database(detail: "\(doing): the disk is full; free some space and run again")
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_CANTOPEN:
            kind = .database(detail: "\(doing): \(message); check that this user may read and write the file and its folder")
        case .SQLITE_IOERR:
            kind = .database(detail: "\(doing): input/output error (\(message)); check the disk")
        default:
            kind = .database(detail: "\(doing): \(message) (SQLite error \(error.extendedResultCode.rawValue)); if it happens again, keep a copy of the file and report it")
        }
        return StateStoreError(path: path, kind: kind)
    }
}
