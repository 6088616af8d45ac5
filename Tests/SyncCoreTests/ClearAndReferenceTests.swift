import SyncCore
import Testing

/// When a lacking key is a clear, and how references read and render.
struct ClearAndReferenceTests {
    let mapping = try! Mapping.parse(Array("""
        { "entity": "contact",
          "ghl": { "object": "contact" }, "espo": { "object": "Contact" },
          "identity": [{ "field": "email", "match": "email" }],
          "fields": {
            "email": { "ghl": "email", "espo": "emailAddress" },
            "city":  { "ghl": "city",  "espo": "addressCity" },
            "score": { "ghl": "score", "espo": "cScore", "direction": "to-ghl" },
            "business": { "type": "reference", "entity": "business", "ghl": "businessId", "espo": "accountId" }
          } }
        """.utf8), file: "contacts.json")

    @Test func aLackingKeyIsASuspectedClearOnlyWhereTheBaseHoldsAValueThatTravels() {
        let base: FieldValues = ["email": .string("a@x.com"), "city": .string("Austin"), "score": .string("7")]
        // A GHL row without `city` and without `score`: city may be a clear; score never travels from GHL.
        let row: FieldValues = ["email": .string("a@x.com")]
        #expect(ClearCheck.suspects(row, base: base, of: mapping, side: .ghl) == ["city"])
        // From EspoCRM, score travels: its absence is a suspect too.
        #expect(ClearCheck.suspects(row, base: base, of: mapping, side: .espo) == ["city", "score"])
        // Nothing agreed there (or agreed empty): nothing to settle, no read.
        #expect(ClearCheck.suspects(row, base: ["email": .string("a@x.com"), "city": .empty], of: mapping, side: .ghl).isEmpty)
        // A key present and empty is a clear already, not a suspect.
        #expect(ClearCheck.suspects(row.merging(["city": .empty, "business": .empty]) { $1 }, base: base, of: mapping, side: .ghl).isEmpty)
    }

    @Test func aWholeRecordReadsALackingKeyAsEmptyAndARowAsUnknown() throws {
        let raw: JSONObject = ["id": "g1", "email": "a@x.com"]
        let row = try #require(mapping.record(from: raw, side: .ghl))
        #expect(row.values["city"] == nil)
        let whole = try #require(mapping.record(from: raw, side: .ghl, absentMeansEmpty: true))
        #expect(whole.values["city"] == .empty)
        #expect(whole.values["business"] == .empty)
        // null is empty wherever it comes from.
        let nulled = try #require(mapping.record(from: ["id": "e1", "addressCity": .null], side: .espo))
        #expect(nulled.values["city"] == .empty)
    }

    @Test func aReferenceReadsAsTheLinkOfThePairNeverARawId() throws {
        let key = LinkKey(ghlId: "b1", espoId: "a1")
        let links: (String, String) -> LinkKey? = { entity, id in entity == "business" && (id == "b1" || id == "a1") ? key : nil }
        let ghl = try #require(mapping.record(from: ["id": "g1", "businessId": "b1"], side: .ghl, links: links))
        let espo = try #require(mapping.record(from: ["id": "e1", "accountId": "a1"], side: .espo, links: links))
        #expect(ghl.values["business"] == espo.values["business"])
        #expect(Reference(ghl.values["business"]) == .linked(key))
        // Not linked yet: which record of which side, so it resolves later or is skipped.
        let loose = try #require(mapping.record(from: ["id": "g2", "businessId": "b9"], side: .ghl, links: links))
        #expect(Reference(loose.values["business"]) == .unlinked(.ghl, "b9"))
        #expect(Reference(loose.values["business"])?.id(on: .espo) == nil)
    }

    @Test func aReferenceRendersTheTargetSidesIdOfThePair() throws {
        let field = try #require(mapping.field(named: "business"))
        let value = Reference.linked(LinkKey(ghlId: "b1", espoId: "a1")).value
        #expect(mapping.assignments(of: value, for: field, side: .espo).map(\.1) == [.string("a1")])
        #expect(mapping.assignments(of: value, for: field, side: .ghl).map(\.1) == [.string("b1")])
        #expect(mapping.assignments(of: .empty, for: field, side: .espo).map(\.1) == [.null])
        for reference in [Reference.linked(LinkKey(ghlId: "x", espoId: "y")), .unlinked(.espo, "z")] {
            #expect(Reference(reference.value) == reference)
        }
    }

    @Test func aReferenceFieldNeedsItsEntityAndTakesNoTransform() {
        func issues(_ field: String) -> [String] {
            do {
                _ = try Mapping.parse(Array("""
                    { "entity": "contact", "ghl": { "object": "contact" }, "espo": { "object": "Contact" },
                      "identity": [{ "field": "email", "match": "email" }],
                      "fields": { "email": { "ghl": "email", "espo": "emailAddress" }, "business": \(field) } }
                    """.utf8), file: "contacts.json")
                return []
            } catch {
                return error.issues.map(\.path)
            }
        }
        #expect(issues(#"{ "type": "reference", "ghl": "businessId", "espo": "accountId" }"#) == ["$.fields.business"])
        #expect(issues(#"{ "type": "reference", "entity": "business", "ghl": "businessId", "espo": "accountId", "transforms": ["trim"] }"#)
            == ["$.fields.business.transforms"])
        #expect(issues(#"{ "entity": "business", "ghl": "businessId", "espo": "accountId" }"#) == ["$.fields.business.entity"])
    }
}
