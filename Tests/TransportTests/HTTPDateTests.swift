import Foundation
import Testing
import Transport

/// The `Date` header's IMF-fixdate, written and read.
@Suite struct HTTPDateTests {
    @Test func writesAndReadsIMFFixdate() {
        let date = Date(timeIntervalSince1970: 784_111_777)
        #expect(HTTPDate.format(date) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == date)
        #expect(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT") == nil, "the obsolete RFC 850 form is not read")
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 25:49:37 GMT") == nil)
        #expect(Response(status: 200, headers: [(name: "date", value: "Sun, 06 Nov 1994 08:49:37 GMT")]).date == date)
    }
}
