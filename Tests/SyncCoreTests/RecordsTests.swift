import Foundation
import Testing
@testable import SyncCore

/// Raw records to canonical ones and back, with the default contacts mapping and a few special paths.
@Suite struct RecordsTests {
    @Test func aGHLContactReadsIntoCanonicalValues() throws {
        let raw: JSONObject = [
            "id": "g1", "firstName": " Ada ", "lastName": "Lovelace", "email": " Ada+Test@Example.COM ",
            "phone": "(415) 555-0100", "city": "London", "country": nil, "dateUpdated": "2026-01-31T23:59:58.123Z",
        ]
        let r = try #require(contactsMapping.record(from: raw, side: .ghl))
        #expect(r.id == "g1")
        #expect(r.updatedAt == Date(timeIntervalSince1970: 1_769_903_998))
        #expect(r.values["firstName"] == .string("Ada"))
        #expect(r.values["email"] == .string("ada+test@example.com"))
        #expect(r.values["phone"] == .string("+14155550100"))
        #expect(r.values["country"] == .empty)
        #expect(r.values["address1"] == nil, "a key the API did not return is absent, not empty")
        #expect(r.inScope)
    }

    @Test func anEspoContactReadsIntoTheSameCanonicalValues() throws {
        let raw: JSONObject = [
            "id": "e1", "firstName": "Ada", "lastName": "Lovelace", "emailAddress": "ada+test@example.com",
            "phoneNumber": "+14155550100", "addressCity": "London", "addressCountry": "", "modifiedAt": "2026-01-31 23:59:58",
        ]
        let r = try #require(contactsMapping.record(from: raw, side: .espo))
        #expect(r.updatedAt == Date(timeIntervalSince1970: 1_769_903_998))
        let ghl = try #require(contactsMapping.record(from: [
            "id": "g1", "firstName": " Ada ", "lastName": "Lovelace", "email": " Ada+Test@Example.COM ",
            "phone": "(415) 555-0100", "city": "London", "country": nil,
        ], side: .ghl))
        #expect(r.values == ghl.values)
    }

    @Test func aRecordWithoutIdIsNotARecord() {
        #expect(contactsMapping.record(from: ["firstName": "Ada"], side: .ghl) == nil)
    }

    @Test func patchesWriteEachSidesShape() {
        let patch = contactsMapping.patch(writing: ["email": .string("a@b.com"), "city": .empty], to: .espo)
        let written = patch.applied(to: ["id": "e1", "addressCity": "Oslo"])
        #expect(written["emailAddress"] == "a@b.com")
        #expect(written["addressCity"] == .null, "clearing writes null")
        #expect(written["id"] == "e1")
    }

    @Test func createsSkipEmptyValuesButUpdatesClear() {
        let create = contactsMapping.patch(writing: ["lastName": .string("Lovelace"), "city": .empty], to: .espo, creating: true)
        #expect(create.assignments.map(\.path) == [.key("lastName")])
    }

    @Test func primaryElementsAndCustomFieldsReadAndWrite() throws {
        let m = try mapping(mappingText(fields: """
            {"email": {"ghl": "email", "espo": "emailAddressData[primary].emailAddress"},
             "score": {"type": "number", "ghl": {"customField": {"id": "cf1"}}, "espo": "cScore"}}
            """))
        let espo: JSONObject = ["id": "e1", "emailAddressData": [
            ["emailAddress": "old@x.com", "primary": false], ["emailAddress": "main@x.com", "primary": true],
        ]]
        let ghl: JSONObject = ["id": "g1", "customFields": [["id": "cf0", "value": "x"], ["id": "cf1", "value": 42]]]
        #expect(m.record(from: espo, side: .espo)?.values["email"] == .string("main@x.com"))
        #expect(m.record(from: ghl, side: .ghl)?.values["score"] == .number(42))
        #expect(m.record(from: ["id": "g2", "customFields": []], side: .ghl)?.values["score"] == .empty)
        #expect(m.record(from: ["id": "g3"], side: .ghl)?.values["score"] == nil)

        let espoPatch = m.patch(writing: ["email": .string("new@x.com")], to: .espo)
        #expect(espoPatch.needsCurrentRecord)
        let written = espoPatch.applied(to: espo)
        #expect(written["emailAddressData"] == [
            ["emailAddress": "old@x.com", "primary": false], ["emailAddress": "new@x.com", "primary": true],
        ])
        let fresh = espoPatch.applied(to: [:])
        #expect(fresh["emailAddressData"] == [["primary": true, "emailAddress": "new@x.com"]])
        let ghlWritten = m.patch(writing: ["score": .number(7)], to: .ghl).applied(to: ghl)
        #expect(m.record(from: ghlWritten, side: .ghl)?.values["score"] == .number(7))
        #expect(ghlWritten["customFields"]?[0] == ["id": "cf0", "value": "x"])
    }

    @Test func fullNamesSplitAndJoin() throws {
        let m = try mapping(mappingText(fields: """
            {"email": {"ghl": "email", "espo": "emailAddress"},
             "name": {"ghl": "name", "espo": {"paths": ["firstName", "lastName"], "transforms": ["fullName"]}, "transforms": ["collapseWhitespace"]}}
            """))
        #expect(m.record(from: ["id": "e", "firstName": "Mary Ann", "lastName": "Smith"], side: .espo)?.values["name"] == .string("Mary Ann Smith"))
        let written = m.patch(writing: ["name": .string("Mary Ann Smith")], to: .espo).applied(to: [:])
        #expect(written == ["firstName": "Mary Ann", "lastName": "Smith"])
    }

    @Test func filtersDecideScope() throws {
        let m = try mapping(mappingText(fields: #"{"email": {"ghl": "email", "espo": "emailAddress"}}"#,
                                        ghl: #"{"object": "contact", "filter": {"path": "tags", "contains": "CRM"}}"#,
                                        espo: #"{"object": "Contact", "filter": {"any": [{"path": "teamsIds", "contains": "t1"}, {"path": "cSync", "equals": true}]}}"#))
        #expect(m.record(from: ["id": "g", "tags": ["crm"]], side: .ghl)?.inScope == true)
        #expect(m.record(from: ["id": "g", "tags": ["lead"]], side: .ghl)?.inScope == false)
        #expect(m.record(from: ["id": "g"], side: .ghl)?.inScope == false)
        #expect(m.record(from: ["id": "e", "teamsIds": ["t2", "t1"]], side: .espo)?.inScope == true)
        #expect(m.record(from: ["id": "e", "cSync": true], side: .espo)?.inScope == true)
        #expect(m.record(from: ["id": "e", "cSync": false], side: .espo)?.inScope == false)
    }

    @Test(arguments: [
        (FilterTest.exists(true), JSON?.none, false), (.exists(true), .null, false), (.exists(true), "", true),
        (.isEmpty(true), nil, true), (.isEmpty(true), "", true), (.isEmpty(true), JSON.array([]), true), (.isEmpty(false), "x", true),
        (.oneOf(["a", "B"]), "b", true), (.oneOf(["a"]), "c", false), (.contains("ali"), "Alice", true),
        (.equals(3), 3, true), (.equals("x"), nil, false),
    ])
    func filterTests(test: FilterTest, value: JSON?, holds: Bool) {
        #expect(test.holds(for: value) == holds)
    }

    @Test func creationRequirementsCountDefaults() throws {
        #expect(contactsMapping.missingForCreate(["firstName": .string("Ada")], on: .espo) == ["lastName"])
        #expect(contactsMapping.missingForCreate(["lastName": .string("L")], on: .ghl) == ["email or phone"])
        #expect(contactsMapping.missingForCreate(["phone": .string("+14155550100")], on: .ghl) == [])
        let withDefault = try mapping(mappingText(fields: """
            {"email": {"ghl": "email", "espo": "emailAddress"},
             "lastName": {"ghl": "lastName", "espo": {"path": "lastName", "transforms": [{"default": "(unknown)"}]}}}
            """, espo: #"{"object": "Contact", "createRequires": {"allOf": ["lastName"]}}"#))
        #expect(withDefault.missingForCreate([:], on: .espo) == [])
        #expect(withDefault.patch(writing: [:], to: .espo, creating: true).applied(to: [:]) == ["lastName": "(unknown)"])
    }

    @Test func identityValuesAreNormalised() {
        let ids = contactsMapping.identityValues(of: ["email": .string(" Ada@Example.COM"), "phone": .string("415-555-0100")])
        #expect(ids == ["ada@example.com", "+14155550100"])
        #expect(contactsMapping.identityValues(of: [:]) == ["", ""])
    }
}

@Suite struct CustomFieldResolutionTests {
    @Test func keysResolveToTheLocationsIds() throws {
        let m = try mapping(mappingText(
            fields: #"{"email": {"ghl": "email", "espo": "emailAddress"}, "pin": {"ghl": {"customField": {"key": "contact.pincode"}}, "espo": "cPincode"}}"#,
            ghl: #"{"object": "contact", "filter": {"customField": {"key": "contact.sync"}, "equals": "yes"}}"#))
        #expect(m.customFieldKeys == ["contact.pincode", "contact.sync"])
        let resolved = try m.resolvingCustomFields(["contact.pincode": "cf1", "contact.sync": "cf2"])
        #expect(resolved.field(named: "pin")?.sources.ghl.paths == [.customField(.id("cf1"))])
        #expect(resolved.sides.ghl.filter == .test(.customField(.id("cf2")), .equals("yes")))
        let raw: JSONObject = ["id": "g1", "customFields": [["id": "cf1", "value": "0150"], ["id": "cf2", "value": "Yes"]]]
        let r = try #require(resolved.record(from: raw, side: .ghl))
        #expect(r.values["pin"] == .string("0150"))
        #expect(r.inScope)
    }

    @Test func anUnknownKeyNamesTheFieldAndTheKnownKeys() throws {
        let m = try mapping(mappingText(fields: #"{"email": {"ghl": "email", "espo": "emailAddress"}, "pin": {"ghl": {"customField": {"key": "contact.pin"}}, "espo": "cPincode"}}"#))
        #expect {
            try m.resolvingCustomFields(["contact.pincode": "cf1"])
        } throws: { error in
            let issue = (error as? MappingError)?.issues.first
            return issue?.path == "$.fields.pin.ghl" && issue?.message.contains("\"contact.pin\"") == true
                && issue?.fix.contains("\"contact.pincode\"") == true
        }
    }
}
