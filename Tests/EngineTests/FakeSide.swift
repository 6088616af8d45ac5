import Engine
import Foundation
import Synchronization
import SyncCore
import Transport

/// One side held in memory, as a `Connector`: objects by name, records as raw JSON, a change clock,
/// and switches to lose an answer or refuse a call. For engine tests in process, without HTTP.
final class FakeSide: Connector, Sendable {
    let side: Side
    let objects: [String: any ObjectAdapter]
    let shared: Shared

    /// The side's data, shared with its objects.
    final class Shared: Sendable {
        let state = Mutex(State())
    }

    struct State {
        var records: [String: [String: JSONObject]] = [:]
        var clock: Int64 = 1_800_000_000
        var nextId = 0
        var calls = 0
        /// Creates of these objects reach the store but their answers are lost.
        var loseCreateAnswers: Set<String> = []
        /// Calls of these kinds (create, update, delete) fail with a 500.
        var failing: Set<String> = []
        var log: [String] = []
        /// Records of an object whose listed rows cannot be read: reported, not delivered.
        var unreadable: [String: Set<String>] = [:]
        /// Whether a listing holds only records changed at or after `since` (otherwise it holds all).
        var honorsSince = false
    }

    /// `batched`: per object, keys written many records a call (`updateMany`), as GHL's company is.
    /// `perParent`: per object, the key naming its parent: it is listed per parent, as GHL notes are.
    /// `cascade`: per parent object, the child objects (and their parent key) deleted with it, as GHL does.
    init(
        _ side: Side, objects names: [String], batched: [String: Set<String>] = [:], perParent: [String: String] = [:],
        cascade: [String: [(object: String, key: String)]] = [:]
    ) {
        self.side = side
        let shared = Shared()
        self.shared = shared
        var objects: [String: any ObjectAdapter] = [:]
        let cascaded = Set(cascade.values.flatMap { $0.map(\.object) })
        for name in names {
            objects[name] = FakeObject(
                name: name, side: side, shared: shared, batchedKeys: batched[name] ?? [], parentKey: perParent[name],
                children: cascade[name] ?? [], deletedWithParent: cascaded.contains(name))
        }
        self.objects = objects
    }

    var apiCalls: Int { shared.state.withLock { $0.calls } }

    /// Inserts a record as a person would; returns its id.
    @discardableResult
    func insert(_ object: String, _ fields: JSONObject) -> String {
        shared.state.withLock { state in
            state.nextId += 1
            state.clock += 1
            let id = "\(side.rawValue)\(state.nextId)"
            var record = fields
            record["id"] = .string(id)
            record["updatedAt"] = .string(Timestamp.iso8601(state.clock))
            state.records[object, default: [:]][id] = record
            return id
        }
    }

    func edit(_ object: String, id: String, _ fields: JSONObject) {
        shared.state.withLock { state in
            state.clock += 1
            for (key, value) in fields { state.records[object]?[id]?[key] = value.isNull ? nil : value }
            state.records[object]?[id]?["updatedAt"] = .string(Timestamp.iso8601(state.clock))
        }
    }

    /// Deletes a record as a person would, with its children where this side cascades.
    /// Moves the side's clock on, as a night passing.
    func advance(seconds: Int64) { shared.state.withLock { $0.clock += seconds } }

    /// Lists only what changed since the given time from now on, its clock set ten days back (a
    /// high-water mark is never later than the listing's own start).
    func honorSince() {
        shared.state.withLock { state in
            state.honorsSince = true
            state.clock = Int64(Date().timeIntervalSince1970) - 10 * 86_400
        }
    }

    func remove(_ object: String, id: String) {
        let children = (objects[object] as? FakeObject)?.children ?? []
        shared.state.withLock { state in
            state.records[object]?.removeValue(forKey: id)
            for child in children { state.records[child.object] = state.records[child.object]?.filter { $0.value[child.key]?.stringValue != id } }
        }
    }
    func records(_ object: String) -> [String: JSONObject] { shared.state.withLock { $0.records[object] ?? [:] } }
    func log() -> [String] { shared.state.withLock { $0.log } }
}

struct FakeObject: ObjectAdapter {
    let name: String
    let side: Side
    let shared: FakeSide.Shared
    let batchedKeys: Set<String>
    var parentKey: String? = nil
    var children: [(object: String, key: String)] = []
    var deletedWithParent = false
    var batchSize: Int { 2 }
    var listsPerParent: Bool { parentKey != nil }

    func fetch(_ mapping: Mapping, parents: [String], page: (ListingPage) async throws -> Void) async throws {
        let wanted = Set(parents)
        let rows = shared.state.withLock { state -> [JSONObject] in
            state.calls += parents.count
            state.log.append("list \(name) of \(parents.count)")
            return (state.records[name] ?? [:]).values
                .filter { $0[parentKey!]?.stringValue.map(wanted.contains) ?? false }
                .sorted { ($0["id"]?.stringValue ?? "") < ($1["id"]?.stringValue ?? "") }
        }
        try await page(ListingPage(records: rows, absentMeansEmpty: true))
    }

    func updateMany(_ mapping: Mapping, ids: [String], patch: RecordPatch) async throws(APIError) {
        try shared.state.withLock { state throws(APIError) in
            state.calls += 1
            state.log.append("updateMany \(name) \(ids.joined(separator: ","))")
            if state.failing.contains("updateMany") {
                throw APIError(.serverFailed, service: "fake", endpoint: "updateMany", status: 500, message: "refused")
            }
            for id in ids {
                guard var record = state.records[name]?[id] else { continue }
                state.clock += 1
                record = patch.applied(to: record).filter { !$0.value.isNull }
                record["updatedAt"] = .string(Timestamp.iso8601(state.clock))
                state.records[name]![id] = record
            }
        }
    }

    func fetch(_ mapping: Mapping, since: Date?, page: (ListingPage) async throws -> Void) async throws {
        let (rows, broken) = shared.state.withLock { state -> ([JSONObject], [String]) in
            state.calls += 1
            state.log.append("list \(name)")
            let broken = state.unreadable[name] ?? []
            let cutoff = state.honorsSince ? since.map { Int64($0.timeIntervalSince1970) } : nil
            let ids = (state.records[name] ?? [:]).filter { _, record in
                guard let cutoff, let text = record["updatedAt"]?.stringValue, let at = Timestamp.parse(text) else { return true }
                return at >= cutoff
            }.keys.sorted()
            return (ids.filter { !broken.contains($0) }.map { state.records[name]![$0]! }, ids.filter(broken.contains))
        }
        try await page(ListingPage(
            records: rows, absentMeansEmpty: true,
            unreadable: broken.map { UnreadableRow(id: $0, field: "updatedAt", endpoint: "list \(name)", message: "not a date-time") }))
    }

    func read(_ mapping: Mapping, id: String) async throws(APIError) -> JSONObject? {
        try shared.state.withLock { state throws(APIError) in
            state.calls += 1
            state.log.append("read \(name) \(id)")
            if state.failing.contains("read") {
                throw APIError(.serverFailed, service: "fake", endpoint: "read", status: 500, message: "refused")
            }
            return state.records[name]?[id]
        }
    }

    func find(_ mapping: Mapping, attribute: String, value: String) async throws(APIError) -> [JSONObject] {
        shared.state.withLock { state in
            state.calls += 1
            state.log.append("find \(name) \(attribute)=\(value)")
            return (state.records[name] ?? [:]).values.filter { $0[attribute]?.stringValue?.lowercased() == value.lowercased() }
        }
    }

    func create(_ mapping: Mapping, patch: RecordPatch, allowDuplicate: Bool) async throws(APIError) -> Creation {
        let (record, lost) = try shared.state.withLock { state throws(APIError) -> (JSONObject, Bool) in
            state.calls += 1
            if state.failing.contains("create") { throw APIError(.serverFailed, service: "fake", endpoint: "create", status: 500, message: "refused") }
            if state.failing.contains("create:forbidden") {
                throw APIError(.forbidden, service: "fake", endpoint: "create", status: 403, message: "No create access.")
            }
            state.nextId += 1
            state.clock += 1
            let id = "\(side.rawValue)\(state.nextId)"
            var record = patch.applied(to: [:]).filter { !$0.value.isNull }
            record["id"] = .string(id)
            record["updatedAt"] = .string(Timestamp.iso8601(state.clock))
            state.records[name, default: [:]][id] = record
            state.log.append("create \(name) \(id)")
            return (record, state.loseCreateAnswers.contains(name))
        }
        if lost { throw APIError(.outcomeUnknown, service: "fake", endpoint: "create", message: "the answer was lost") }
        return .created(record)
    }

    func update(_ mapping: Mapping, id: String, patch: RecordPatch, previous: RecordPatch) async throws(APIError) {
        try shared.state.withLock { state throws(APIError) in
            state.calls += 1
            if state.failing.contains("update") { throw APIError(.serverFailed, service: "fake", endpoint: "update", status: 500, message: "refused") }
            guard var record = state.records[name]?[id] else { throw APIError(.notFound, service: "fake", endpoint: "update", status: 404, message: "gone") }
            state.clock += 1
            record = patch.applied(to: record).filter { !$0.value.isNull }
            record["updatedAt"] = .string(Timestamp.iso8601(state.clock))
            state.records[name]![id] = record
            state.log.append("update \(name) \(id)")
        }
    }

    func delete(_ mapping: Mapping, id: String) async throws(APIError) {
        shared.state.withLock { state in
            state.calls += 1
            state.records[name]?[id] = nil
            for child in children { state.records[child.object] = state.records[child.object]?.filter { $0.value[child.key]?.stringValue != id } }
            state.log.append("delete \(name) \(id)")
        }
    }
}
