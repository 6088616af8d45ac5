import SyncCore
import Testing

/// The record-level table, row by row.
struct RecordDecisionTests {
    let mapping = contactsMapping
    let link = Link(ghlId: "g", espoId: "e", base: ["city": .string("Austin")])
    func record(_ id: String, city: String = "Austin", inScope: Bool = true) -> SideRecord {
        SideRecord(id: id, inScope: inScope, values: ["city": .string(city)])
    }
    let full = PerSide(ghl: Listing.full(count: 1), espo: .full(count: 1))
    let incremental = PerSide(ghl: Listing.incremental(count: 0), espo: .incremental(count: 0))

    func decide(_ link: Link? = nil, ghl: SideRecord?, espo: SideRecord?, listings: PerSide<Listing>? = nil,
                mapping: Mapping? = nil, resolution: Side? = nil) -> RecordDecision {
        RecordDecision.decide(link ?? self.link, ghl: ghl, espo: espo, listings: listings ?? full,
                              mapping: mapping ?? self.mapping, resolution: resolution)
    }

    @Test func rows() {
        #expect(decide(ghl: record("g"), espo: record("e")) == .merge(resuming: false))
        #expect(decide(Link(ghlId: "g", espoId: "e", base: [:], paused: true), ghl: record("g"), espo: record("e")) == .merge(resuming: true))
        #expect(decide(ghl: record("g", inScope: false), espo: record("e")) == .unlink(left: .ghl))
        #expect(decide(Link(ghlId: "g", espoId: "e", base: [:], paused: true), ghl: record("g", inScope: false), espo: record("e")) == .keep)
        #expect(decide(ghl: nil, espo: nil, listings: incremental) == .keep)
        #expect(decide(ghl: nil, espo: nil) == .forget(gone: nil))
        // A record missing from an incremental listing is not gone.
        #expect(decide(ghl: nil, espo: record("e"), listings: incremental) == .keep)
        #expect(decide(ghl: nil, espo: record("e")) == .propagateDelete(gone: .ghl))
        #expect(decide(ghl: record("g"), espo: nil) == .propagateDelete(gone: .espo))
        #expect(decide(ghl: nil, espo: record("e", inScope: false)) == .forget(gone: .ghl))
        var ignoring = mapping
        ignoring.deletes = .ignore
        #expect(decide(ghl: nil, espo: record("e"), mapping: ignoring) == .ignoreDelete(gone: .ghl))
        // Edited where it was kept: newest-wins keeps the edit; a person's resolution wins over the policy.
        #expect(decide(ghl: nil, espo: record("e", city: "Boston")) == .deleteVersusEdit(gone: .ghl, keepEdit: true))
        #expect(decide(ghl: nil, espo: record("e", city: "Boston"), resolution: .ghl) == .deleteVersusEdit(gone: .ghl, keepEdit: false))
        var manual = mapping
        manual.conflict = .manual
        #expect(decide(ghl: nil, espo: record("e", city: "Boston"), mapping: manual) == .deleteVersusEdit(gone: .ghl, keepEdit: nil))
    }
}
