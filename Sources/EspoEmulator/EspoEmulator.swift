import Emulation
import Foundation
import Logging
import Synchronization
import SyncCore
import Transport

/// EspoCRM 10's REST API under `/api/v1`, emulated in memory after `spec.json` and FACTS.md: API key,
/// HMAC and Basic auth, `{total, list}` lists with `where[]` bracket filters, 403 above `maxSize`
/// 200, validation (400), duplicate check (409 `duplicate`), optimistic concurrency on Account and
/// Task (409 `modified`), soft delete, links, notes in record streams, `App/user`, field metadata
/// and custom Array fields. Where a real 9.2.7 server was seen to be less kind than its source reads
/// (FACTS §15), the emulator follows the server: every PATCH moves `modifiedAt`, an e-mail address
/// keeps its first spelling, a malformed body is a bare 500.
///
/// Serve it with `serve(...)` (or `EmulatorServer.start`), which adds faults and the request log.
public final class EspoEmulator: EmulatedAPI {
    /// Who may call, and the emulator's clock.
    public struct Configuration: Sendable {
        /// Keys of API users with the "API Key" method.
        public var apiKeys: [String]
        /// API key → secret key of API users with the "HMAC" method.
        public var hmacKeys: [String: String]
        /// User name → password of regular users (Basic auth).
        public var users: [String: String]
        /// Seconds since 1970 UTC; `modifiedAt` and `createdAt` are read from it (one-second resolution).
        public var clock: @Sendable () -> Int64
        /// Custom fields per entity type (`cGhlId`), accepted and stored like built-in ones.
        public var customFields: [String: [String]]
        /// Custom Array fields per entity type (Contact `cTags`): a list of strings, listed in
        /// `Metadata` with type `array`. Without one, writing it is ignored silently, as EspoCRM
        /// ignores any unknown attribute (FACTS §15).
        public var arrayFields: [String: [String]]
        /// Seeds the random part of new ids.
        public var seed: UInt64
        /// Whether the API user's role grants the GlobalStream scope; without it `GET GlobalStream`
        /// is a 403, as on a default role (wave2 B.2).
        public var globalStream: Bool
        /// What the API user's role grants per entity type where it is not full access, as `App/user`'s
        /// `acl.table` shows it: `{"create": "yes", "read": "all", "edit": "all", "delete": "no"}`, or
        /// `false` for none. Requests it does not allow are answered 403 `No <action> access.`.
        public var access: [String: JSON] = [:]

        public init(
            apiKeys: [String] = [], hmacKeys: [String: String] = [:], users: [String: String] = [:],
            clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) },
            customFields: [String: [String]] = EspoEmulator.defaultCustomFields,
            arrayFields: [String: [String]] = EspoEmulator.defaultArrayFields, seed: UInt64 = 1,
            globalStream: Bool = false
        ) {
            self.globalStream = globalStream
            self.arrayFields = arrayFields
            self.apiKeys = apiKeys
            self.hmacKeys = hmacKeys
            self.users = users
            self.clock = clock
            self.customFields = customFields
            self.seed = seed
        }
    }

    /// The custom field the sync keeps the GHL id in, on each synced entity type.
    public static let defaultCustomFields: [String: [String]] = [
        "Contact": ["cGhlId"], "Account": ["cGhlId"], "Task": ["cGhlId"], "Meeting": ["cGhlId"], "Call": ["cGhlId"],
    ]

    /// The Array field the sync keeps a contact's GHL tags in.
    public static let defaultArrayFields: [String: [String]] = ["Contact": ["cTags"]]

    /// The API user every API-key and HMAC request acts as.
    public static let apiUserId = "5f1a2b3c4d5e6f701"
    /// A regular (human) user the seeding and `edit` helpers act as: the author of notes the sync
    /// did not write, which the API user may read but not change (FACTS §5.5).
    public static let humanUserId = "5f1a2b3c4d5e6f702"
    public static let humanUserName = "Dana Whitfield"

    public let contractName = "espo"
    /// The server's clock, which its `Date` header follows (`Configuration.clock` stamps the records).
    public let clock = ServerClock()
    public let pathPrefix = "/api/v1"
    public let configuration: Configuration
    let store: Mutex<Store>
    /// The "Process Webhook Queue" job: settings, log, waiters.
    let webhookJob = WebhookJob()

    public init(_ configuration: Configuration) {
        self.configuration = configuration
        var store = Store(
            definitions: EntityDefinition.all(customFields: configuration.customFields, arrayFields: configuration.arrayFields),
            userId: EspoEmulator.apiUserId, userName: "sync-api", seed: configuration.seed)
        store.users[EspoEmulator.humanUserId] = EspoEmulator.humanUserName
        store.access = configuration.access
        self.store = Mutex(store)
    }

    /// Serves the emulator on `host`:`port` (0 picks a free port); `server.port` tells which.
    public func serve(
        host: String = "127.0.0.1", port: Int = 0, faults: Faults = .none, exchanges: ExchangeLog? = nil
    ) async throws -> EmulatorServer {
        try await EmulatorServer.start(self, host: host, port: port, faults: faults, exchanges: exchanges)
    }

    /// The current time as EspoCRM writes it.
    var now: String { Timestamp.naive(configuration.clock()) }

    // MARK: Routing

    /// `[Entity]`, `[Entity, id]`, `[Entity, id, link]` below `/api/v1`.
    func parts(_ request: ServedRequest) -> [String]? {
        guard request.path.hasPrefix(pathPrefix + "/") else { return nil }
        let parts = request.segments.dropFirst(2)
        guard (1...3).contains(parts.count) else { return nil }
        return Array(parts)
    }

    public func route(_ request: ServedRequest) -> Route? {
        guard let parts = parts(request) else { return nil }
        let isWrite = request.method != "GET"
        if parts == ["App", "user"] { return Route("\(request.method) /App/user", isWrite: isWrite) }
        switch parts.count {
        case 1: return Route("\(request.method) /\(parts[0])", isWrite: isWrite)
        case 2: return Route("\(request.method) /\(parts[0])/{id}", isWrite: isWrite)
        default: return Route("\(request.method) /\(parts[0])/{id}/\(parts[2])", isWrite: isWrite)
        }
    }

    public func respond(to request: ServedRequest) async -> ServedResponse {
        guard let caller = caller(request) else { return ServedResponse(status: 401) }
        guard let parts = parts(request) else { return Answer.error(404, "Not found.") }
        if request.method == "GET", parts == ["App", "user"] { return appUser(caller) }
        if request.method == "GET", parts == ["Metadata"] { return metadata(request) }
        if parts[0] == "Webhook" { return webhookEndpoint(request, parts: parts, caller: caller) }
        let entity = parts[0]
        if let refused = accessRefusal(
            entity, EspoEmulator.action(method: request.method, parts: parts.count, link: parts.count == 3 ? parts[2] : nil),
            caller: caller) {
            return refused
        }
        let now = self.now
        let globalStream = configuration.globalStream
        return store.withLock { store -> ServedResponse in
            if store.users[caller.id] == nil { store.users[caller.id] = caller.userName }
            if request.method == "GET", parts == ["GlobalStream"] {
                return store.globalStream(query: BracketQuery.parse(request.rawQuery), allowed: globalStream)
            }
            guard store.definitions[entity] != nil else { return Answer.error(404, "Controller '\(entity)' does not exist.") }
            let body: JSON
            // EspoCRM's Json::decode throws on a malformed body: 500, empty body (FACTS §15).
            do { body = try request.json() } catch { return ServedResponse(status: 500) }
            switch (request.method, parts.count) {
            case ("GET", 1):
                // A non-admin lists only its own notes: Note's mandatory acl is read `own`.
                return store.list(entity, query: BracketQuery.parse(request.rawQuery),
                                  among: entity == "Note" ? store.ownNoteIds(caller.id) : nil,
                                  noTotal: request.header("X-No-Total")?.lowercased() == "true")
            case ("POST", 1):
                return store.create(entity, body: body, skipDuplicateCheck: request.header("X-Skip-Duplicate-Check")?.lowercased() == "true",
                                    now: now, actor: caller.id)
            case ("GET", 2):
                // A missing or deleted record: 404, `Record ID does not exist.` (FACTS §15 wording).
                guard let record = store.live(entity, parts[1]) else { return Answer.error(404, "Record \(parts[1]) does not exist.") }
                if entity == "Note", !store.canRead(note: record, actor: caller.id) { return Answer.error(403, "No read access.") }
                return Answer.json(200, .object(store.render(entity, record, full: true, select: nil)))
            case ("PATCH", 2), ("PUT", 2):
                return store.update(entity, id: parts[1], body: body, versionHeader: request.header("X-Version-Number"), now: now,
                                    actor: caller.id)
            case ("DELETE", 2):
                return store.delete(entity, id: parts[1], now: now, actor: caller.id)
            case ("GET", 3) where parts[2] == "stream" || parts[2] == "posts":
                var query = BracketQuery.parse(request.rawQuery)
                if parts[2] == "posts" { query["filter"] = "posts" }
                return store.stream(entity, id: parts[1], query: query, caller: caller.id)
            case ("GET", 3):
                return store.related(entity, id: parts[1], link: parts[2], query: BracketQuery.parse(request.rawQuery))
            case ("POST", 3), ("DELETE", 3):
                return store.relate(entity, id: parts[1], link: parts[2], body: body, add: request.method == "POST")
            default:
                return Answer.error(404, "Not found.")
            }
        }
    }

    /// Injected faults as a real site answers them. EspoCRM itself sends 500 and 503 with an empty
    /// body and no `X-Status-Reason` (FACTS §9: the reason is only set for 400/403/404/409/500
    /// exceptions it raised, not for a crash or maintenance mode), and cannot answer any other 5xx or
    /// a 422 (they become 500). It has no rate limit of its own (FACTS §10): a 429 or a 502 comes
    /// from the web server or proxy in front of it, as nginx's HTML page, without `Retry-After` or
    /// rate-limit headers.
    public func faultAnswer(status: Int, for request: ServedRequest) async -> ServedResponse {
        switch status {
        case 503: ServedResponse(status: 503)
        case 429: Answer.proxyPage(429, "Too Many Requests")
        case 502: Answer.proxyPage(502, "Bad Gateway")
        default: ServedResponse(status: 500)
        }
    }

    // MARK: Inspection

    /// How many live records of `entity` there are.
    public func count(_ entity: String) -> Int {
        store.withLock { $0.records[entity]?.values.count { !$0.deleted } ?? 0 }
    }

    /// The ids of the live records of `entity`, sorted.
    public func ids(_ entity: String) -> [String] {
        store.withLock { $0.records[entity]?.values.filter { !$0.deleted }.map(\.id).sorted() ?? [] }
    }

    /// A live record's attributes as a single read shows them; nil when absent or deleted.
    public func record(_ entity: String, id: String) -> JSONObject? {
        store.withLock { store in store.live(entity, id).map { store.render(entity, $0, full: true, select: nil) } }
    }

    /// Every live record of `entity`, as a list shows them.
    public func records(_ entity: String) -> [JSONObject] {
        store.withLock { store in
            (store.records[entity] ?? [:]).values.filter { !$0.deleted }.sorted { $0.id < $1.id }
                .map { store.render(entity, $0, full: false, select: nil) }
        }
    }

    /// Changes a record as another EspoCRM user would (through the same rules as `PATCH`: it moves
    /// `modifiedAt`, bumps `versionNumber`, writes audit notes; a note only by its author), for tests
    /// and demos; `user` defaults to the seeded person. Returns whether it was applied.
    @discardableResult
    public func edit(_ entity: String, id: String, _ attributes: JSONObject, by user: String = EspoEmulator.humanUserId) -> Bool {
        let now = self.now
        return store.withLock {
            $0.update(entity, id: id, body: .object(attributes), versionHeader: nil, now: now, actor: user).status == 200
        }
    }

    /// Deletes a record as another EspoCRM user would (a soft delete that moves `modifiedAt`; a note
    /// only by its author within a month); returns whether it was applied.
    @discardableResult
    public func remove(_ entity: String, id: String, by user: String = EspoEmulator.humanUserId) -> Bool {
        let now = self.now
        return store.withLock { $0.delete(entity, id: id, now: now, actor: user).status == 200 }
    }
}

extension EspoEmulator {
    /// Leaves record `id` of `entity` with a NULL `modifiedAt`, as a row written straight to the
    /// database (an SQL import, a broken extension) has: lists then carry it without a readable change
    /// time. For tests of what a sync does with a row it cannot read; returns whether the record exists.
    @discardableResult
    public func nullModifiedAt(_ entity: String, id: String) -> Bool {
        store.withLock { store in
            guard store.records[entity]?[id] != nil else { return false }
            store.records[entity]![id]!.attributes["modifiedAt"] = .null
            return true
        }
    }
}

extension EspoEmulator {
    /// Creates a record as another EspoCRM user would (same validation, no duplicate check, no
    /// request); returns its id, nil when EspoCRM would refuse it. For demos and tests that need the
    /// same people on both sides.
    /// `user` is who creates it: the seeded person unless said otherwise.
    @discardableResult
    public func insert(_ entity: String, _ attributes: JSONObject, by user: String = EspoEmulator.humanUserId) -> String? {
        let now = self.now
        let answer = store.withLock { $0.create(entity, body: .object(attributes), skipDuplicateCheck: true, now: now, actor: user) }
        guard answer.status == 200, let json = try? JSON(parsing: answer.body) else { return nil }
        return json["id"]?.stringValue
    }
}
