import Foundation
import Testing
import TestSupport
@testable import StateStore
import SyncCore

/// Linked pairs in every state the planner distinguishes, and unlinked records that match, collide,
/// or need creating, in canonical form.
struct PlanningWorld {
    var links: [Link] = []
    var ghl: [SideRecord] = []
    var espo: [SideRecord] = []
    var rng: SeededGenerator

    init(seed: UInt64, pairs: Int) {
        rng = SeededGenerator(seed: seed)
        for i in 0..<pairs { addPair(i) }
        for j in 0..<pairs / 5 { addUnlinked(j) }
        ghl.append(SideRecord(id: "gdup1", values: ["email": .string("dup@x.com"), "lastName": .string("Dup")]))
        ghl.append(SideRecord(id: "gdup2", values: ["email": .string("DUP@x.com"), "lastName": .string("Dup")]))
        espo.append(SideRecord(id: "edup", values: ["email": .string("dup@x.com"), "lastName": .string("Dup")]))
    }

    mutating func pick<T>(_ items: [T]) -> T { items.randomElement(using: &rng)! }

    mutating func date() -> Date? {
        pick([nil, 1_700_000_000, 1_700_000_100, 1_700_000_200]).map { Date(timeIntervalSince1970: $0) }
    }

    mutating func baseValues(_ i: Int) -> FieldValues {
        var values: FieldValues = [
            "firstName": .string(pick(["Ada", "Grace", "Alan", "Zoë"])), "lastName": .string("Last \(i)"),
            "email": .string("user\(i)@x.com"), "city": .string(pick(["Oslo", "Lima", "Perth"])),
            "tags": pick([.list(["crm"]), .list(["crm", "vip"]), .empty]), "score": .number(Double(i % 7) / 2),
        ]
        if i % 3 == 0 { values["phone"] = .string("+1415555\(String(format: "%04d", i))") }
        return values
    }

    mutating func addPair(_ i: Int) {
        let base = baseValues(i)
        var g = base, e = base
        var present = (ghl: true, espo: true), inScope = (ghl: true, espo: true), paused = false
        switch i % 20 {
        case 8: g["firstName"] = .string("Changed \(i)")
        case 9: e["city"] = .string("Kyoto")
        case 10: (g["firstName"], e["firstName"]) = (.string("Same"), .string("Same"))
        case 11: (g["firstName"], e["firstName"]) = (.string("G \(i)"), .string("E \(i)"))
        case 12: (g["city"], e["city"]) = (.string("Austin"), .string("Dublin"))
        case 13: (g["tags"], e["tags"]) = (.list(["crm", "lead", "vip"]), .empty)
        case 14:
            present.ghl = false
            if i % 40 == 14 { e["lastName"] = .string("Edited") }
        case 15: present.espo = false
        case 16: present = (false, false)
        case 17: if i % 40 == 17 { inScope.ghl = false } else { inScope.espo = false }
        case 18:
            paused = true
            if i % 40 == 18 { inScope.espo = false } else { g["city"] = .string("Resumed") }
        case 19:
            g["city"] = nil
            e["score"] = .number(99)
        default: break
        }
        links.append(Link(ghlId: "g\(i)", espoId: "e\(i)", base: base, paused: paused))
        if present.ghl { ghl.append(SideRecord(id: "g\(i)", updatedAt: date(), inScope: inScope.ghl, values: g)) }
        if present.espo { espo.append(SideRecord(id: "e\(i)", updatedAt: date(), inScope: inScope.espo, values: e)) }
    }

    mutating func addUnlinked(_ j: Int) {
        switch j % 6 {
        case 0:
            ghl.append(SideRecord(id: "gu\(j)", updatedAt: date(), values: [
                "email": .string(" Match\(j)@X.com"), "firstName": .string("G"), "lastName": .string("M \(j)")]))
            espo.append(SideRecord(id: "eu\(j)", updatedAt: date(), values: [
                "email": .string("match\(j)@x.com"), "firstName": .string("E"), "lastName": .string("M \(j)")]))
        case 1:
            ghl.append(SideRecord(id: "gu\(j)", values: ["email": .string("new\(j)@x.com"), "lastName": .string("New \(j)")]))
        case 2:
            espo.append(SideRecord(id: "eu\(j)", values: ["phone": .string("+1212555\(String(format: "%04d", j))"), "lastName": .string("E")]))
        case 3:
            // The same e-mail as a linked, unchanged pair: a likely duplicate, found through the fast path's identity.
            let k = (j * 20) % 160
            ghl.append(SideRecord(id: "gu\(j)", values: ["email": .string("USER\(k)@x.com"), "lastName": .string("Dup")]))
        case 4:
            espo.append(SideRecord(id: "eu\(j)", inScope: false, values: ["email": .string("hidden\(j)@x.com"), "lastName": .string("H")]))
            ghl.append(SideRecord(id: "gu\(j)", values: ["email": .string("hidden\(j)@x.com"), "lastName": .string("H")]))
        default:
            ghl.append(SideRecord(id: "gu\(j)", values: ["email": .string("nolast\(j)@x.com")]))
        }
    }

    /// A store holding this world: snapshots with identities saved as `identity` computes them.
    func store(in folder: TemporaryFolder, mapping: Mapping, identity: (SideRecord) -> [String]) throws -> StateStore {
        let store = try StateStore(path: folder.file())
        let run = try store.beginRun(mode: "sync", at: epoch)
        try store.saveSnapshot(entity: mapping.entity, side: .ghl, records: ghl.map { ($0, identity($0)) }, run: run)
        try store.saveSnapshot(entity: mapping.entity, side: .espo, records: espo.map { ($0, identity($0)) }, run: run)
        try store.insertLinks(links, entity: mapping.entity)
        return store
    }
}

/// The plan made from the file equals the in-memory planner's on the same data.
@Suite struct PlanningTests {
    static let listings: [PerSide<Listing>] = [
        PerSide(ghl: .full(count: 1), espo: .full(count: 1)),
        PerSide(ghl: .incremental(count: 1), espo: .full(count: 1)),
        PerSide(ghl: .full(count: 1), espo: .incremental(count: 0)),
        PerSide(ghl: .incremental(count: 0), espo: .incremental(count: 0)),
    ]

    static func options(_ world: PlanningWorld) -> [PlanOptions] {
        let resolutions = Dictionary(
            world.links.filter { $0.ghlId.hasSuffix("12") || $0.ghlId.hasSuffix("52") }
                .map { (ConflictKey(link: $0.key, field: "city"), Side.espo) },
            uniquingKeysWith: { a, _ in a })
        return [PlanOptions(), PlanOptions(allowMassDelete: true, resolutions: resolutions), PlanOptions(maxDeletes: 0, maxDeleteFraction: 0)]
    }

    @Test(arguments: [(1 as UInt64, ConflictPolicy.newestWins, DeletePolicy.propagate), (2, .manual, .ignore), (3, .ghlWins, .propagate)])
    func theStorePlansExactlyLikeThePlanner(seed: UInt64, conflict: ConflictPolicy, deletes: DeletePolicy) throws {
        let mapping = try testMapping(conflict: conflict, deletes: deletes)
        let world = PlanningWorld(seed: seed, pairs: 300)
        let folder = try TemporaryFolder()
        let store = try world.store(in: folder, mapping: mapping) { mapping.identityValues(of: $0.values) }
        var kinds = Set<Plan.Operation.Action>()
        for listings in Self.listings {
            let listings = PerSide(
                ghl: Listing(isFull: listings.ghl.isFull, count: listings.ghl.count * world.ghl.count),
                espo: Listing(isFull: listings.espo.isFull, count: listings.espo.count * world.espo.count))
            for options in Self.options(world) {
                let expected = Planner.plan(
                    PlanInput(links: world.links, ghl: world.ghl, espo: world.espo, listings: listings),
                    mapping: mapping, options: options)
                let planned = try store.plan(mapping: mapping, options: options, listings: listings)
                #expect(planned == expected, "listings \(listings), options \(options)")
                kinds.formUnion(planned.operations.map(\.action))
            }
        }
        // The worlds exercise every kind of operation the planner makes.
        #expect(kinds.isSuperset(of: [.link, .unlink, .forget, .rebase, .create, .update, .delete]) || deletes == .ignore)
        let plan = try store.plan(mapping: mapping, options: PlanOptions(allowMassDelete: true),
                                  listings: PerSide(ghl: .full(count: world.ghl.count), espo: .full(count: world.espo.count)))
        #expect(!plan.conflicts.isEmpty && !plan.skipped.isEmpty && !plan.ambiguities.isEmpty && plan.unchanged > 100)
        #expect(plan.skipped.contains { if case .matchesLinked = $0.reason { true } else { false } })
    }

    @Test func identitiesThatDoNotFitTheMappingAreRecomputed() throws {
        let mapping = try testMapping()
        let world = PlanningWorld(seed: 7, pairs: 200)
        let folder = try TemporaryFolder()
        // Saved under a mapping with one identity key: the planner's mapping has two.
        let store = try world.store(in: folder, mapping: mapping) { [mapping.identityValues(of: $0.values)[0]] }
        let listings = PerSide(ghl: Listing.full(count: world.ghl.count), espo: .full(count: world.espo.count))
        let expected = Planner.plan(PlanInput(links: world.links, ghl: world.ghl, espo: world.espo, listings: listings), mapping: mapping)
        #expect(try store.plan(mapping: mapping, options: PlanOptions(), listings: listings) == expected)
    }

    @Test func anEmptyStorePlansNothing() throws {
        let folder = try TemporaryFolder()
        let store = try StateStore(path: folder.file())
        let mapping = try testMapping()
        let listings = PerSide(ghl: Listing.full(count: 0), espo: .full(count: 0))
        let plan = try store.plan(mapping: mapping, options: PlanOptions(), listings: listings)
        #expect(plan == Planner.plan(PlanInput(links: [], ghl: [], espo: [], listings: listings), mapping: mapping))
        #expect(plan.isEmpty)
    }
}
