import Foundation
import Synchronization
import SyncCore

/// One request and its answer, as recorded for the contract checker. Credentials are redacted.
public struct Exchange: Sendable {
    /// `ghl` or `espo`: which spec the checker validates against.
    public var service: String
    public var method: String
    /// The path below the spec's server URL, percent-encoded as sent.
    public var path: String
    public var query: [Request.FormField]
    public var requestHeaders: [(name: String, value: String)]
    public var requestBody: Request.Body?
    public var status: Int
    public var responseHeaders: [(name: String, value: String)]
    public var responseBody: [UInt8]
    /// Who recorded it: `client` or `emulator`.
    public var recordedBy: String

    public init(
        service: String, method: String, path: String, query: [Request.FormField],
        requestHeaders: [(name: String, value: String)], requestBody: Request.Body?, status: Int,
        responseHeaders: [(name: String, value: String)], responseBody: [UInt8], recordedBy: String
    ) {
        self.service = service
        self.method = method
        self.path = path
        self.query = query
        self.requestHeaders = requestHeaders
        self.requestBody = requestBody
        self.status = status
        self.responseHeaders = responseHeaders
        self.responseBody = responseBody
        self.recordedBy = recordedBy
    }

    /// One JSON object, credentials and tokens replaced by `<redacted>`.
    public var json: JSON {
        var object: JSONObject = [:]
        object["service"] = .string(service)
        object["recordedBy"] = .string(recordedBy)
        object["method"] = .string(method)
        object["path"] = .string(path)
        object["query"] = .array(query.map { .array([.string($0.name), .string(Redaction.value($0.value, key: $0.name))]) })
        object["requestHeaders"] = Exchange.headerObject(requestHeaders)
        switch requestBody {
        case .json(let body): object["requestBody"] = Redaction.json(body); object["requestBodyType"] = "json"
        case .form(let fields):
            var form: JSONObject = [:]
            for field in fields { form[field.name] = .string(Redaction.value(field.value, key: field.name)) }
            object["requestBody"] = .object(form)
            object["requestBodyType"] = "form"
        case nil: break
        }
        object["status"] = .number(Double(status))
        object["responseHeaders"] = Exchange.headerObject(responseHeaders)
        if let parsed = try? JSON(parsing: responseBody), !responseBody.isEmpty {
            object["responseBody"] = Redaction.json(parsed)
        } else if !responseBody.isEmpty {
            object["responseText"] = .string(String(decoding: responseBody.prefix(2000), as: UTF8.self))
        }
        return .object(object)
    }

    private static func headerObject(_ headers: [(name: String, value: String)]) -> JSON {
        var object: JSONObject = [:]
        for (name, value) in headers { object[name.lowercased()] = .string(Redaction.header(name, value)) }
        return .object(object)
    }
}

/// Keeps secrets out of recordings, logs and errors.
public enum Redaction {
    static let secretHeaders: Set<String> = [
        "authorization", "x-api-key", "x-hmac-authorization", "espo-authorization", "cookie", "set-cookie",
    ]
    static let secretKeys: Set<String> = [
        "access_token", "refresh_token", "client_secret", "code", "password", "apikey", "secretkey", "token",
        "id_token",
    ]

    /// A header's value, or `<redacted>` (keeping an auth scheme such as `Bearer`) when it is a credential.
    public static func header(_ name: String, _ value: String) -> String {
        guard secretHeaders.contains(name.lowercased()) else { return value }
        if let space = value.firstIndex(of: " "), ["bearer", "basic"].contains(value[..<space].lowercased()) {
            return value[..<space] + " <redacted>"
        }
        return "<redacted>"
    }

    /// A named value, or `<redacted>` when the name is one that holds a secret.
    public static func value(_ value: String, key: String) -> String {
        secretKeys.contains(key.lowercased()) ? "<redacted>" : value
    }

    /// A JSON document with every secret-named string member replaced by `<redacted>`.
    public static func json(_ value: JSON) -> JSON {
        switch value {
        case .object(let object):
            var out: JSONObject = [:]
            for (key, member) in object {
                if secretKeys.contains(key.lowercased()), case .string = member {
                    out[key] = "<redacted>"
                } else {
                    out[key] = json(member)
                }
            }
            return .object(out)
        case .array(let items): return .array(items.map(json))
        default: return value
        }
    }
}

/// Appends exchanges to a JSON-lines file for the contract checker (`contract/check.py`).
public final class ExchangeLog: Sendable {
    public let path: String
    private let handle: Mutex<FileHandle>

    /// Opens (creating or appending to) the file at `path`, creating its folder. The file is opened
    /// with `O_APPEND`: several logs of one process (a client and its OAuth session) or of several
    /// processes may write to it, and each line lands whole at the end, never over another's.
    public init(path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path, "errno": errno])
        }
        self.path = path
        self.handle = Mutex(FileHandle(fileDescriptor: descriptor, closeOnDealloc: true))
    }

    /// An exchange log in the folder named by `CONTRACT_LOG_DIR`, if that variable is set.
    public static func fromEnvironment(name: String) -> ExchangeLog? {
        guard let folder = ProcessInfo.processInfo.environment["CONTRACT_LOG_DIR"], !folder.isEmpty else {
            return nil
        }
        let process = ProcessInfo.processInfo.processIdentifier
        return try? ExchangeLog(path: "\(folder)/\(name)-\(process).jsonl")
    }

    public func record(_ exchange: Exchange) {
        var line = Array(exchange.json.serialized().utf8)
        line.append(0x0A)
        handle.withLock { $0.write(Data(line)) }
    }
}
