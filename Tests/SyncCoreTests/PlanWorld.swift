import Foundation
@testable import SyncCore

/// Two systems held in memory as raw JSON records, with links: what the executor would do, without HTTP.
struct PlanWorld {
    var mapping: Mapping
    var records: PerSide<[String: JSONObject]> = PerSide(ghl: [:], espo: [:])
    var links: [LinkKey: Link] = [:]
    var listingIsFull = PerSide(ghl: true, espo: true)
    /// Whether a side's records are whole, as an API that leaves unset fields out answers them: an
    /// empty field is an absent key there, and read as empty.
    var whole = PerSide(ghl: false, espo: false)
    var clock: Int64 = 1_800_000_000
    private var nextId = 0

    init(mapping: Mapping) {
        self.mapping = mapping
    }

    /// Everything the planner needs, read through the mapping like a fetch would.
    var input: PlanInput {
        let ghl = records.ghl.keys.sorted().compactMap { mapping.record(from: records.ghl[$0]!, side: .ghl, absentMeansEmpty: whole.ghl) }
        let espo = records.espo.keys.sorted().compactMap { mapping.record(from: records.espo[$0]!, side: .espo, absentMeansEmpty: whole.espo) }
        let listings = PerSide(
            ghl: Listing(isFull: listingIsFull.ghl, count: ghl.count),
            espo: Listing(isFull: listingIsFull.espo, count: espo.count))
        return PlanInput(links: links.keys.sorted().map { links[$0]! }, ghl: ghl, espo: espo, listings: listings)
    }

    /// Writes canonical `values` into a record of `side`, as an API write would, and stamps its change time.
    mutating func write(_ values: FieldValues, to side: Side, id: String, creating: Bool = false) {
        let patch = mapping.patch(writing: values, to: side, creating: creating)
        var record = patch.applied(to: records[side][id] ?? ["id": .string(id)])
        clock += 1
        record = mapping.sides[side].updatedAtPath!.write(
            .string(side == .ghl ? Timestamp.iso8601(clock) : Timestamp.naive(clock)), into: record)
        records[side][id] = whole[side] ? Self.leavingUnsetOut(record) : record
    }

    /// The record as an API that leaves unset fields out answers it: no null, "" or [] members.
    static func leavingUnsetOut(_ record: JSONObject) -> JSONObject {
        record.filter { _, value in
            switch value {
            case .null: false
            case .string(let s): !s.isEmpty
            case .array(let items): !items.isEmpty
            default: true
            }
        }
    }

    mutating func newId(on side: Side) -> String {
        nextId += 1
        return "\(side.rawValue)-new-\(nextId)"
    }

    enum ApplyError: Error, CustomStringConvertible {
        case missingRecord(Plan.Operation)
        case missingLink(Plan.Operation)
        var description: String {
            switch self {
            case .missingRecord(let op): "operation on a record that does not exist: \(op)"
            case .missingLink(let op): "operation on a link that does not exist: \(op)"
            }
        }
    }

    /// Applies every operation of `plan` the way the executor commits them.
    mutating func apply(_ plan: Plan) throws {
        for op in plan.operations { try apply(op) }
    }

    mutating func apply(_ op: Plan.Operation) throws {
        func mergeBase(_ key: LinkKey) throws {
            guard links[key] != nil else { throw ApplyError.missingLink(op) }
            links[key]!.base.merge(op.base) { $1 }
        }
        switch op.action {
        case .link:
            let key = op.link!
            if links[key] == nil { links[key] = Link(ghlId: key.ghlId, espoId: key.espoId, base: [:]) }
            links[key]!.paused = false
            try mergeBase(key)
        case .unlink:
            guard links[op.link!] != nil else { throw ApplyError.missingLink(op) }
            links[op.link!]!.paused = true
        case .forget:
            guard links.removeValue(forKey: op.link!) != nil else { throw ApplyError.missingLink(op) }
        case .rebase:
            if op.replacesBase, links[op.link!] != nil { links[op.link!]!.base = [:] }
            try mergeBase(op.link!)
        case .update:
            let target = op.target!
            guard let id = op.id(on: target), records[target][id] != nil else { throw ApplyError.missingRecord(op) }
            write(op.values, to: target, id: id)
            try mergeBase(op.link!)
        case .create:
            let target = op.target!
            let id = newId(on: target)
            write(op.values, to: target, id: id, creating: true)
            if let replacing = op.replacing {
                guard links.removeValue(forKey: replacing) != nil else { throw ApplyError.missingLink(op) }
            }
            let key = LinkKey(ghlId: op.ghlId ?? id, espoId: op.espoId ?? id)
            links[key] = Link(ghlId: key.ghlId, espoId: key.espoId, base: op.base)
        case .delete:
            let target = op.target!
            guard let id = op.id(on: target), records[target].removeValue(forKey: id) != nil else {
                throw ApplyError.missingRecord(op)
            }
            guard links.removeValue(forKey: op.link!) != nil else { throw ApplyError.missingLink(op) }
        }
    }
}
