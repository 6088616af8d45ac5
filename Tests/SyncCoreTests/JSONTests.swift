import Foundation
import Testing

import SyncCore

// MARK: - Valid documents

struct JSONParsingTests {
    struct ValidCase: Sendable, CustomTestStringConvertible {
        let text: String
        let expected: JSON
        var testDescription: String { text }
    }

    static let validCases: [ValidCase] = [
        .init(text: "null", expected: .null),
        .init(text: "true", expected: .bool(true)),
        .init(text: "false", expected: .bool(false)),
        .init(text: "0", expected: .number(0)),
        .init(text: "-0", expected: .number(-0.0)),
        .init(text: "42", expected: .number(42)),
        .init(text: "-7", expected: .number(-7)),
        .init(text: "3.25", expected: .number(3.25)),
        .init(text: "1e3", expected: .number(1000)),
        .init(text: "1E+3", expected: .number(1000)),
        .init(text: "25e-1", expected: .number(2.5)),
        .init(text: "-0.0e0", expected: .number(-0.0)),
        .init(text: "\"\"", expected: .string("")),
        .init(text: "\"hello\"", expected: .string("hello")),
        .init(text: "[]", expected: .array([])),
        .init(text: "{}", expected: .object([:])),
        .init(text: " \t\r\n [ 1 , \"a\" , null ] \n", expected: [1, "a", nil]),
        .init(text: "{\"a\":{\"b\":[{},[]]}}", expected: ["a": ["b": [[:], []]]]),
        .init(
            text: """
            {
              "id": "c-1",
              "email": "ada@example.com",
              "tags": ["vip", "lead"],
              "score": 97.5,
              "active": true,
              "phone": null
            }
            """,
            expected: [
                "id": "c-1", "email": "ada@example.com", "tags": ["vip", "lead"],
                "score": 97.5, "active": true, "phone": nil,
            ]
        ),
    ]

    @Test("valid documents parse", arguments: validCases)
    func validDocument(_ testCase: ValidCase) throws {
        let parsed = try JSON(parsing: testCase.text)
        #expect(parsed == testCase.expected)
    }

    @Test func negativeZeroKeepsItsSign() throws {
        let parsed = try JSON(parsing: "-0")
        #expect(parsed.numberValue?.sign == .minus)
    }

    @Test func keyOrderIsPreserved() throws {
        let parsed = try JSON(parsing: #"{"zeta":1,"alpha":2,"mid":3}"#)
        #expect(parsed.objectValue.map { Array($0.keys) } == ["zeta", "alpha", "mid"])
    }

    @Test func acceptsEveryByteCollection() throws {
        let text = #"{"a":[1,"é"]}"#
        let expected: JSON = ["a": [1, "é"]]
        let bytes = Array(text.utf8)
        #expect(try JSON(parsing: bytes) == expected)
        #expect(try JSON(parsing: Data(bytes)) == expected)
        #expect(try JSON(parsing: ([0x20] + bytes + [0x20])[1...bytes.count]) == expected)
        #expect(try JSON(parsing: text.utf8) == expected)
        #expect(try JSON(parsing: "xx\(text)yy".dropFirst(2).dropLast(2).utf8) == expected)
        #expect(try JSON(parsing: AnyCollection(bytes)) == expected)  // not contiguous: copied
        #expect(try JSON(parsing: text) == expected)
    }

    @Test func byteOrderMarkAtStartIsSkipped() throws {
        #expect(try JSON(parsing: "\u{FEFF}{\"a\":1}") == ["a": 1])
        #expect(try JSON(parsing: [0xEF, 0xBB, 0xBF, 0x5B, 0x5D]) == [])
        // Columns are counted after the BOM.
        let error = #expect(throws: JSONSyntaxError.self) { try JSON(parsing: "\u{FEFF}[x]") }
        #expect(error == JSONSyntaxError(line: 1, column: 2, message: "invalid literal 'x'"))
    }

    @Test func byteOrderMarkElsewhereIsAnError() {
        let error = #expect(throws: JSONSyntaxError.self) { try JSON(parsing: "[\u{FEFF}1]") }
        #expect(error?.line == 1)
        #expect(error?.column == 2)
    }

    @Test func anyValueMayBeTopLevel() throws {
        #expect(try JSON(parsing: "\"x\"") == "x")
        #expect(try JSON(parsing: " 12 ") == 12)
        #expect(try JSON(parsing: "[true]") == [true])
    }
}

// MARK: - Strings and Unicode

struct JSONStringTests {
    struct StringCase: Sendable, CustomTestStringConvertible {
        let literal: String
        let expected: String
        var testDescription: String { literal }
    }

    static let stringCases: [StringCase] = [
        .init(literal: #""\"\\\/\b\f\n\r\t""#, expected: "\"\\/\u{08}\u{0C}\n\r\t"),
        .init(literal: #""\u0041\u00e9\u00E9\u4e2d""#, expected: "Aéé中"),
        .init(literal: #""\u0000""#, expected: "\u{0}"),
        .init(literal: #""\uD83D\uDE00""#, expected: "😀"),
        .init(literal: #""\ud83d\ude00 and \uD834\uDD1E""#, expected: "😀 and 𝄞"),
        .init(literal: #""\uDBFF\uDFFF""#, expected: "\u{10FFFF}"),
        .init(literal: "\"raw é 中 😀 \u{2028}\"", expected: "raw é 中 😀 \u{2028}"),
        .init(literal: #""mixed é\n😀\u00e9""#, expected: "mixed é\n😀é"),
        .init(literal: #""e\u0301""#, expected: "e\u{301}"),
        .init(literal: "\"\u{7F}\"", expected: "\u{7F}"),
    ]

    @Test("strings decode", arguments: stringCases)
    func decodes(_ testCase: StringCase) throws {
        let parsed = try JSON(parsing: testCase.literal)
        #expect(parsed.stringValue == testCase.expected)
        // Byte-exact, not just canonically equivalent.
        #expect(parsed.stringValue.map { Array($0.utf8) } == Array(testCase.expected.utf8))
    }

    @Test func keysAreDecodedToo() throws {
        let parsed = try JSON(parsing: #"{"na\u006De":"x","😀":1}"#)
        #expect(parsed["name"] == "x")
        #expect(parsed["😀"] == 1)
    }

    @Test func longStringsWithEscapesLateInTheString() throws {
        let prefix = String(repeating: "abcdefé", count: 200)
        let parsed = try JSON(parsing: "\"\(prefix)\\n\(prefix)\"")
        #expect(parsed.stringValue == prefix + "\n" + prefix)
    }
}

// MARK: - Errors

struct JSONSyntaxErrorTests {
    struct ErrorCase: Sendable, CustomTestStringConvertible {
        let input: [UInt8]
        let line: Int
        let column: Int
        let message: String

        init(_ text: String, _ line: Int, _ column: Int, _ message: String) {
            self.init(bytes: Array(text.utf8), line, column, message)
        }

        init(bytes: [UInt8], _ line: Int, _ column: Int, _ message: String) {
            self.input = bytes
            self.line = line
            self.column = column
            self.message = message
        }

        var testDescription: String { String(decoding: input, as: UTF8.self).debugDescription }
    }

    static let structureCases: [ErrorCase] = [
        .init("", 1, 1, "unexpected end of input, expected value"),
        .init("   ", 1, 4, "unexpected end of input, expected value"),
        .init("[1,2", 1, 5, "unexpected end of input, expected ',' or ']' after array element"),
        .init("[", 1, 2, "unexpected end of input, expected value"),
        .init(#"{"a":1"#, 1, 7, "unexpected end of input, expected ',' or '}' after object member"),
        .init(#"{"a""#, 1, 5, "unexpected end of input, expected ':' after object key"),
        .init("{", 1, 2, "unexpected end of input, expected string key"),
        .init(#"{"a" 1}"#, 1, 6, "expected ':' after object key"),
        .init(#"{"a":1 "b":2}"#, 1, 8, "expected ',' or '}' after object member"),
        .init("[1 2]", 1, 4, "expected ',' or ']' after array element"),
        .init("[1,]", 1, 3, "trailing comma before ']'"),
        .init(#"{"a":1,}"#, 1, 7, "trailing comma before '}'"),
        .init("[1,,2]", 1, 4, "expected value, found ','"),
        .init("]", 1, 1, "expected value, found ']'"),
        .init(#"{"a":}"#, 1, 6, "expected value, found '}'"),
        .init("{,}", 1, 2, "expected string key after '{'"),
        .init("{a:1}", 1, 2, "expected string key after '{'"),
        .init(#"{"a":1,2:3}"#, 1, 8, "expected string key after ','"),
        .init("{'a':1}", 1, 2, "expected string key after '{'; strings use double quotes"),
        .init("['a']", 1, 2, "unexpected character \"'\" where a value was expected; strings use double quotes"),
        .init("// note\n1", 1, 1, "unexpected character '/' where a value was expected; comments are not allowed"),
        .init("1 /* note */", 1, 3, "unexpected character '/' after top-level value; comments are not allowed"),
        .init("[1] x", 1, 5, "unexpected character 'x' after top-level value"),
        .init("{} {}", 1, 4, "unexpected character '{' after top-level value"),
        .init("[é]", 1, 2, "unexpected character 'é' (U+00E9) where a value was expected"),
        .init("[\u{0}]", 1, 2, "unexpected character U+0000 where a value was expected"),
        .init("\u{0C}1", 1, 1, "unexpected character U+000C where a value was expected"),
    ]

    static let literalAndNumberCases: [ErrorCase] = [
        .init("NaN", 1, 1, "invalid literal 'NaN'"),
        .init("[Infinity]", 1, 2, "invalid literal 'Infinity'"),
        .init("truex", 1, 1, "invalid literal 'truex'"),
        .init("[nul]", 1, 2, "invalid literal 'nul'"),
        .init("True", 1, 1, "invalid literal 'True'"),
        .init("tru", 1, 4, "unexpected end of input, expected literal"),
        .init("01", 1, 1, "leading zeros are not allowed in numbers"),
        .init("[-012]", 1, 2, "leading zeros are not allowed in numbers"),
        .init("1.", 1, 3, "unexpected end of input, expected digit after decimal point"),
        .init("1.e5", 1, 3, "expected digit after decimal point"),
        .init("1e", 1, 3, "unexpected end of input, expected digit in exponent"),
        .init("1e+", 1, 4, "unexpected end of input, expected digit in exponent"),
        .init("[1ex]", 1, 4, "expected digit in exponent"),
        .init("-", 1, 2, "unexpected end of input, expected digit after '-'"),
        .init("-x", 1, 2, "unexpected character 'x' after '-'; expected digit"),
        .init("-Infinity", 1, 2, "unexpected character 'I' after '-'; expected digit"),
        .init("+1", 1, 1, "unexpected character '+' where a value was expected"),
        .init(".5", 1, 1, "unexpected character '.' where a value was expected"),
        .init("0x10", 1, 2, "unexpected character 'x' after top-level value"),
        .init("[1e400]", 1, 2, "number out of range"),
        .init("-1e99999999999", 1, 1, "number out of range"),
    ]

    static let stringCases: [ErrorCase] = [
        .init(#""abc"#, 1, 5, "unterminated string starting at line 1, column 1"),
        .init("[\n  \"abc", 2, 7, "unterminated string starting at line 2, column 3"),
        .init(#""abc\"#, 1, 6, "unterminated string starting at line 1, column 1"),
        .init(#""\u12"#, 1, 6, "unterminated string starting at line 1, column 1"),
        .init("\"a\nb\"", 1, 3, "unescaped control character U+000A in string"),
        .init("\"a\tb\"", 1, 3, "unescaped control character U+0009 in string"),
        .init("\"a\\n\u{1F}\"", 1, 5, "unescaped control character U+001F in string"),
        .init(#""a\qb""#, 1, 3, #"invalid escape \q"#),
        .init(#""\'""#, 1, 2, #"invalid escape \'"#),
        .init(#""\u12G4""#, 1, 2, #"invalid \u escape: expected 4 hex digits"#),
        .init(#""\U0041""#, 1, 2, #"invalid escape \U"#),
        .init(#""\uD800""#, 1, 2, #"unpaired surrogate \uD800"#),
        .init(#""x\uD800\u0041""#, 1, 3, #"unpaired surrogate \uD800"#),
        .init(#""\uD800\uD800""#, 1, 2, #"unpaired surrogate \uD800"#),
        .init(#""\uDC00""#, 1, 2, #"unpaired surrogate \uDC00"#),
        .init(#""\uDBFFx""#, 1, 2, #"unpaired surrogate \uDBFF"#),
        .init(#""\uD800\u12""#, 1, 8, #"invalid \u escape: expected 4 hex digits"#),
    ]

    static let utf8Cases: [ErrorCase] = [
        .init(bytes: [0x22, 0x61, 0xFF, 0x22], 1, 3, "invalid UTF-8 byte 0xFF"),
        .init(bytes: [0x22, 0x80, 0x22], 1, 2, "invalid UTF-8 byte 0x80"),
        .init(bytes: [0x22, 0xC3, 0x28, 0x22], 1, 2, "malformed UTF-8 sequence starting with byte 0xC3"),
        .init(bytes: [0x22, 0xC0, 0xAF, 0x22], 1, 2, "invalid UTF-8 byte 0xC0"),  // overlong '/'
        .init(bytes: [0x22, 0xE0, 0x80, 0xAF, 0x22], 1, 2, "malformed UTF-8 sequence starting with byte 0xE0"),
        .init(bytes: [0x22, 0xED, 0xA0, 0x80, 0x22], 1, 2, "malformed UTF-8 sequence starting with byte 0xED"),
        .init(bytes: [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 1, 2, "malformed UTF-8 sequence starting with byte 0xF4"),
        .init(bytes: [0x22, 0xF0, 0x9F, 0x98], 1, 2, "malformed UTF-8 sequence starting with byte 0xF0"),
        .init(bytes: [0x22, 0x5C, 0x6E, 0xE2, 0x82, 0x22], 1, 4, "malformed UTF-8 sequence starting with byte 0xE2"),
        .init(bytes: [0x5B, 0xFE, 0x5D], 1, 2, "invalid UTF-8 byte 0xFE"),
        // Column counts scalars: "é" is one column.
        .init(bytes: Array("\"é😀\"".utf8) + [0xFF], 1, 5, "invalid UTF-8 byte 0xFF"),
    ]

    static let positionCases: [ErrorCase] = [
        .init("{\n  \"a\": 1,\n  \"b\" 2\n}", 3, 7, "expected ':' after object key"),
        .init("{\r\n\"a\" 1}", 2, 5, "expected ':' after object key"),
        .init("[\"é中😀\", x]", 1, 9, "invalid literal 'x'"),
        .init("[\n\n\n", 4, 1, "unexpected end of input, expected value"),
        .init("[1,\n 2,\n 3\n", 4, 1, "unexpected end of input, expected ',' or ']' after array element"),
    ]

    @Test("structural errors", arguments: structureCases)
    func structure(_ testCase: ErrorCase) { check(testCase) }

    @Test("literal and number errors", arguments: literalAndNumberCases)
    func literalsAndNumbers(_ testCase: ErrorCase) { check(testCase) }

    @Test("string errors", arguments: stringCases)
    func strings(_ testCase: ErrorCase) { check(testCase) }

    @Test("invalid UTF-8", arguments: utf8Cases)
    func utf8(_ testCase: ErrorCase) { check(testCase) }

    @Test("line and column", arguments: positionCases)
    func positions(_ testCase: ErrorCase) { check(testCase) }

    private func check(_ testCase: ErrorCase, sourceLocation: SourceLocation = #_sourceLocation) {
        let error = #expect(throws: JSONSyntaxError.self, sourceLocation: sourceLocation) {
            try JSON(parsing: testCase.input)
        }
        #expect(
            error == JSONSyntaxError(line: testCase.line, column: testCase.column, message: testCase.message),
            sourceLocation: sourceLocation
        )
    }

    @Test func descriptionNamesThePosition() {
        let error = JSONSyntaxError(line: 3, column: 17, message: "expected ',' or '}' after object member")
        #expect(error.description == "line 3, column 17: expected ',' or '}' after object member")
        #expect("\(error)" == error.description)
    }

    @Test func errorsAreTypedThrows() {
        do {
            _ = try JSON(parsing: "[")
            Issue.record("expected an error")
        } catch {
            // `error` is statically a JSONSyntaxError.
            #expect(error.column == 2)
        }
    }
}

// MARK: - Duplicate keys and depth

struct JSONStructureLimitTests {
    @Test func duplicateKeyIsReportedAtSecondOccurrence() {
        let error = #expect(throws: JSONSyntaxError.self) {
            try JSON(parsing: #"{"email":"a","email":"b"}"#)
        }
        #expect(error == JSONSyntaxError(line: 1, column: 14, message: #"duplicate key "email""#))
    }

    @Test func duplicateKeyAcrossLinesAndNesting() {
        let text = """
        {
          "contact": {
            "name": "Ada",
            "phone": "1",
            "name": "Grace"
          }
        }
        """
        let error = #expect(throws: JSONSyntaxError.self) { try JSON(parsing: text) }
        #expect(error == JSONSyntaxError(line: 5, column: 5, message: #"duplicate key "name""#))
    }

    @Test func duplicateDetectionComparesDecodedKeys() {
        let error = #expect(throws: JSONSyntaxError.self) { try JSON(parsing: #"{"a":1,"\u0061":2}"#) }
        #expect(error?.message == #"duplicate key "a""#)
        #expect(error?.column == 8)
    }

    @Test func duplicateKeyMessageEscapesTheKey() {
        let error = #expect(throws: JSONSyntaxError.self) { try JSON(parsing: #"{"a\"b":1,"a\"b":2}"#) }
        #expect(error?.message == #"duplicate key "a\"b""#)
    }

    @Test func sameKeyInDifferentObjectsIsFine() throws {
        let parsed = try JSON(parsing: #"[{"a":1},{"a":2,"b":{"a":3}}]"#)
        #expect(parsed[1]?["b"]?["a"] == 3)
    }

    @Test(arguments: [1, 2, 511, 512])
    func nestingUpToTheLimitParses(depth: Int) throws {
        let arrays = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        var parsed = try JSON(parsing: arrays)
        var levels = 0
        while let inner = parsed.arrayValue {
            levels += 1
            guard let first = inner.first else { break }
            parsed = first
        }
        #expect(levels == depth)

        let objects = String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
        #expect(try JSON(parsing: objects).serialized() == objects)
    }

    @Test func nestingBeyondTheLimitIsAnError() {
        let arrays = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        let arrayError = #expect(throws: JSONSyntaxError.self) { try JSON(parsing: arrays) }
        #expect(arrayError == JSONSyntaxError(line: 1, column: 513, message: "nesting deeper than 512 levels"))

        let objects = String(repeating: #"{"a":"#, count: 513) + "1" + String(repeating: "}", count: 513)
        let objectError = #expect(throws: JSONSyntaxError.self) { try JSON(parsing: objects) }
        #expect(objectError == JSONSyntaxError(line: 1, column: 512 * 5 + 1, message: "nesting deeper than 512 levels"))

        let empty = String(repeating: "[", count: 512) + "{}" + String(repeating: "]", count: 512)
        let emptyError = #expect(throws: JSONSyntaxError.self) { try JSON(parsing: empty) }
        #expect(emptyError?.column == 513)
    }

    @Test func hostileDepthFailsFastWithoutRecursion() {
        let hostile = [UInt8](repeating: UInt8(ascii: "["), count: 1_000_000)
        let error = #expect(throws: JSONSyntaxError.self) { try JSON(parsing: hostile) }
        #expect(error?.column == 513)
    }
}

// MARK: - Numbers

struct JSONNumberTests {
    static let hardLexemes = [
        "0.1", "0.2", "0.3", "1e23", "8.98846567431158e307", "2.2250738585072011e-308",
        "2.2250738585072012e-308", "4.9e-324", "5e-324", "2e-324", "1e-400", "1.7976931348623157e308",
        "9007199254740993", "9007199254740995", "18446744073709551615", "18446744073709551616",
        "123456789012345678901234567890", "0.000001", "1234567890.0987654321", "3.141592653589793238462643",
        "7.038531e-26", "9999999999999999", "99999999999999999999", "1.00000000000000011102230246251565404236316680908203125",
        "-12345e-10", "1e22", "1e-22", "123456789012345e-22", "123456789012345e22", "0e1000", "100e-2",
    ]

    @Test("parses exactly as Double(String)", arguments: hardLexemes)
    func matchesStandardLibrary(lexeme: String) throws {
        let parsed = try JSON(parsing: lexeme)
        #expect(parsed.numberValue?.bitPattern == Double(lexeme)?.bitPattern)
    }

    @Test func randomLexemesMatchStandardLibrary() throws {
        var random = SeededGenerator(seed: 0x5EED_0001)
        for _ in 0..<20_000 {
            let lexeme = randomNumberLexeme(using: &random)
            let expected = Double(lexeme)!
            if expected.isFinite {
                let parsed = try JSON(parsing: lexeme)
                #expect(parsed.numberValue?.bitPattern == expected.bitPattern, "\(lexeme)")
            } else {
                #expect(throws: JSONSyntaxError.self, "\(lexeme)") { try JSON(parsing: lexeme) }
            }
        }
    }

    private func randomNumberLexeme(using random: inout SeededGenerator) -> String {
        func digits(_ count: Int) -> String {
            String((0..<count).map { _ in Character(String(Int.random(in: 0...9, using: &random))) })
        }
        var lexeme = Bool.random(using: &random) ? "-" : ""
        if Bool.random(using: &random) {
            // Short significands and small exponents: the parser's exact fast path.
            let integerDigits = Int.random(in: 1...8, using: &random)
            lexeme += integerDigits == 1 ? digits(1) : String(Int.random(in: 1...9, using: &random)) + digits(integerDigits - 1)
            if Bool.random(using: &random) {
                lexeme += "." + digits(Int.random(in: 1...(16 - integerDigits), using: &random))
            }
            if Bool.random(using: &random) {
                lexeme += "e" + String(Int.random(in: -30...30, using: &random))
            }
            return lexeme
        }
        let integerDigits = Int.random(in: 1...22, using: &random)
        if integerDigits == 1 || Int.random(in: 0..<4, using: &random) == 0 {
            lexeme += digits(1)
        } else {
            lexeme += String(Int.random(in: 1...9, using: &random)) + digits(integerDigits - 1)
        }
        if Bool.random(using: &random) {
            lexeme += "." + digits(Int.random(in: 1...20, using: &random))
        }
        if Bool.random(using: &random) {
            lexeme += ["e", "E"].randomElement(using: &random)!
            lexeme += ["", "+", "-"].randomElement(using: &random)!
            lexeme += String(Int.random(in: 0...330, using: &random))
        }
        return lexeme
    }

    struct FormatCase: Sendable, CustomTestStringConvertible {
        let number: Double
        let text: String
        var testDescription: String { text }
    }

    static let formatCases: [FormatCase] = [
        .init(number: 0, text: "0"),
        .init(number: -0.0, text: "0"),
        .init(number: 42, text: "42"),
        .init(number: -7, text: "-7"),
        .init(number: 1_000_000, text: "1000000"),
        .init(number: 9_007_199_254_740_991, text: "9007199254740991"),
        .init(number: -9_007_199_254_740_991, text: "-9007199254740991"),
        .init(number: 0.1, text: "0.1"),
        .init(number: 1.5, text: "1.5"),
        .init(number: -2.5e-8, text: "-2.5e-08"),
        .init(number: 0.1 + 0.2, text: "0.30000000000000004"),
        .init(number: 123_456.789, text: "123456.789"),
        .init(number: 1e300, text: "1e+300"),
        .init(number: .leastNonzeroMagnitude, text: "5e-324"),
        .init(number: .greatestFiniteMagnitude, text: "1.7976931348623157e+308"),
        .init(number: .infinity, text: "null"),
        .init(number: -.infinity, text: "null"),
        .init(number: .nan, text: "null"),
    ]

    @Test("serializer number formatting", arguments: formatCases)
    func formats(_ testCase: FormatCase) throws {
        #expect(JSON.number(testCase.number).serialized() == testCase.text)
        if testCase.number.isFinite {
            #expect(try JSON(parsing: testCase.text) == .number(testCase.number))
        }
    }

    @Test func largeIntegralValuesStayValidJSON() throws {
        for number in [9_007_199_254_740_992.0, 1e16, -1e20, 123_456_789_012_345_678_901.0] {
            let text = JSON.number(number).serialized()
            #expect(try JSON(parsing: text) == .number(number), "\(text)")
        }
    }

    @Test func randomBitPatternsRoundTrip() throws {
        var random = SeededGenerator(seed: 0xB175)
        var checked = 0
        while checked < 5_000 {
            let number = Double(bitPattern: random.next())
            guard number.isFinite else { continue }
            checked += 1
            let text = JSON.number(number).serialized()
            let parsed = try JSON(parsing: text)
            #expect(parsed.numberValue?.bitPattern == (number == 0 ? 0 : number.bitPattern), "\(text)")
        }
    }
}

// MARK: - Serializer

struct JSONSerializationTests {
    @Test func compactOutput() {
        let value: JSON = ["id": 7, "name": "Ada", "tags": ["a", "b"], "meta": [:], "list": [], "x": nil, "ok": false]
        #expect(value.serialized() == #"{"id":7,"name":"Ada","tags":["a","b"],"meta":{},"list":[],"x":null,"ok":false}"#)
        #expect(value.serializedBytes() == Array(value.serialized().utf8))
    }

    @Test func prettyOutput() {
        let value: JSON = ["a": 1, "b": [true, nil, ["c": "d"]], "e": [:], "f": []]
        let expected = """
        {
          "a": 1,
          "b": [
            true,
            null,
            {
              "c": "d"
            }
          ],
          "e": {},
          "f": []
        }
        """
        #expect(value.serialized(pretty: true) == expected)
        #expect(JSON.array([]).serialized(pretty: true) == "[]")
        #expect(JSON.string("x").serialized(pretty: true) == "\"x\"")
    }

    @Test func sortedKeysUseCodePointOrderAtEveryLevel() {
        let value: JSON = ["b": 1, "a": ["z": 1, "y": 2], "B": 3, "é": 4, "aa": 5]
        #expect(value.serialized(sortedKeys: true) == #"{"B":3,"a":{"y":2,"z":1},"aa":5,"b":1,"é":4}"#)
        #expect(value.serializedBytes(sortedKeys: true) == Array(value.serialized(sortedKeys: true).utf8))
        #expect(value.serialized() == #"{"b":1,"a":{"z":1,"y":2},"B":3,"é":4,"aa":5}"#)
    }

    @Test func stringEscaping() {
        let value = JSON.string("q\"b\\s/n\nt\tr\rb\u{08}f\u{0C}\u{0}\u{1}\u{1F}\u{7F}é中😀\u{2028}")
        let expected = #""q\"b\\s/n\nt\tr\rb\bf\f\u0000\u0001\u001f"# + "\u{7F}é中😀\u{2028}\""
        #expect(value.serialized() == expected)
        #expect(JSON.object(["k\"\n": 1]).serialized() == #"{"k\"\n":1}"#)
    }

    @Test func substringDerivedStringsAreEscaped() {
        let sliced = String("xx\"é\u{1}yy".dropFirst().dropLast())
        #expect(JSON.string(sliced).serialized() == #""x\"é\u0001y""#)
    }
}

// MARK: - Round trip

struct JSONRoundTripTests {
    @Test("random values round-trip", arguments: 0..<300)
    func randomValue(seed: Int) throws {
        var random = SeededGenerator(seed: UInt64(seed) &* 0x9E37_79B9 &+ 17)
        let value = RandomJSON.value(depth: 0, using: &random)

        let compact = value.serialized()
        let reparsed = try JSON(parsing: compact)
        #expect(reparsed == value)
        #expect(reparsed.serializedBytes() == value.serializedBytes())  // byte-stable, not just equal
        #expect(reparsed.hashValue == value.hashValue)

        #expect(try JSON(parsing: value.serialized(pretty: true)) == value)
        #expect(try JSON(parsing: value.serializedBytes(sortedKeys: true)) == value)
        #expect(try JSON(parsing: value.serialized(pretty: true, sortedKeys: true)).serialized(sortedKeys: true)
            == value.serialized(sortedKeys: true))
    }

    @Test func parsedDocumentRoundTrips() throws {
        let text = #"{"b":[1,2.5,-3e-7,"x\u0000y"],"a":{"c":null,"d":true},"😀":"\ud83d\ude00"}"#
        let parsed = try JSON(parsing: text)
        #expect(try JSON(parsing: parsed.serialized()) == parsed)
        #expect(parsed.serialized() == #"{"b":[1,2.5,-3e-07,"x\u0000y"],"a":{"c":null,"d":true},"😀":"😀"}"#)
    }
}

// MARK: - Value type

struct JSONValueTests {
    @Test func literalConformances() {
        let value: JSON = ["a": 1, "tags": ["x"], "n": nil, "f": 2.5, "t": true, "s": "str"]
        var expected = JSONObject()
        expected["a"] = .number(1)
        expected["tags"] = .array([.string("x")])
        expected["n"] = .null
        expected["f"] = .number(2.5)
        expected["t"] = .bool(true)
        expected["s"] = .string("str")
        #expect(value == .object(expected))
        #expect(value.objectValue.map { Array($0.keys) } == ["a", "tags", "n", "f", "t", "s"])
        let null: JSON = nil
        #expect(null == .null)
    }

    @Test func accessors() {
        let value: JSON = ["name": "Ada", "age": 36, "vip": true, "tags": ["a", "b"], "phone": nil, "meta": ["k": 1]]
        #expect(value["name"]?.stringValue == "Ada")
        #expect(value["age"]?.numberValue == 36)
        #expect(value["vip"]?.boolValue == true)
        #expect(value["tags"]?[1] == "b")
        #expect(value["tags"]?[2] == nil)
        #expect(value["tags"]?[-1] == nil)
        #expect(value["tags"]?.arrayValue?.count == 2)
        #expect(value["meta"]?.objectValue?["k"] == 1)
        #expect(value["phone"]?.isNull == true)
        #expect(value["phone"] == .some(.null))  // present-but-null is not the same as missing
        #expect(value["missing"] == nil)
        #expect(value[0] == nil)
        #expect(JSON.string("x")["name"] == nil)
        #expect(JSON.number(1).stringValue == nil)
        #expect(JSON.string("1").numberValue == nil)
        #expect(JSON.null.boolValue == nil)
        #expect(JSON.bool(false).isNull == false)
        #expect(JSON.array([]).objectValue == nil)
        #expect(JSON.object([:]).arrayValue == nil)
    }

    @Test(arguments: [
        (JSON.null, "null"), (.bool(true), "boolean"), (.number(1), "number"),
        (.string(""), "string"), (.array([]), "array"), (.object([:]), "object"),
    ])
    func kindNames(value: JSON, name: String) {
        #expect(value.kindName == name)
    }

    @Test func objectEqualityIgnoresMemberOrder() {
        let first: JSON = ["a": 1, "b": ["x": 1, "y": 2]]
        let second: JSON = ["b": ["y": 2, "x": 1], "a": 1]
        #expect(first == second)
        #expect(first.hashValue == second.hashValue)
        #expect(Set([first, second]).count == 1)
        #expect(first.serialized() != second.serialized())
        #expect(first.serialized(sortedKeys: true) == second.serialized(sortedKeys: true))
    }

    @Test func inequalities() {
        #expect(JSON.array([1, 2]) != [2, 1])
        #expect(JSON.object(["a": 1]) != ["a": 1, "b": 2])
        #expect(JSON.object(["a": 1]) != ["b": 1])
        #expect(JSON.number(1) != "1")
        #expect(JSON.null != false)
        #expect(JSON.number(0) == .number(-0.0))
        #expect(JSON.number(0).hashValue == JSON.number(-0.0).hashValue)
    }
}

// MARK: - Seeded random values


private enum RandomJSON {
    static func value(depth: Int, using random: inout SeededGenerator) -> JSON {
        let kind = depth >= 5 ? Int.random(in: 0..<4, using: &random) : Int.random(in: 0..<7, using: &random)
        switch kind {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &random))
        case 2: return .number(number(using: &random))
        case 3: return .string(string(using: &random))
        case 4:
            let count = Int.random(in: 0...6, using: &random)
            return .array((0..<count).map { _ in value(depth: depth + 1, using: &random) })
        default:
            var members = JSONObject()
            for _ in 0..<Int.random(in: 0...6, using: &random) {
                members[string(using: &random)] = value(depth: depth + 1, using: &random)
            }
            return .object(members)
        }
    }

    static func number(using random: inout SeededGenerator) -> Double {
        switch Int.random(in: 0..<6, using: &random) {
        case 0: return Double(Int.random(in: -1000...1000, using: &random))
        case 1: return Double(Int64.random(in: -(1 << 53)...(1 << 53), using: &random))
        case 2: return Double.random(in: -1...1, using: &random)
        case 3: return [0.0, -0.0, 0.1, 1e-7, 1e21, .leastNonzeroMagnitude, .greatestFiniteMagnitude].randomElement(using: &random)!
        case 4: return Double(Int.random(in: -99_999...99_999, using: &random)) / 100
        default:
            while true {
                let candidate = Double(bitPattern: random.next())
                if candidate.isFinite { return candidate }
            }
        }
    }

    private static let alphabet: [Unicode.Scalar] = Array("abcXYZ019 _-.@/\\\"'".unicodeScalars) + [
        "\u{0}", "\u{1}", "\u{8}", "\u{9}", "\u{A}", "\u{C}", "\u{D}", "\u{1F}", "\u{7F}",
        "é", "ß", "中", "😀", "𝄞", "\u{301}", "\u{2028}", "\u{FEFF}", "\u{FFFD}", "\u{10FFFF}",
    ]

    static func string(using random: inout SeededGenerator) -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...12, using: &random) {
            if Int.random(in: 0..<8, using: &random) == 0 {
                // Any scalar value outside the surrogate range.
                var value = UInt32.random(in: 0...0x10FFFF, using: &random)
                if (0xD800...0xDFFF).contains(value) { value -= 0x800 }
                scalars.append(Unicode.Scalar(value)!)
            } else {
                scalars.append(alphabet.randomElement(using: &random)!)
            }
        }
        return String(scalars)
    }
}
