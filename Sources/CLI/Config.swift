import Engine
import Foundation
import SyncCore

/// The sync's configuration file (`espo-ghl-sync.json`): where both APIs are, how to authenticate,
/// where state and mappings live, and the safety thresholds. Secrets are never in the file, only the
/// names of the environment variables that hold them.
public struct Config: Sendable, Equatable {
    /// The file this config was read from.
    public var file: String
    public var ghl: GHL
    public var espo: Espo
    /// The state file (absolute; relative paths resolve against the config file's folder).
    public var state: String
    /// The folder of mapping files (absolute).
    public var mappings: String
    /// The environment variable holding the key that seals tokens at rest.
    public var tokenKeyEnv: String
    /// The environment variable holding the key `auth rotate-key` re-seals the stored secrets with.
    public var newTokenKeyEnv: String = Config.defaultNewTokenKeyEnv
    public var sync: SyncSettings
    /// How `serve` listens, polls and drains its inbox.
    public var serve: Serve = Serve()

    /// The `serve` section: where it listens, the address the systems reach it at, the poll interval.
    public struct Serve: Sendable, Equatable {
        /// The address `serve` binds (`--host` overrides).
        public var host = "127.0.0.1"
        /// The port `serve` binds (`--port` overrides).
        public var port = 8787
        /// The address at which EspoCRM (and GHL's app settings) reach `serve`, without a trailing slash;
        /// `webhooks subscribe` builds each subscription's URL under it. nil: not set.
        public var publicURL: String? = nil
        /// Seconds between two polls of each side.
        public var pollSeconds = 60.0
        /// Events the inbox may hold unapplied before the receiver answers "busy" (429 to GHL, 503 to EspoCRM).
        public var maxInbox = 10_000

        public init() {}
    }

    /// The GoHighLevel side.
    public struct GHL: Sendable, Equatable {
        public var baseURL: String
        public var locationId: String
        public var auth: Auth
        public var rateLimit: Limits
        /// The key GHL's custom-field writes carry the value under: `field_value` (v2 spec) or `fieldValue`.
        public var customFieldValueKey: String
        /// The calendar appointments made in EspoCRM are created in; nil: they are not created in GHL.
        public var calendarId: String? = nil
        /// The keys GHL's webhooks are checked against; nil: GHL's published keys.
        public var webhooks: WebhookKeys = WebhookKeys()

        /// `ghl.webhooks`: the public keys of GHL's webhook signatures, PEM or base64 DER (SPKI).
        public struct WebhookKeys: Sendable, Equatable {
            /// Ed25519, for `x-ghl-signature`.
            public var publicKey: String? = nil
            /// RSA, for the older `x-wh-signature`.
            public var rsaPublicKey: String? = nil

            public init() {}
        }

        /// How the sync authenticates to GHL.
        public enum Auth: Sendable, Equatable {
            /// A Private Integration Token, read from the environment variable `tokenEnv`.
            case privateToken(tokenEnv: String)
            /// A Marketplace app: client id and secret from the environment, tokens kept in the state file.
            case oauth(clientIdEnv: String, clientSecretEnv: String, redirectURI: String)
        }
    }

    /// The EspoCRM side.
    public struct Espo: Sendable, Equatable {
        /// The site's root; the client adds `/api/v1`.
        public var baseURL: String
        public var auth: Auth
        public var rateLimit: Limits
        /// The user new Tasks and Meetings are assigned to (EspoCRM requires one); nil: the API user.
        public var assignedUserId: String? = nil

        /// How the sync authenticates to EspoCRM.
        public enum Auth: Sendable, Equatable {
            case apiKey(apiKeyEnv: String)
            case hmac(apiKeyEnv: String, secretKeyEnv: String)
            case basic(usernameEnv: String, passwordEnv: String)
        }
    }

    /// Request pacing for one side.
    public struct Limits: Sendable, Equatable {
        public var requests: Int
        public var intervalSeconds: Double
        public var daily: Int?
        public var concurrency: Int
    }

    /// How a run behaves: the engine's settings, its defaults where the config is silent.
    public typealias SyncSettings = Engine.Settings

    public static let defaultFile = "espo-ghl-sync.json"
    public static let defaultTokenKeyEnv = "ESPO_GHL_SYNC_TOKEN_KEY"
    public static let defaultNewTokenKeyEnv = "ESPO_GHL_SYNC_NEW_TOKEN_KEY"
}

/// A config file that cannot be used: every problem, each with the key and the fix.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var issues: [DocumentIssue]
    public var description: String { issues.map(\.description).joined(separator: "\n") }
}

extension Config {
    /// Reads and checks the config file at `path`.
    public static func load(file path: String) throws(ConfigError) -> Config {
        let url = URL(fileURLWithPath: path)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ConfigError(issues: [DocumentIssue(
                file: path, path: "$", message: "cannot read the config file",
                fix: "create it (README, section Configuration) or pass --config FILE")])
        }
        return try parse(Array(data), file: url.path)
    }

    /// Parses a config document; relative paths resolve against the folder of `file`.
    public static func parse(_ bytes: [UInt8], file: String) throws(ConfigError) -> Config {
        let json: JSON
        do { json = try JSON(parsing: bytes) } catch {
            throw ConfigError(issues: [DocumentIssue(
                file: file, path: "line \(error.line), column \(error.column)", message: error.message,
                fix: "correct the JSON syntax")])
        }
        var reader = DocumentReader(file: file)
        let folder = URL(fileURLWithPath: file).deletingLastPathComponent().path
        let config = read(json, reader: &reader, folder: folder)
        guard reader.issues.isEmpty, let config else { throw ConfigError(issues: reader.issues) }
        return config
    }

    private static func read(_ json: JSON, reader: inout DocumentReader, folder: String) -> Config? {
        let keys = ["ghl", "espo", "state", "mappings", "tokenKeyEnv", "newTokenKeyEnv", "sync", "serve"]
        guard let root = reader.object(json, at: "$", allowed: keys, what: "the config") else { return nil }
        let ghl = reader.required(root, "ghl", at: "$", what: "{ \"baseURL\": …, \"locationId\": …, \"auth\": … }")
            .flatMap { readGHL($0, reader: &reader) }
        let espo = reader.required(root, "espo", at: "$", what: "{ \"baseURL\": …, \"auth\": … }")
            .flatMap { readEspo($0, reader: &reader) }
        let state = reader.string(root["state"], at: "$.state", what: "the state file's path") ?? "state.sqlite"
        let mappings = reader.string(root["mappings"], at: "$.mappings", what: "the mappings folder") ?? "mappings"
        let tokenKeyEnv = reader.string(root["tokenKeyEnv"], at: "$.tokenKeyEnv", what: "an environment variable name")
            ?? defaultTokenKeyEnv
        let newTokenKeyEnv = reader.string(root["newTokenKeyEnv"], at: "$.newTokenKeyEnv", what: "an environment variable name")
            ?? defaultNewTokenKeyEnv
        if newTokenKeyEnv == tokenKeyEnv {
            reader.fail("$.newTokenKeyEnv", "names the same variable as $.tokenKeyEnv (\(tokenKeyEnv))",
                        fix: "name another variable, e.g. \"\(defaultNewTokenKeyEnv)\", or leave it out")
        }
        let sync = readSync(root["sync"], reader: &reader)
        let serve = readServe(root["serve"], reader: &reader)
        guard let ghl, let espo else { return nil }
        return Config(
            file: reader.file, ghl: ghl, espo: espo, state: resolve(state, in: folder),
            mappings: resolve(mappings, in: folder), tokenKeyEnv: tokenKeyEnv, newTokenKeyEnv: newTokenKeyEnv, sync: sync,
            serve: serve)
    }

    private static func readServe(_ json: JSON?, reader: inout DocumentReader) -> Serve {
        var serve = Serve()
        guard let json,
              let object = reader.object(
                json, at: "$.serve", allowed: ["host", "port", "publicURL", "pollSeconds", "maxInbox"], what: "the serve settings")
        else { return serve }
        if let host = reader.string(object["host"], at: "$.serve.host", what: "an address to bind, e.g. \"127.0.0.1\"") { serve.host = host }
        if let n = reader.integer(object["port"], at: "$.serve.port", what: "a port", minimum: 1) {
            if n <= 65_535 { serve.port = n } else { reader.fail("$.serve.port", "\(n) is not a port", fix: "use 1 to 65535, e.g. 8787") }
        }
        if object["publicURL"] != nil { serve.publicURL = url(object["publicURL"], at: "$.serve.publicURL", reader: &reader) }
        if let n = reader.number(object["pollSeconds"], at: "$.serve.pollSeconds", what: "seconds") {
            if n >= 1 { serve.pollSeconds = n } else { reader.fail("$.serve.pollSeconds", "must be at least 1", fix: "e.g. 60") }
        }
        if let n = reader.integer(object["maxInbox"], at: "$.serve.maxInbox", what: "a number of events", minimum: 1) { serve.maxInbox = n }
        return serve
    }

    private static func readGHL(_ json: JSON, reader: inout DocumentReader) -> GHL? {
        let path = "$.ghl"
        guard let object = reader.object(
            json, at: path, allowed: ["baseURL", "locationId", "auth", "rateLimit", "customFieldValueKey", "calendarId", "webhooks"],
            what: "the GHL settings")
        else { return nil }
        let baseURL = url(object["baseURL"], at: "\(path).baseURL", reader: &reader) ?? "https://services.leadconnectorhq.com"
        let location = reader.required(object, "locationId", at: path, what: "\"your sub-account's location id\"")
            .flatMap { reader.string($0, at: "\(path).locationId", what: "the location id") }
        let auth = reader.required(object, "auth", at: path, what: "{ \"type\": \"privateToken\", \"tokenEnv\": \"GHL_TOKEN\" }")
            .flatMap { readGHLAuth($0, reader: &reader) }
        let limits = readLimits(object["rateLimit"], at: "\(path).rateLimit", defaults: .init(
            requests: 100, intervalSeconds: 10, daily: 200_000, concurrency: 8), reader: &reader)
        let valueKey = reader.string(object["customFieldValueKey"], at: "\(path).customFieldValueKey", what: "a key") ?? "field_value"
        if !["field_value", "fieldValue"].contains(valueKey) {
            reader.fail("\(path).customFieldValueKey", "\"\(valueKey)\" is not a key GHL reads", fix: "use \"field_value\" or \"fieldValue\"")
        }
        let calendarId = object["calendarId"].flatMap { reader.string($0, at: "\(path).calendarId", what: "a GHL calendar id") }
        var keys = GHL.WebhookKeys()
        if let json = object["webhooks"],
           let webhooks = reader.object(json, at: "\(path).webhooks", allowed: ["publicKey", "rsaPublicKey"], what: "the webhook keys") {
            keys.publicKey = webhooks["publicKey"].flatMap {
                reader.string($0, at: "\(path).webhooks.publicKey", what: "an Ed25519 public key (PEM or base64 SPKI)")
            }
            keys.rsaPublicKey = webhooks["rsaPublicKey"].flatMap {
                reader.string($0, at: "\(path).webhooks.rsaPublicKey", what: "an RSA public key (PEM or base64 SPKI)")
            }
        }
        guard let location, let auth else { return nil }
        return GHL(baseURL: baseURL, locationId: location, auth: auth, rateLimit: limits, customFieldValueKey: valueKey,
                   calendarId: calendarId, webhooks: keys)
    }

    private enum GHLAuthType: String, CaseIterable { case privateToken, oauth }
    private enum EspoAuthType: String, CaseIterable { case apiKey, hmac, basic }

    private static func readGHLAuth(_ json: JSON, reader: inout DocumentReader) -> GHL.Auth? {
        let path = "$.ghl.auth"
        guard let object = reader.object(
            json, at: path, allowed: ["type", "tokenEnv", "clientIdEnv", "clientSecretEnv", "redirectURI"], what: "the GHL auth")
        else { return nil }
        guard let type = reader.required(object, "type", at: path, what: "\"privateToken\" or \"oauth\"")
            .flatMap({ reader.choice($0, at: "\(path).type", as: GHLAuthType.self) })
        else { return nil }
        switch type {
        case .privateToken:
            let env = variable(object, "tokenEnv", at: path, example: "GHL_TOKEN", reader: &reader)
            return env.map { .privateToken(tokenEnv: $0) }
        case .oauth:
            let id = variable(object, "clientIdEnv", at: path, example: "GHL_CLIENT_ID", reader: &reader)
            let secret = variable(object, "clientSecretEnv", at: path, example: "GHL_CLIENT_SECRET", reader: &reader)
            let redirect = url(object["redirectURI"], at: "\(path).redirectURI", reader: &reader)
                ?? "http://127.0.0.1:8765/callback"
            guard let id, let secret else { return nil }
            return .oauth(clientIdEnv: id, clientSecretEnv: secret, redirectURI: redirect)
        }
    }

    private static func readEspo(_ json: JSON, reader: inout DocumentReader) -> Espo? {
        let path = "$.espo"
        guard let object = reader.object(
            json, at: path, allowed: ["baseURL", "auth", "rateLimit", "assignedUserId"], what: "the EspoCRM settings")
        else { return nil }
        let baseURL = reader.required(object, "baseURL", at: path, what: "\"https://crm.example.com\"")
            .flatMap { url($0, at: "\(path).baseURL", reader: &reader) }
        if let baseURL, baseURL.hasSuffix("/api/v1") {
            reader.fail("\(path).baseURL", "the URL already ends in /api/v1", fix: "give the site's root; the client adds /api/v1")
        }
        let limits = readLimits(object["rateLimit"], at: "\(path).rateLimit", defaults: .init(
            requests: 20, intervalSeconds: 1, daily: nil, concurrency: 4), reader: &reader)
        guard let authJSON = reader.required(object, "auth", at: path, what: "{ \"type\": \"apiKey\", \"apiKeyEnv\": \"ESPO_API_KEY\" }"),
              let auth = reader.object(authJSON, at: "\(path).auth", allowed: ["type", "apiKeyEnv", "secretKeyEnv", "usernameEnv", "passwordEnv"], what: "the EspoCRM auth"),
              let type = reader.required(auth, "type", at: "\(path).auth", what: "\"apiKey\", \"hmac\" or \"basic\"")
                .flatMap({ reader.choice($0, at: "\(path).auth.type", as: EspoAuthType.self) })
        else { return nil }
        let authPath = "\(path).auth"
        let resolved: Espo.Auth?
        switch type {
        case .apiKey:
            resolved = variable(auth, "apiKeyEnv", at: authPath, example: "ESPO_API_KEY", reader: &reader).map { .apiKey(apiKeyEnv: $0) }
        case .hmac:
            let key = variable(auth, "apiKeyEnv", at: authPath, example: "ESPO_API_KEY", reader: &reader)
            let secret = variable(auth, "secretKeyEnv", at: authPath, example: "ESPO_SECRET_KEY", reader: &reader)
            resolved = key.flatMap { key in secret.map { .hmac(apiKeyEnv: key, secretKeyEnv: $0) } }
        case .basic:
            let user = variable(auth, "usernameEnv", at: authPath, example: "ESPO_USERNAME", reader: &reader)
            let password = variable(auth, "passwordEnv", at: authPath, example: "ESPO_PASSWORD", reader: &reader)
            resolved = user.flatMap { user in password.map { .basic(usernameEnv: user, passwordEnv: $0) } }
        }
        let assignee = object["assignedUserId"].flatMap { reader.string($0, at: "\(path).assignedUserId", what: "an EspoCRM user id") }
        guard let baseURL, let resolved else { return nil }
        return Espo(baseURL: baseURL, auth: resolved, rateLimit: limits, assignedUserId: assignee)
    }

    private static func readLimits(_ json: JSON?, at path: String, defaults: Limits, reader: inout DocumentReader) -> Limits {
        guard let json,
              let object = reader.object(json, at: path, allowed: ["requests", "intervalSeconds", "daily", "concurrency"], what: "the rate limit")
        else { return defaults }
        var limits = defaults
        if let n = reader.integer(object["requests"], at: "\(path).requests", what: "requests per interval", minimum: 1) { limits.requests = n }
        if let n = reader.number(object["intervalSeconds"], at: "\(path).intervalSeconds", what: "seconds") {
            if n > 0 { limits.intervalSeconds = n } else { reader.fail("\(path).intervalSeconds", "must be more than 0", fix: "give the window in seconds, e.g. 10") }
        }
        if let n = reader.integer(object["daily"], at: "\(path).daily", what: "requests per day", minimum: 1) { limits.daily = n }
        if let n = reader.integer(object["concurrency"], at: "\(path).concurrency", what: "requests in flight", minimum: 1) { limits.concurrency = n }
        return limits
    }

    private static func readSync(_ json: JSON?, reader: inout DocumentReader) -> SyncSettings {
        var settings = SyncSettings()
        guard let json,
              let object = reader.object(
                json, at: "$.sync",
                allowed: ["maxDeletes", "maxDeleteFraction", "fullScanEveryDays", "overlapSeconds", "notesSweepDays", "tasks", "appointments"],
                what: "the sync settings")
        else { return settings }
        if let n = reader.integer(object["maxDeletes"], at: "$.sync.maxDeletes", what: "a number of records") { settings.maxDeletes = n }
        if let n = reader.number(object["maxDeleteFraction"], at: "$.sync.maxDeleteFraction", what: "a share between 0 and 1") {
            if (0...1).contains(n) { settings.maxDeleteFraction = n } else {
                reader.fail("$.sync.maxDeleteFraction", "\(n) is not between 0 and 1", fix: "write a share such as 0.1 for 10 %")
            }
        }
        if let n = reader.number(object["fullScanEveryDays"], at: "$.sync.fullScanEveryDays", what: "days") {
            if n >= 0 { settings.fullScanEveryDays = n } else { reader.fail("$.sync.fullScanEveryDays", "must not be negative", fix: "use 0 to never force a full scan") }
        }
        if let n = reader.number(object["overlapSeconds"], at: "$.sync.overlapSeconds", what: "seconds") {
            if n >= 0 { settings.overlapSeconds = n } else { reader.fail("$.sync.overlapSeconds", "must not be negative", fix: "e.g. 300") }
        }
        if let n = reader.number(object["notesSweepDays"], at: "$.sync.notesSweepDays", what: "days") {
            if n >= 1 { settings.notesSweepDays = n } else { reader.fail("$.sync.notesSweepDays", "must be at least 1", fix: "e.g. 7") }
        }
        if let json = object["tasks"], let tasks = reader.object(json, at: "$.sync.tasks", allowed: ["defaultDueDays"], what: "the task settings"),
           let n = reader.number(tasks["defaultDueDays"], at: "$.sync.tasks.defaultDueDays", what: "days") {
            if n >= 0 { settings.taskDefaultDueDays = n } else { reader.fail("$.sync.tasks.defaultDueDays", "must not be negative", fix: "e.g. 7") }
        }
        if let json = object["appointments"],
           let window = reader.object(json, at: "$.sync.appointments", allowed: ["pastDays", "futureDays"], what: "the appointment window") {
            if let n = reader.number(window["pastDays"], at: "$.sync.appointments.pastDays", what: "days") {
                if n >= 0 { settings.appointmentPastDays = n } else { reader.fail("$.sync.appointments.pastDays", "must not be negative", fix: "e.g. 30") }
            }
            if let n = reader.number(window["futureDays"], at: "$.sync.appointments.futureDays", what: "days") {
                if n >= 0 { settings.appointmentFutureDays = n } else { reader.fail("$.sync.appointments.futureDays", "must not be negative", fix: "e.g. 365") }
            }
        }
        return settings
    }

    private static func variable(_ object: JSONObject, _ key: String, at path: String, example: String, reader: inout DocumentReader) -> String? {
        guard let json = reader.required(object, key, at: path, what: "\"\(example)\" (the NAME of an environment variable, not the secret)"),
              let name = reader.string(json, at: "\(path).\(key)", what: "an environment variable name")
        else { return nil }
        guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }), !(name.first?.isNumber ?? true) else {
            reader.fail("\(path).\(key)", "this does not look like an environment variable name (was a secret pasted here?)",
                        fix: "write the variable's name, e.g. \"\(example)\", and export the secret in that variable")
            return nil
        }
        return name
    }

    private static func url(_ json: JSON?, at path: String, reader: inout DocumentReader) -> String? {
        guard let text = reader.string(json, at: path, what: "a URL") else { return nil }
        guard let parsed = URL(string: text), let scheme = parsed.scheme, ["http", "https"].contains(scheme), parsed.host != nil else {
            reader.fail(path, "\"\(text)\" is not an http(s) URL", fix: "write it like \"https://crm.example.com\"")
            return nil
        }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    private static func resolve(_ path: String, in folder: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: folder).appendingPathComponent(path).standardizedFileURL.path
    }
}

/// Secrets read from the environment, by the names the config gives.
public struct Secrets: Sendable {
    private let environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// The value of variable `name`, or an error naming the variable and the config key that asked for it.
    public func value(_ name: String, for key: String, file: String) throws(ConfigError) -> String {
        guard let value = environment[name], !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ConfigError(issues: [DocumentIssue(
                file: file, path: key, message: "the environment variable \(name) is not set",
                fix: "export \(name)=… before running (the config names the variable, never the secret)")])
        }
        return value
    }
}
