import Foundation
import Testing
@testable import SyncCore

/// The planner on hand-made situations, one behaviour each.
@Suite struct PlannerTests {
    let ada = ["firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com", "city": "London"]

    func plan(
        links: [Link] = [], ghl: [SideRecord] = [], espo: [SideRecord] = [], listings: PerSide<Listing>? = nil,
        options: PlanOptions = PlanOptions(), mapping: Mapping = contactsMapping
    ) -> Plan {
        Planner.plan(PlanInput(links: links, ghl: ghl, espo: espo, listings: listings), mapping: mapping, options: options)
    }

    func with(_ base: [String: String], _ changes: [String: String]) -> [String: String] {
        base.merging(changes) { $1 }
    }

    // MARK: Linked pairs

    @Test func nothingChangedPlansNothing() {
        let p = plan(links: [Link(ghlId: "g1", espoId: "e1", base: values(ada))],
                     ghl: [record("g1", ada)], espo: [record("e1", ada)])
        #expect(p.operations.isEmpty)
        #expect(p.unchanged == 1)
        #expect(p.isEmpty)
    }

    @Test func editsTravelBothWaysAndMergePerField() {
        let p = plan(links: [Link(ghlId: "g1", espoId: "e1", base: values(ada))],
                     ghl: [record("g1", with(ada, ["city": "Paris"]))],
                     espo: [record("e1", with(ada, ["firstName": "Augusta"]))])
        #expect(p.operations.count == 2)
        let toGHL = p.operations.first { $0.target == .ghl }
        let toEspo = p.operations.first { $0.target == .espo }
        #expect(toGHL?.action == .update)
        #expect(toGHL?.fields == [FieldChange(field: "firstName", from: .string("Ada"), to: .string("Augusta"))])
        #expect(toGHL?.base == ["firstName": .string("Augusta")])
        #expect(toEspo?.fields == [FieldChange(field: "city", from: .string("London"), to: .string("Paris"))])
        #expect(p.conflicts.isEmpty)
    }

    @Test func theSameEditOnBothSidesOnlyMovesTheBase() {
        let p = plan(links: [Link(ghlId: "g1", espoId: "e1", base: values(ada))],
                     ghl: [record("g1", with(ada, ["city": "Paris"]))], espo: [record("e1", with(ada, ["city": "Paris"]))])
        #expect(p.operations.map(\.action) == [.rebase])
        #expect(p.operations.first?.base == ["city": .string("Paris")])
        #expect(p.writes.isEmpty)
    }

    @Test func conflictsAreSettledByNewestWins() {
        let p = plan(links: [Link(ghlId: "g1", espoId: "e1", base: values(ada))],
                     ghl: [record("g1", with(ada, ["city": "Paris"]), updated: 200)],
                     espo: [record("e1", with(ada, ["city": "Rome"]), updated: 100)])
        #expect(p.operations.count == 1)
        #expect(p.operations.first?.target == .espo)
        #expect(p.operations.first?.fields.first == FieldChange(field: "city", from: .string("Rome"), to: .string("Paris"), settledConflict: true))
        #expect(p.conflicts.count == 1)
        #expect(p.conflicts.first?.resolution == .took(.ghl))
        #expect(p.conflictingRecords == 1)
    }

    @Test(arguments: [ConflictPolicy.ghlWins, .espoWins, .manual])
    func conflictPolicies(policy: ConflictPolicy) {
        var m = contactsMapping
        m.conflict = policy
        let p = plan(links: [Link(ghlId: "g1", espoId: "e1", base: values(ada))],
                     ghl: [record("g1", with(ada, ["city": "Paris", "firstName": "A."]), updated: 100)],
                     espo: [record("e1", with(ada, ["city": "Rome"]), updated: 200)], mapping: m)
        // The non-conflicting edit travels whatever the policy.
        #expect(p.operations.contains { $0.target == .espo && $0.fields.contains { $0.field == "firstName" } })
        switch policy {
        case .ghlWins:
            #expect(p.operations.first { $0.target == .espo }?.fields.map(\.field) == ["firstName", "city"])
            #expect(p.conflicts.first?.resolution == .took(.ghl))
        case .espoWins:
            #expect(p.operations.first { $0.target == .ghl }?.fields.map(\.field) == ["city"])
            #expect(p.conflicts.first?.resolution == .took(.espo))
        default:
            #expect(!p.operations.contains { $0.fields.contains { $0.field == "city" } })
            #expect(p.conflicts.first?.resolution == .queued)
            #expect(p.conflicts.first?.ghl == .string("Paris"))
            #expect(p.conflicts.first?.espo == .string("Rome"))
            #expect(p.conflicts.first?.base == .string("London"))
        }
    }

    @Test func aFieldCanOverrideThePolicyAndAPersonCanResolve() {
        var m = contactsMapping
        m.fields[m.fields.firstIndex { $0.name == "city" }!].conflict = .manual
        let link = Link(ghlId: "g1", espoId: "e1", base: values(ada))
        let ghl = [record("g1", with(ada, ["city": "Paris"]), updated: 300)]
        let espo = [record("e1", with(ada, ["city": "Rome"]), updated: 100)]
        #expect(plan(links: [link], ghl: ghl, espo: espo, mapping: m).conflicts.first?.resolution == .queued)
        let resolved = plan(links: [link], ghl: ghl, espo: espo,
                            options: PlanOptions(resolutions: [ConflictKey(link: link.key, field: "city"): .espo]), mapping: m)
        #expect(resolved.operations.first?.target == .ghl)
        #expect(resolved.operations.first?.fields.first?.to == .string("Rome"))
    }

    @Test func leavingTheFilterUnlinksAndDeletesNothing() {
        let p = plan(links: [Link(ghlId: "g1", espoId: "e1", base: values(ada))],
                     ghl: [record("g1", with(ada, ["city": "Paris"]), inScope: false)], espo: [record("e1", ada)])
        #expect(p.operations.map(\.action) == [.unlink])
        #expect(p.operations.first?.target == .ghl)
        let paused = plan(links: [Link(ghlId: "g1", espoId: "e1", base: values(ada), paused: true)],
                          ghl: [record("g1", ada, inScope: false)], espo: [record("e1", with(ada, ["city": "Rome"]))])
        #expect(paused.operations.isEmpty, "a paused pair is not synced and not created again")
        let back = plan(links: [Link(ghlId: "g1", espoId: "e1", base: values(ada), paused: true)],
                        ghl: [record("g1", ada)], espo: [record("e1", with(ada, ["city": "Rome"]))])
        #expect(back.operations.map(\.action) == [.link, .update])
    }

    // MARK: Deletes

    @Test func deletesComeOnlyFromFullListings() {
        let link = Link(ghlId: "g1", espoId: "e1", base: values(ada))
        let incremental = plan(links: [link], ghl: [], espo: [record("e1", ada)],
                               listings: PerSide(ghl: .incremental(count: 0), espo: .full(count: 1)))
        #expect(incremental.operations.isEmpty)
        let full = plan(links: [link], ghl: [record("g9", ["email": "x@y.z"])], espo: [record("e1", ada)])
        #expect(full.operations.contains(Plan.Operation(action: .delete, target: .espo, ghlId: "g1", espoId: "e1", reason: "deleted in GoHighLevel")))
    }

    @Test func aDeleteAgainstAnEditKeepsTheEditedRecord() throws {
        let link = Link(ghlId: "g1", espoId: "e1", base: values(ada))
        let p = plan(links: [link], ghl: [record("g9", ["email": "x@y.z"])], espo: [record("e1", with(ada, ["city": "Rome"]))])
        let create = try #require(p.operations.first { $0.action == .create })
        #expect(create.target == .ghl)
        #expect(create.espoId == "e1")
        #expect(create.replacing == link.key)
        #expect(create.fields.contains(FieldChange(field: "city", from: nil, to: .string("Rome"))))
        #expect(p.conflicts.first?.kind == .deleteVersusEdit(deletedOn: .ghl))
        #expect(p.conflicts.first?.resolution == .took(.espo))
        #expect(!p.operations.contains { $0.action == .delete })

        var m = contactsMapping
        m.conflict = .ghlWins
        let deletionWins = plan(links: [link], ghl: [record("g9", ["email": "x@y.z"])], espo: [record("e1", with(ada, ["city": "Rome"]))], mapping: m)
        #expect(deletionWins.operations.contains { $0.action == .delete && $0.target == .espo })
        m.conflict = .manual
        let queued = plan(links: [link], ghl: [record("g9", ["email": "x@y.z"])], espo: [record("e1", with(ada, ["city": "Rome"]))], mapping: m)
        #expect(!queued.operations.contains { $0.espoId == "e1" })
        #expect(queued.conflicts.first?.resolution == .queued)
    }

    @Test func deletePolicyIgnoreKeepsTheOtherRecordAndStopsSyncingIt() {
        var m = contactsMapping
        m.deletes = .ignore
        let p = plan(links: [Link(ghlId: "g1", espoId: "e1", base: values(ada))],
                     ghl: [record("g9", ["email": "x@y.z"])], espo: [record("e1", ada)], mapping: m)
        #expect(p.operations.map(\.action) == [.unlink])
        #expect(p.operations.first?.target == .ghl)
        #expect(p.skipped.map(\.id) == ["g9"], "g9 has no last name for EspoCRM")
        // The next run: the paused marker keeps e1 from being created again in GHL.
        let next = plan(links: [Link(ghlId: "g1", espoId: "e1", base: values(ada), paused: true), Link(ghlId: "g9", espoId: "e9", base: values(["email": "x@y.z"]))],
                        ghl: [record("g9", ["email": "x@y.z"])], espo: [record("e1", ada), record("e9", ["email": "x@y.z"])], mapping: m)
        #expect(next.operations.isEmpty)
    }

    @Test func goneOnBothSidesForgetsTheLink() {
        let p = plan(links: [Link(ghlId: "g1", espoId: "e1", base: values(ada))], ghl: [record("g2", ["email": "b@x.y"])],
                     espo: [record("e2", ["email": "c@x.y", "lastName": "C"])])
        #expect(p.operations.contains { $0.action == .forget && $0.ghlId == "g1" })
    }

    // MARK: Mass-delete guard

    func linked(_ n: Int) -> (links: [Link], ghl: [SideRecord], espo: [SideRecord]) {
        var links: [Link] = [], ghl: [SideRecord] = [], espo: [SideRecord] = []
        for i in 0..<n {
            let v = ["email": "p\(i)@x.com", "lastName": "P\(i)"]
            links.append(Link(ghlId: "g\(i)", espoId: "e\(i)", base: values(v)))
            ghl.append(record("g\(i)", v))
            espo.append(record("e\(i)", v))
        }
        return (links, ghl, espo)
    }

    @Test func anEmptyFullListingNeverDeletesEverything() {
        let world = linked(3)
        let p = plan(links: world.links, ghl: [], espo: world.espo)
        #expect(p.operations.isEmpty)
        #expect(p.withheld.count == 3)
        #expect(p.massDeleteGuard?.reason == .emptyListing)
        #expect(p.massDeleteGuard?.suspect == [.ghl])
        #expect(p.massDeleteGuard?.message.contains("--allow-mass-delete") == true)
        #expect(p.massDeleteGuard?.message.contains("3 of 3 linked records missing in GoHighLevel") == true)
        // Nor are records created in the side whose listing is in doubt: they may be there already.
        let newcomer = record("e-new", ["email": "new@x.com", "lastName": "N"])
        let withNewcomer = plan(links: world.links, ghl: [], espo: world.espo + [newcomer])
        #expect(withNewcomer.operations.isEmpty)
        #expect(withNewcomer.withheld.contains { $0.action == .create && $0.target == .ghl && $0.espoId == "e-new" })
        let allowed = plan(links: world.links, ghl: [], espo: world.espo, options: PlanOptions(allowMassDelete: true))
        #expect(allowed.operations.count(where: { $0.action == .delete }) == 3)
        #expect(allowed.massDeleteGuard == nil)
    }

    @Test(arguments: [(100, 10, false), (100, 11, true), (200, 11, false), (200, 21, true), (50, 11, true), (5, 4, false)])
    func theThresholdNeedsBothCountAndShare(links n: Int, deleted: Int, trips: Bool) {
        let world = linked(n)
        let p = plan(links: world.links, ghl: Array(world.ghl.dropFirst(deleted)), espo: world.espo)
        #expect((p.massDeleteGuard != nil) == trips)
        #expect(p.operations.count(where: { $0.action == .delete }) == (trips ? 0 : deleted))
        if trips { #expect(p.massDeleteGuard?.reason == .threshold) }
    }

    // MARK: Unlinked records

    @Test func firstRunMatchesOnNormalisedIdentityAndCreatesTheRest() throws {
        let ghl = [
            record("g1", ["email": "ada@example.com", "firstName": "Ada", "lastName": "Lovelace"]),
            record("g2", ["phone": "+14155550100", "lastName": "Hopper"]),
            record("g3", ["email": "new@x.com", "lastName": "New"]),
        ]
        let espo = [
            record("e1", ["email": "ada@example.com", "firstName": "Ada", "lastName": "Lovelace", "city": "London"]),
            record("e2", ["email": "grace@navy.mil", "phone": "+14155550100", "lastName": "Hopper"]),
            record("e3", ["email": "espo-only@x.com", "lastName": "Only"]),
        ]
        let p = plan(ghl: ghl, espo: espo)
        let links = p.operations(.link).map { "\($0.ghlId!)-\($0.espoId!)" }
        #expect(links == ["g1-e1", "g2-e2"])
        let g1e1 = try #require(p.operations(.link).first)
        #expect(g1e1.base == ["email": .string("ada@example.com"), "firstName": .string("Ada"), "lastName": .string("Lovelace")])
        #expect(p.operations.contains { $0.action == .update && $0.target == .ghl && $0.ghlId == "g1" && $0.fields.map(\.field) == ["city"] })
        #expect(p.operations.contains { $0.action == .update && $0.target == .ghl && $0.ghlId == "g2" && $0.fields.map(\.field) == ["email"] })
        let creates = p.operations(.create).map { "\($0.target!):\($0.ghlId ?? $0.espoId!)" }
        #expect(creates == ["ghl:e3", "espo:g3"])
    }

    @Test func twoCandidatesAreAnAmbiguityNeitherMergedNorCreated() {
        let p = plan(ghl: [record("g1", ["email": "Same@x.com", "lastName": "A"])],
                     espo: [record("e1", ["email": "same@x.com", "lastName": "A"]), record("e2", ["email": "same@x.com", "lastName": "B"])])
        #expect(p.operations.isEmpty)
        #expect(p.ambiguities == [Ambiguity(field: "email", value: "same@x.com", ghlIds: ["g1"], espoIds: ["e1", "e2"])])
    }

    @Test func aMatchWithALinkedRecordIsALikelyDuplicate() {
        let p = plan(links: [Link(ghlId: "g1", espoId: "e1", base: values(["email": "a@x.com", "lastName": "A"]))],
                     ghl: [record("g1", ["email": "a@x.com", "lastName": "A"]), record("g2", ["email": "a@x.com", "lastName": "A2"])],
                     espo: [record("e1", ["email": "a@x.com", "lastName": "A"])])
        #expect(p.operations.isEmpty)
        #expect(p.skipped == [Skip(side: .ghl, id: "g2", reason: .matchesLinked(ids: ["e1"]))])
    }

    @Test func aMatchWithAnOutOfScopeRecordIsNotDuplicated() {
        let p = plan(ghl: [record("g1", ["email": "a@x.com"], inScope: false)], espo: [record("e1", ["email": "a@x.com", "lastName": "A"])])
        #expect(p.operations.isEmpty)
        #expect(p.skipped == [Skip(side: .espo, id: "e1", reason: .matchesOutOfScope(ids: ["g1"]))])
    }

    @Test func recordsTheOtherSideCannotTakeAreSkippedWithTheReason() {
        let p = plan(ghl: [record("g1", ["email": "a@x.com", "firstName": "NoLast"])], espo: [record("e1", ["lastName": "NoContact"])])
        #expect(p.operations.isEmpty)
        #expect(p.skipped.map(\.reason) == [.missingRequired(fields: ["lastName"]), .missingRequired(fields: ["email or phone"])])
        #expect(p.skipped[0].message.hasPrefix("EspoCRM requires lastName to create a record"))
    }

    @Test func createsThatWouldFallOutsideTheTargetFilterAreSkipped() throws {
        var m = contactsMapping
        m.sides.ghl.filter = .test(.key("tags"), .contains("crm"))
        let p = plan(ghl: [], espo: [record("e1", ["email": "a@x.com", "lastName": "A"])], mapping: m)
        #expect(p.skipped.map(\.reason) == [.outsideTargetFilter])
        m.fields.append(FieldMapping(name: "tags", type: .set, direction: .toGhl,
                                     ghl: FieldSource(.key("tags"), transforms: [.defaultValue(.list(["crm"]))]), espo: FieldSource(.key("cTags"))))
        let withDefault = plan(ghl: [], espo: [record("e1", ["email": "a@x.com", "lastName": "A"])], mapping: m)
        #expect(withDefault.skipped.isEmpty)
    }

    @Test func planningIsIndependentOfInputOrder() {
        let world = linked(30)
        var ghl = world.ghl, espo = world.espo
        ghl[3].values["city"] = .string("X")
        espo[5].values["city"] = .string("Y")
        ghl.append(record("gx", ["email": "n@x.com", "lastName": "N"]))
        let a = plan(links: world.links, ghl: ghl, espo: espo)
        let b = plan(links: world.links.reversed(), ghl: ghl.reversed(), espo: espo.shuffled())
        #expect(a == b)
    }
}

@Suite struct StaleBaseTests {
    @Test func fieldsTheMappingNoLongerHasLeaveTheBase() throws {
        var m = contactsMapping
        m.fields.removeAll { $0.name == "city" }
        let base = values(["email": "a@x.com", "lastName": "A", "city": "Oslo"])
        let ghl = record("g1", ["email": "a@x.com", "lastName": "A"])
        let espo = record("e1", ["email": "a@x.com", "lastName": "B"])
        let p = Planner.plan(PlanInput(links: [Link(ghlId: "g1", espoId: "e1", base: base)], ghl: [ghl], espo: [espo]), mapping: m)
        let rebase = try #require(p.operations.first { $0.action == .rebase })
        #expect(rebase.replacesBase)
        #expect(rebase.base == values(["email": "a@x.com", "lastName": "A"]))
        // With the base cleaned, the pair hashes like its records again: the planner's fast path applies.
        let cleaned = rebase.base.merging(p.operations.first { $0.action == .update }!.base) { $1 }
        #expect(CanonicalEncoding.hash(cleaned) == CanonicalEncoding.hash(ghl.values.merging(["lastName": .string("B")]) { $1 }))
    }
}
