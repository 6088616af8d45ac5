import Foundation
import Testing
@testable import SyncCore

/// Random worlds: linked pairs edited on either side, deleted, paused or out of scope, and unlinked
/// records whose identities collide, under random conflict and delete policies.
struct WorldGenerator {
    static func mapping(conflict: ConflictPolicy, deletes: DeletePolicy) throws -> Mapping {
        try SyncCoreTests.mapping("""
        {
          "entity": "contact",
          "ghl": {"object": "contact", "filter": {"not": {"path": "dnd", "equals": true}}, "createRequires": {"anyOf": ["email", "phone"]}},
          "espo": {"object": "Contact", "filter": {"not": {"path": "archived", "equals": true}}, "createRequires": {"allOf": ["lastName"]}},
          "identity": [{"field": "email", "match": "email"}, {"field": "phone", "match": "phone", "defaultRegion": "US"}],
          "conflict": "\(conflict.rawValue)",
          "deletes": "\(deletes.rawValue)",
          "fields": {
            "firstName": {"ghl": "firstName", "espo": "firstName", "transforms": ["collapseWhitespace"]},
            "lastName": {"ghl": "lastName", "espo": "lastName", "transforms": ["collapseWhitespace"]},
            "email": {"ghl": "email", "espo": "emailAddress", "transforms": ["trim", "lower"]},
            "phone": {"ghl": "phone", "espo": "phoneNumber", "transforms": [{"e164": {"defaultRegion": "US"}}]},
            "city": {"ghl": "city", "espo": "addressCity", "conflict": "espo-wins"},
            "country": {"ghl": "country", "espo": {"path": "addressCountry", "transforms": [{"map": {"values": {"United States": "US", "Norway": "NO"}}}]}},
            "tags": {"type": "set", "ghl": "tags", "espo": "cTags"},
            "score": {"type": "number", "direction": "to-espo", "ghl": {"customField": {"id": "cfScore"}}, "espo": {"path": "cScore", "transforms": [{"number": {"raw": "string"}}]}},
            "birthday": {"type": "date", "ghl": {"path": "dateOfBirth", "transforms": ["date"]}, "espo": {"path": "birthday", "transforms": ["date"]}}
          }
        }
        """, file: "property.json")
    }

    static let pools: [String: [FieldValue]] = [
        "firstName": ["Ada", "Grace", "Alan", "Mary Ann"].map(FieldValue.string),
        "lastName": ["Lovelace", "Hopper", "Turing"].map(FieldValue.string),
        "email": ["ada@x.com", "grace@x.com", "alan@x.com", "a+b@x.com", "mary@x.com", "joan@x.com"].map(FieldValue.string),
        "phone": ["+14155550100", "+14155550101", "+442079460958"].map(FieldValue.string),
        "city": ["Oslo", "Paris", "Lima"].map(FieldValue.string),
        "country": ["US", "NO", "DE"].map(FieldValue.string),
        "tags": [.list(["crm"]), .list(["crm", "vip"]), .list(["lead"]), .list(["lead", "vip"])],
        "score": [1, 2.5, 10].map(FieldValue.number),
        "birthday": ["1990-09-25", "2000-02-29"].map(FieldValue.string),
    ]

    var rng: SeededGenerator

    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }

    mutating func value(_ field: String) -> FieldValue {
        chance(0.15) ? .empty : WorldGenerator.pools[field]!.randomElement(using: &rng)!
    }

    mutating func values(absent: Double) -> FieldValues {
        var result = FieldValues()
        for field in WorldGenerator.pools.keys.sorted() where !chance(absent) { result[field] = value(field) }
        return result
    }

    mutating func edited(_ base: FieldValues) -> FieldValues {
        var result = FieldValues()
        for field in base.keys.sorted() {
            let v = base[field]!
            switch Double.random(in: 0..<1, using: &rng) {
            case ..<0.65: result[field] = v
            case ..<0.85: result[field] = value(field)
            case ..<0.92: result[field] = .empty
            default: break   // the API did not return it
            }
        }
        return result
    }

    /// Raw noise a person types: upper-case e-mails, national phone numbers, country names.
    mutating func noisy(_ record: JSONObject, side: Side) -> JSONObject {
        var r = record
        let emailKey = side == .ghl ? "email" : "emailAddress"
        if case .string(let e)? = r[emailKey], chance(0.3) { r[emailKey] = .string(" " + e.uppercased()) }
        let phoneKey = side == .ghl ? "phone" : "phoneNumber"
        if case .string("+14155550100")? = r[phoneKey], chance(0.5) { r[phoneKey] = "(415) 555-0100" }
        return r
    }

    mutating func world() throws -> PlanWorld {
        let conflict = ConflictPolicy.allCases.randomElement(using: &rng)!
        let deletes = DeletePolicy.allCases.randomElement(using: &rng)!
        var world = PlanWorld(mapping: try WorldGenerator.mapping(conflict: conflict, deletes: deletes))
        // Some worlds answer whole records that leave unset fields out: a clear is an absent key there.
        world.whole = PerSide(ghl: chance(0.5), espo: chance(0.5))
        let times: [Int64] = [1_700_000_000, 1_700_000_100, 1_700_000_200]
        func put(_ values: FieldValues, side: Side, id: String, inScope: Bool) {
            world.write(values, to: side, id: id)
            var raw = noisy(world.records[side][id]!, side: side)
            raw = world.mapping.sides[side].updatedAtPath!.write(
                .string(side == .ghl ? Timestamp.iso8601(times.randomElement(using: &rng)!) : Timestamp.naive(times.randomElement(using: &rng)!)),
                into: raw)
            if !inScope { raw[side == .ghl ? "dnd" : "archived"] = true }
            world.records[side][id] = world.whole[side] ? PlanWorld.leavingUnsetOut(raw) : raw
        }
        for i in 0..<Int.random(in: 0...20, using: &rng) {
            var base = values(absent: 0)
            if chance(0.5) { base["email"] = .string("linked\(i)@x.com") }
            let key = LinkKey(ghlId: "g\(i)", espoId: "e\(i)")
            world.links[key] = Link(ghlId: key.ghlId, espoId: key.espoId, base: base, paused: chance(0.05))
            let gone = Double.random(in: 0..<1, using: &rng)
            if gone >= 0.08 { put(edited(base), side: .ghl, id: key.ghlId, inScope: !chance(0.08)) }
            if gone < 0.08 || gone >= 0.16 { put(edited(base), side: .espo, id: key.espoId, inScope: !chance(0.08)) }
        }
        for side in Side.allCases {
            for i in 0..<Int.random(in: 0...8, using: &rng) {
                put(values(absent: 0.2), side: side, id: "\(side == .ghl ? "g" : "e")u\(i)", inScope: !chance(0.15))
            }
        }
        world.listingIsFull = PerSide(ghl: !chance(0.15), espo: !chance(0.15))
        return world
    }
}

@Suite struct PlanPropertyTests {
    static let seeds = Array(UInt64(1)...1000)

    @Test(arguments: seeds)
    func applyingAPlanAndPlanningAgainYieldsNothing(seed: UInt64) throws {
        var generator = WorldGenerator(rng: SeededGenerator(seed: seed))
        var world = try generator.world()
        let options = PlanOptions(allowMassDelete: generator.chance(0.5))
        let first = Planner.plan(world.input, mapping: world.mapping, options: options)
        try world.apply(first)
        let second = Planner.plan(world.input, mapping: world.mapping, options: options)
        #expect(second.operations.isEmpty, "seed \(seed): \(second.operations)")
        #expect(second.conflicts.allSatisfy { $0.resolution == .queued }, "seed \(seed)")
    }

    /// Where both sides answer whole records, every clear (an absent key) travels: after one plan is
    /// applied, every synced pair holds the same value in every field, but for conflicts left to a person.
    @Test(arguments: seeds)
    func clearsShownAsAbsentKeysTravel(seed: UInt64) throws {
        var generator = WorldGenerator(rng: SeededGenerator(seed: seed))
        var world = try generator.world()
        world.whole = PerSide(ghl: true, espo: true)
        for side in Side.allCases { world.records[side] = world.records[side].mapValues(PlanWorld.leavingUnsetOut) }
        let plan = Planner.plan(world.input, mapping: world.mapping, options: PlanOptions(allowMassDelete: true))
        try world.apply(plan)
        let input = world.input
        let records: PerSide<[String: SideRecord]> = input.records.map { list in
            Dictionary(list.map { ($0.id, $0) }, uniquingKeysWith: { (a: SideRecord, _: SideRecord) in a })
        }
        let queued = Set(plan.conflicts.filter { $0.resolution == .queued }.map(\.link))
        // A clear the other side refuses (it requires the field) is reported, not written.
        let refused = Set(plan.skipped.compactMap { skip -> String? in
            if case .requiredOnTarget = skip.reason { return skip.id } else { return nil }
        })
        for link in world.links.values where !link.paused && !queued.contains(link.key)
            && !refused.contains(link.ghlId) && !refused.contains(link.espoId) {
            guard let ghl = records.ghl[link.ghlId], let espo = records.espo[link.espoId], ghl.inScope, espo.inScope else { continue }
            for field in world.mapping.fields where field.direction == .both {
                let left: FieldValue = ghl.values[field.name] ?? .empty
                let right: FieldValue = espo.values[field.name] ?? .empty
                #expect(left == right, "seed \(seed): \(link.key) \(field.name)")
            }
        }
    }

    @Test(arguments: seeds)
    func swappingTheSidesMirrorsThePlan(seed: UInt64) throws {
        var generator = WorldGenerator(rng: SeededGenerator(seed: seed))
        let world = try generator.world()
        let input = world.input
        guard !(input.listings.ghl.isFull && input.listings.espo.isFull && input.records.ghl.isEmpty && input.records.espo.isEmpty) else { return }
        let plan = Planner.plan(input, mapping: world.mapping)
        let mirrored = Planner.plan(Mirror.input(input), mapping: Mirror.mapping(world.mapping))
        let expected = Mirror.normalized(Mirror.plan(plan)), actual = Mirror.normalized(mirrored)
        let difference = Mirror.difference(actual, expected)
        #expect(difference.isEmpty, "seed \(seed): \(difference)")
        if difference.isEmpty { #expect(actual == expected, "seed \(seed)") }
    }

    @Test(arguments: seeds.prefix(100))
    func planningIsDeterministic(seed: UInt64) throws {
        var generator = WorldGenerator(rng: SeededGenerator(seed: seed))
        let world = try generator.world()
        let input = world.input
        var rng = SeededGenerator(seed: seed ^ 0xFFFF)
        let shuffled = PlanInput(links: input.links.shuffled(using: &rng), ghl: input.records.ghl.shuffled(using: &rng),
                                 espo: input.records.espo.shuffled(using: &rng), listings: input.listings)
        let a = Planner.plan(input, mapping: world.mapping)
        #expect(Planner.plan(input, mapping: world.mapping) == a)
        #expect(Planner.plan(shuffled, mapping: world.mapping) == a, "seed \(seed)")
    }

    @Test(arguments: seeds.prefix(200))
    func nonInvertibleBidirectionalMapsAreRejected(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        var table: [(String, String)] = []
        var used = Set<String>()
        for _ in 0..<Int.random(in: 1...5, using: &rng) {
            let raw = "r\(Int.random(in: 0..<8, using: &rng))"
            guard used.insert(raw).inserted else { continue }
            table.append((raw, "C\(Int.random(in: 0..<4, using: &rng))"))
        }
        let targets = table.map(\.1)
        let invertible = Set(targets).count == targets.count
        let values = table.map { "\"\($0.0)\": \"\($0.1)\"" }.joined(separator: ", ")
        let text = mappingText(fields: """
            {"email": {"ghl": "email", "espo": "emailAddress"},
             "kind": {"ghl": "kind", "espo": {"path": "cKind", "transforms": [{"map": {"values": {\(values)}}}]}}}
            """)
        do {
            let m = try mapping(text)
            #expect(invertible, "seed \(seed): a map with a shared target was accepted: \(values)")
            let field = try #require(m.field(named: "kind"))
            for (raw, canonical) in table {
                #expect(m.read(.string(raw), of: field, side: .espo) == .string(canonical))
                #expect(m.read(m.write(.string(canonical), of: field, side: .espo), of: field, side: .espo) == .string(canonical))
            }
        } catch let error as MappingError {
            #expect(!invertible, "seed \(seed): an invertible map was rejected: \(error)")
            #expect(error.issues.allSatisfy { $0.message.contains("not invertible") })
        }
        // Made one-way towards GHL, the same table is always accepted: EspoCRM is only read through it.
        let oneWay = text.replacingOccurrences(of: #""kind": {"#, with: #""kind": {"direction": "to-ghl", "#)
        _ = try mapping(oneWay)
    }
}

/// Exchanging the two sides of an input, a mapping and a plan.
enum Mirror {
    static func input(_ input: PlanInput) -> PlanInput {
        PlanInput(links: input.links.map { Link(ghlId: $0.espoId, espoId: $0.ghlId, base: $0.base, paused: $0.paused) },
                  ghl: input.records.espo, espo: input.records.ghl, listings: input.listings.swapped)
    }

    static func mapping(_ mapping: Mapping) -> Mapping {
        var m = mapping
        m.sides = mapping.sides.swapped
        m.conflict = mapping.conflict.swapped
        m.conflictFallback = mapping.conflictFallback.swapped
        m.fields = mapping.fields.map { field in
            var f = field
            f.sources = field.sources.swapped
            f.conflict = field.conflict?.swapped
            f.direction = field.direction == .toEspo ? .toGhl : field.direction == .toGhl ? .toEspo : .both
            return f
        }
        return m
    }

    static func key(_ key: LinkKey) -> LinkKey { LinkKey(ghlId: key.espoId, espoId: key.ghlId) }

    static func operation(_ op: Plan.Operation) -> Plan.Operation {
        var o = op
        o.target = op.target?.other
        o.ghlId = op.espoId
        o.espoId = op.ghlId
        o.replacing = op.replacing.map(key)
        return o
    }

    static func plan(_ plan: Plan) -> Plan {
        var p = plan
        p.operations = plan.operations.map(operation)
        p.withheld = plan.withheld.map(operation)
        p.removed = Dictionary(uniqueKeysWithValues: plan.removed.map { (key($0.key), $0.value.map(\.other)) })
        p.conflicts = plan.conflicts.map { c in
            var m = c
            m.link = key(c.link)
            m.ghl = c.espo
            m.espo = c.ghl
            m.policy = c.policy.swapped
            if case .deleteVersusEdit(let side) = c.kind { m.kind = .deleteVersusEdit(deletedOn: side.other) }
            if case .took(let side) = c.resolution { m.resolution = .took(side.other) }
            return m
        }
        p.skipped = plan.skipped.map { Skip(side: $0.side.other, id: $0.id, reason: $0.reason) }
        p.ambiguities = plan.ambiguities.map { Ambiguity(field: $0.field, value: $0.value, ghlIds: $0.espoIds, espoIds: $0.ghlIds) }
        if var g = plan.massDeleteGuard {
            g.missing = g.missing.swapped
            g.suspect = g.suspect.map(\.other).sorted()
            p.massDeleteGuard = g
        }
        return p
    }

    /// What differs between two plans, briefly.
    static func difference(_ a: Plan, _ b: Plan) -> String {
        func diff<T: Hashable>(_ name: String, _ x: [T], _ y: [T]) -> String {
            let only = (Set(x).subtracting(y), Set(y).subtracting(x))
            return only.0.isEmpty && only.1.isEmpty ? "" : "\n\(name) only in mirrored: \(only.0)\n\(name) only in expected: \(only.1)"
        }
        return diff("operations", a.operations, b.operations) + diff("conflicts", a.conflicts, b.conflicts)
            + diff("skipped", a.skipped, b.skipped) + diff("ambiguities", a.ambiguities, b.ambiguities)
            + diff("withheld", a.withheld, b.withheld)
            + (a.unchanged == b.unchanged ? "" : "\nunchanged \(a.unchanged) vs \(b.unchanged)")
            + (a.massDeleteGuard == b.massDeleteGuard ? "" : "\nguard \(String(describing: a.massDeleteGuard)) vs \(String(describing: b.massDeleteGuard))")
    }

    /// Sorted the planner's way, without the prose (which names the sides).
    static func normalized(_ plan: Plan) -> Plan {
        var p = plan
        let strip = { (op: Plan.Operation) -> Plan.Operation in
            var o = op
            o.reason = nil
            return o
        }
        p.operations = plan.operations.map(strip).sorted(by: Plan.Operation.order)
        p.withheld = plan.withheld.map(strip).sorted(by: Plan.Operation.order)
        p.conflicts.sort { ($0.link, $0.field) < ($1.link, $1.field) }
        p.skipped.sort { ($0.side, $0.id) < ($1.side, $1.id) }
        return p
    }
}
