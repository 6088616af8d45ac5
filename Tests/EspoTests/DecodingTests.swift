@testable import EspoClient
@testable import EspoEmulator
import Testing
import SyncCore
import Transport

@Suite struct DecodingTests {
    @Test func aBadRecordFailsAloneNamingTheEndpointAndField() throws {
        let json = try JSON(parsing: """
            {"total": 3, "list": [
              {"id": "a1", "modifiedAt": "2026-01-02 03:04:05", "lastName": "Good"},
              {"id": "b2", "modifiedAt": "2026-01-02 03:04:05", "lastName": "Bad", "phoneNumberData": [{"phoneNumber": 4155550100}]},
              {"id": "c3", "modifiedAt": "2026-01-02T03:04:05Z", "lastName": "Odd date"}
            ]}
            """)
        let page: Espo.Page<Espo.Contact> = try Espo.Client.page(json, endpoint: "GET /Contact")
        #expect(page.records.map(\.id) == ["a1"])
        #expect(page.failures.count == 2)
        #expect(page.failures[0].endpoint == "GET /Contact")
        #expect(page.failures[0].message == "list[1] (id b2): field `phoneNumberData[0].phoneNumber`: expected a string, got number")
        #expect(page.failures[1].message.contains("field `modifiedAt`"))
        #expect(throws: APIError.self) {
            let _: Espo.Page<Espo.Contact> = try Espo.Client.page(["list": "nope", "total": 1], endpoint: "GET /Contact")
        }
        let record = try Espo.Record(["id": "x", "cGhlId": "g-1", "accountsIds": ["a", 2]])
        #expect(record["cGhlId"]?.stringValue == "g-1")
        #expect(throws: Espo.FieldError(field: "accountsIds[1]", expected: "a string", got: .number(2))) {
            _ = try record.strings("accountsIds")
        }
    }

    /// PHP reads `+` in a query as a space and `%2B` as a plus: why the client must encode `+`.
    @Test func theEmulatorDecodesQueriesTheWayPHPDoes() {
        let query = BracketQuery.parse(
            "where%5B0%5D%5Btype%5D=equals&where%5B0%5D%5Bvalue%5D=+1415&where%5B1%5D%5Bvalue%5D%5B%5D=a%2Bb&maxSize=5")
        #expect(query["where"]?[0]?["type"]?.stringValue == "equals")
        #expect(query["where"]?[0]?["value"]?.stringValue == " 1415")
        #expect(query["where"]?[1]?["value"]?[0]?.stringValue == "a+b")
        #expect(query["maxSize"]?.stringValue == "5")
    }
}
