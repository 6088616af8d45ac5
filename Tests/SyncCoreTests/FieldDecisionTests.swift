import Testing
@testable import SyncCore

/// The decision table of `FieldDecision`, row by row.
@Suite struct FieldDecisionTests {
    let field = FieldMapping(name: "city", ghl: FieldSource(.key("city")), espo: FieldSource(.key("addressCity")))
    let newestWins = FieldDecision.Settlement(policy: .newestWins, newer: nil)

    func decide(
        _ ghl: FieldValue?, _ espo: FieldValue?, base: FieldValue?,
        _ settlement: FieldDecision.Settlement? = nil, field: FieldMapping? = nil
    ) -> FieldDecision {
        FieldDecision.decide(field ?? self.field, ghl: ghl, espo: espo, base: base, settlement: settlement ?? newestWins)
    }

    @Test func unchangedOnBothSides() {
        #expect(decide(.string("Oslo"), .string("Oslo"), base: .string("Oslo")) == .unchanged)
    }

    @Test func changedInGHLIsWrittenToEspo() {
        #expect(decide(.string("Bergen"), .string("Oslo"), base: .string("Oslo")) == .write(.string("Bergen"), to: [.espo], settledConflict: false))
    }

    @Test func changedInEspoIsWrittenToGHL() {
        #expect(decide(.string("Oslo"), .string("Bergen"), base: .string("Oslo")) == .write(.string("Bergen"), to: [.ghl], settledConflict: false))
    }

    @Test func changedOnBothToTheSameValueOnlyMovesTheBase() {
        #expect(decide(.string("Bergen"), .string("Bergen"), base: .string("Oslo")) == .agree(.string("Bergen")))
    }

    @Test func clearingOneSideClearsTheOther() {
        #expect(decide(.empty, .string("Oslo"), base: .string("Oslo")) == .write(.empty, to: [.espo], settledConflict: false))
    }

    @Test func anAbsentFieldIsNotAClearing() {
        #expect(decide(nil, .string("Oslo"), base: .string("Oslo")) == .unchanged)
        #expect(decide(nil, .string("Bergen"), base: .string("Oslo")) == .write(.string("Bergen"), to: [.ghl], settledConflict: false))
        #expect(decide(nil, nil, base: .string("Oslo")) == .unchanged)
    }

    @Test func noBaseYetCopiesTheOnlyValue() {
        #expect(decide(.empty, .string("Oslo"), base: nil) == .write(.string("Oslo"), to: [.ghl], settledConflict: false))
        #expect(decide(.string("Oslo"), .string("Oslo"), base: nil) == .agree(.string("Oslo")))
        #expect(decide(.empty, nil, base: nil) == .unchanged)
    }

    @Test func conflictNewestWinsByChangeTime() {
        let ghlNewer = FieldDecision.Settlement(policy: .newestWins, newer: .ghl)
        let espoNewer = FieldDecision.Settlement(policy: .newestWins, newer: .espo)
        #expect(decide(.string("Bergen"), .string("Tromsø"), base: .string("Oslo"), ghlNewer) == .write(.string("Bergen"), to: [.espo], settledConflict: true))
        #expect(decide(.string("Bergen"), .string("Tromsø"), base: .string("Oslo"), espoNewer) == .write(.string("Tromsø"), to: [.ghl], settledConflict: true))
    }

    @Test func conflictTieBreaksOnValueWhicheverSideIsWhich() {
        let a = decide(.string("Bergen"), .string("Tromsø"), base: .string("Oslo"))
        let b = decide(.string("Tromsø"), .string("Bergen"), base: .string("Oslo"))
        #expect(a == .write(.string("Tromsø"), to: [.ghl], settledConflict: true))
        #expect(b == .write(.string("Tromsø"), to: [.espo], settledConflict: true))
    }

    @Test(arguments: [
        (ConflictPolicy.ghlWins, FieldDecision.write(.string("Bergen"), to: [.espo], settledConflict: true)),
        (.espoWins, .write(.string("Tromsø"), to: [.ghl], settledConflict: true)),
        (.manual, .queued),
    ])
    func conflictSettledByPolicy(policy: ConflictPolicy, expected: FieldDecision) {
        let settlement = FieldDecision.Settlement(policy: policy, newer: .espo)
        #expect(decide(.string("Bergen"), .string("Tromsø"), base: .string("Oslo"), settlement) == expected)
    }

    @Test func aPersonsResolutionWinsOverThePolicy() {
        let settlement = FieldDecision.Settlement(policy: .manual, newer: nil, resolution: .espo)
        #expect(decide(.string("Bergen"), .string("Tromsø"), base: .string("Oslo"), settlement) == .write(.string("Tromsø"), to: [.ghl], settledConflict: true))
    }

    @Test func oneWayFieldsOnlyFollowTheirSource() {
        var oneWay = field
        oneWay.direction = .toEspo
        #expect(decide(.string("Bergen"), .string("Oslo"), base: .string("Oslo"), field: oneWay) == .write(.string("Bergen"), to: [.espo], settledConflict: false))
        #expect(decide(.string("Oslo"), .string("Bergen"), base: .string("Oslo"), field: oneWay) == .unchanged)
        #expect(decide(.string("Bergen"), .string("Tromsø"), base: .string("Oslo"), field: oneWay) == .write(.string("Bergen"), to: [.espo], settledConflict: false))
        #expect(decide(.empty, .string("Oslo"), base: nil, field: oneWay) == .unchanged)
        oneWay.direction = .toGhl
        #expect(decide(.string("Oslo"), .string("Bergen"), base: .string("Oslo"), field: oneWay) == .write(.string("Bergen"), to: [.ghl], settledConflict: false))
    }

    @Test func setsMergeElementByElement() {
        var tags = field
        tags.type = .set
        let decision = decide(.list(["crm", "new", "vip"]), .list(["crm"]), base: .list(["crm", "vip"]), field: tags)
        // GHL added "new"; EspoCRM removed "vip": both survive.
        #expect(decision == .write(.list(["crm", "new"]), to: [.ghl, .espo], settledConflict: false))
        #expect(decide(.list(["a"]), .list(["a"]), base: .list(["a"]), field: tags) == .unchanged)
        #expect(decide(.list(["a", "b"]), .list(["a", "b"]), base: .list(["a"]), field: tags) == .agree(.list(["a", "b"])))
        #expect(decide(.list(["a"]), .list(["b"]), base: nil, field: tags) == .write(.list(["a", "b"]), to: [.ghl, .espo], settledConflict: false))
        #expect(decide(nil, .list(["a", "c"]), base: .list(["a"]), field: tags) == .write(.list(["a", "c"]), to: [.ghl], settledConflict: false))
    }
}
