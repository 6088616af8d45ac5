import Foundation
import Testing
@testable import SyncCore

@Suite struct MappingLoadingTests {
    /// The single issue of a mapping that must fail, or a test failure.
    func issues(_ text: String) -> [DocumentIssue] {
        do {
            _ = try mapping(text, file: "mappings/broken.json")
            Issue.record("the mapping loaded but should not have")
            return []
        } catch {
            return error.issues
        }
    }

    @Test func theShippedContactsMappingLoads() {
        let m = contactsMapping
        #expect(m.entity == "contact")
        #expect(m.fields.map(\.name) == ["firstName", "lastName", "email", "phone", "address1", "city", "state", "postalCode", "country", "business", "tags"])
        #expect(m.field(named: "business")?.references == "business")
        #expect(m.field(named: "email")?.sources.espo.paths == [.key("emailAddress")])
        #expect(m.field(named: "postalCode")?.sources.espo.paths == [.key("addressPostalCode")])
        #expect(m.identity == [IdentityKey(field: "email", match: .email), IdentityKey(field: "phone", match: .phone(defaultRegion: "US"))])
        #expect(m.conflict == .newestWins)
        #expect(m.deletes == .propagate)
        #expect(m.sides.ghl.createRequires == CreateRequirement(anyOf: ["email", "phone"]))
        #expect(m.sides.espo.createRequires == CreateRequirement(allOf: ["lastName"]))
        #expect(m.sides.ghl.updatedAtPath == .key("dateUpdated"))
        #expect(m.sides.espo.updatedAtPath == .key("modifiedAt"))
    }

    @Test func aFolderLoadsEveryMappingOnce() throws {
        let mappings = try Mapping.loadAll(directory: repositoryRoot.appendingPathComponent("mappings").path)
        #expect(mappings.map(\.entity).contains("contact"))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mappings-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("mappings/contacts.json"), encoding: .utf8)
        try text.write(to: dir.appendingPathComponent("a.json"), atomically: true, encoding: .utf8)
        try text.write(to: dir.appendingPathComponent("b.json"), atomically: true, encoding: .utf8)
        #expect {
            try Mapping.loadAll(directory: dir.path)
        } throws: { error in
            let e = error as? MappingError
            return e?.issues.count == 1 && e?.issues[0].file.hasSuffix("b.json") == true
                && e?.issues[0].message.contains("already mapped by") == true
        }
    }

    @Test func anEmptyOrMissingFolderIsAnError() {
        #expect(throws: MappingError.self) { try Mapping.loadAll(directory: "/nonexistent/mappings") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: MappingError.self) { try Mapping.loadAll(directory: dir.path) }
    }

    @Test func syntaxErrorsNameLineAndColumn() {
        let found = issues("{\n  \"entity\": \"contact\",\n  \"fields\": {,}\n}")
        #expect(found.count == 1)
        #expect(found.first?.path == "line 3, column 14")
        #expect(found.first?.description.hasPrefix("mappings/broken.json: line 3, column 14: not valid JSON") == true)
    }

    @Test func anUnknownKeyIsAnErrorWithASuggestion() {
        let found = issues(mappingText(fields: #"{"email": {"ghl": "email", "espo": {"pathh": "emailAddress"}}}"#))
        let unknown = found.first { $0.message == "unknown key \"pathh\"" }
        #expect(unknown?.path == "$.fields.email.espo.pathh")
        #expect(unknown?.fix.contains("did you mean \"path\"?") == true)
        #expect(unknown?.file == "mappings/broken.json")
    }

    @Test func aTypoInAFieldKeyDoesNotDropTheFieldSilently() {
        let found = issues(mappingText(fields: #"{"email": {"ghl": "email", "espo": "emailAddress", "transfroms": ["lower"]}}"#))
        #expect(found.map(\.path) == ["$.fields.email.transfroms"])
        #expect(found.first?.fix.contains("did you mean \"transforms\"?") == true)
    }

    @Test func unknownTopLevelKeyAndBadEnumAreBothReported() {
        let found = issues(mappingText(fields: #"{"email": {"ghl": "email", "espo": "emailAddress", "direction": "sideways"}}"#,
                                       extra: #""conflicts": "manual", "#))
        #expect(Set(found.map(\.path)) == ["$.conflicts", "$.fields.email.direction"])
        let direction = found.first { $0.path == "$.fields.email.direction" }
        #expect(direction?.message == #""sideways" is not one of "both", "to-espo", "to-ghl""#)
    }

    @Test func unknownTransformIsNamed() {
        let found = issues(mappingText(fields: #"{"email": {"ghl": "email", "espo": "emailAddress", "transforms": ["lowercase"]}}"#))
        #expect(found.first?.path == "$.fields.email.transforms[0]")
        #expect(found.first?.message == #"unknown transform "lowercase""#)
        #expect(found.first?.fix.contains(#"did you mean "lower"?"#) == true)
    }

    @Test func transformOptionsAreChecked() {
        var found = issues(mappingText(fields: #"{"phone": {"ghl": "phone", "espo": "phoneNumber", "transforms": ["e164"]}}"#))
        #expect(found.first?.message == #""e164" needs options"#)
        found = issues(mappingText(fields: #"{"phone": {"ghl": "phone", "espo": "phoneNumber", "transforms": [{"e164": {"defaultRegion": "XX"}}]}}"#))
        #expect(found.first?.path == "$.fields.phone.transforms[0].e164.defaultRegion")
        found = issues(mappingText(fields: #"{"d": {"type": "dateTime", "ghl": "d", "espo": {"path": "d", "transforms": [{"dateTime": {"format": "espo", "timeZone": "Mars/Olympus"}}]}}, "email": {"ghl": "email", "espo": "emailAddress"}}"#))
        #expect(found.first?.message == #"unknown time zone "Mars/Olympus""#)
        found = issues(mappingText(fields: #"{"email": {"ghl": "email", "espo": "emailAddress", "transforms": [{"trim": {"all": true}}]}}"#))
        #expect(found.first?.message == #""trim" takes no options"#)
    }

    @Test func missingSideAndFieldLocationsAreNamed() {
        let found = issues(mappingText(fields: #"{"email": {"ghl": "email"}}"#))
        #expect(found.first?.path == "$.fields.email")
        #expect(found.first?.message == #"missing "espo""#)
    }

    @Test func identityAndRequirementsMustNameMappedFields() {
        let found = issues(mappingText(fields: #"{"email": {"ghl": "email", "espo": "emailAddress"}}"#,
                                       extra: #""identity": ["mail"], "#,
                                       ghl: #"{"object": "contact", "createRequires": {"anyOf": ["email", "phone"]}}"#,
                                       espo: #"{"object": "Contact", "createRequires": {"allOf": ["lastName"]}}"#))
        #expect(Set(found.map(\.path)) == ["$.identity[0]", "$.espo.createRequires.allOf[0]", "$.ghl.createRequires.anyOf[1]"])
    }

    @Test func customFieldsAreForGHLOnly() {
        let found = issues(mappingText(fields: #"{"email": {"ghl": "email", "espo": "emailAddress"}, "score": {"ghl": {"customField": {"key": "contact.score"}}, "espo": {"customField": {"id": "x"}}}}"#))
        #expect(found.first?.path == "$.fields.score.espo")
        #expect(found.first?.message == #""customField" is for GoHighLevel only"#)
    }

    @Test func allLocationKindsParse() throws {
        let m = try mapping(mappingText(fields: """
            {"email": {"ghl": "email", "espo": "emailAddressData[primary].emailAddress"},
             "pin": {"ghl": {"customField": {"key": "contact.pincode"}}, "espo": "cPincode"},
             "score": {"ghl": {"customField": {"id": "abc123"}}, "espo": "cScore"},
             "lastName": {"ghl": "address.city", "espo": {"paths": ["firstName", "lastName"], "transforms": ["fullName"]}, "transforms": ["collapseWhitespace"]},
             "phone": {"ghl": "phone", "espo": "phoneNumber"}}
            """))
        #expect(m.field(named: "email")?.sources.espo.paths == [.keys([PathSegment(name: "emailAddressData", selectsPrimary: true), PathSegment(name: "emailAddress")])])
        #expect(m.field(named: "pin")?.sources.ghl.paths == [.customField(.key("contact.pincode"))])
        #expect(m.field(named: "score")?.sources.ghl.paths == [.customField(.id("abc123"))])
        #expect(m.field(named: "lastName")?.sources.ghl.paths == [.keys([PathSegment(name: "address"), PathSegment(name: "city")])])
        #expect(m.field(named: "lastName")?.sources.espo.paths.count == 2)
    }

    @Test func fullNameNeedsTwoPaths() {
        let found = issues(mappingText(fields: #"{"email": {"ghl": "email", "espo": "emailAddress"}, "lastName": {"ghl": "name", "espo": {"path": "lastName", "transforms": ["fullName"]}}}"#))
        #expect(found.first?.message == #""fullName" joins two paths, but one is given"#)
    }

    @Test func twoFieldsWritingOneKeyAreRejected() {
        let found = issues(mappingText(fields: #"{"email": {"ghl": "email", "espo": "emailAddress"}, "lastName": {"ghl": "email", "espo": "lastName"}}"#))
        #expect(found.first?.message == #""email" and "lastName" both write GoHighLevel email"#)
    }

    @Test func aNonInvertibleMapIsRejected() {
        let found = issues(mappingText(fields: #"{"email": {"ghl": "email", "espo": "emailAddress"}, "lastName": {"ghl": "lastName", "espo": "lastName"}, "country": {"ghl": "country", "espo": {"path": "addressCountry", "transforms": [{"map": {"values": {"USA": "US", "United States": "US"}}}]}}}"#))
        #expect(found.count == 1)
        #expect(found.first?.path == "$.fields.country.espo.transforms[0].map.values")
        #expect(found.first?.message.contains(#""USA" and "United States" both read as "US""#) == true)
        #expect(found.first?.fix.contains(#""inverse""#) == true)
    }

    @Test func aMapWithAnInverseOrOneWayIsAccepted() throws {
        let withInverse = try mapping(mappingText(fields: #"{"email": {"ghl": "email", "espo": "emailAddress"}, "lastName": {"ghl": "lastName", "espo": "lastName"}, "country": {"ghl": "country", "espo": {"path": "addressCountry", "transforms": [{"map": {"values": {"USA": "US", "United States": "US"}, "inverse": {"US": "United States"}}}]}}}"#))
        let field = try #require(withInverse.field(named: "country"))
        #expect(withInverse.read(.string("USA"), of: field, side: .espo) == .string("US"))
        #expect(withInverse.write(.string("US"), of: field, side: .espo) == .string("United States"))
    }

    @Test func aFieldThatDoesNotRoundTripIsRejected() {
        // Lower case on the GHL side only: "Ada@X.com" from EspoCRM would come back from GHL as "ada@x.com".
        let found = issues(mappingText(fields: #"{"email": {"ghl": {"path": "email", "transforms": ["lower"]}, "espo": "emailAddress"}, "lastName": {"ghl": "lastName", "espo": "lastName"}}"#))
        #expect(found.count == 1)
        #expect(found.first?.path == "$.fields.email")
        #expect(found.first?.message.contains("does not round trip on the GoHighLevel side") == true)
        #expect(found.first?.fix.contains("direction") == true)
    }

    @Test func theSameTransformAsOneWayIsFine() throws {
        _ = try mapping(mappingText(fields: #"{"email": {"ghl": {"path": "email", "transforms": ["lower"]}, "espo": "emailAddress", "direction": "to-ghl"}, "lastName": {"ghl": "lastName", "espo": "lastName"}}"#))
    }

    @Test func filtersParse() throws {
        let m = try mapping(mappingText(fields: #"{"email": {"ghl": "email", "espo": "emailAddress"}, "lastName": {"ghl": "lastName", "espo": "lastName"}}"#)
            .replacingOccurrences(of: #""object": "contact""#, with: #""object": "contact", "filter": {"all": [{"path": "tags", "contains": "crm"}, {"not": {"path": "dnd", "equals": true}}]}"#))
        let crm: JSONObject = ["tags": ["crm", "vip"], "dnd": false]
        let other: JSONObject = ["tags": ["lead"]]
        #expect(m.sides.ghl.filter?.matches(crm) == true)
        #expect(m.sides.ghl.filter?.matches(other) == false)
    }

    @Test func badFiltersAreNamed() {
        let text = mappingText(fields: #"{"email": {"ghl": "email", "espo": "emailAddress"}, "lastName": {"ghl": "lastName", "espo": "lastName"}}"#)
            .replacingOccurrences(of: #""object": "Contact""#, with: #""object": "Contact", "filter": {"path": "teamsIds", "contain": "t1"}"#)
        let found = issues(text)
        #expect(found.contains { $0.path == "$.espo.filter.contain" && $0.fix.contains(#"did you mean "contains"?"#) })
    }
}
