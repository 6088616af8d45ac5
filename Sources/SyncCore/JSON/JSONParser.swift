import OrderedCollections

/// A syntax error in JSON text, with the 1-based position of the offending character.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based line; lines are separated by LF.
    public var line: Int
    /// 1-based column, counted in Unicode scalars from the start of the line.
    public var column: Int
    /// What was wrong, e.g. `expected ',' or '}' after object member`.
    public var message: String

    /// Creates an error at `line`, `column` with `message`.
    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// `line 3, column 17: expected ...`
    public var description: String {
        "line \(line), column \(column): \(message)"
    }
}

/// A strict RFC 8259 parser over a contiguous UTF-8 buffer.
///
/// Containers are parsed with an explicit stack rather than recursion, so hostile
/// input cannot exhaust the call stack; nesting is capped at `maximumDepth`.
struct JSONParser {
    /// The deepest nesting of arrays and objects accepted.
    static let maximumDepth = 512

    private enum Container {
        case array
        case object
    }

    private let input: UnsafeBufferPointer<UInt8>
    /// Where the document starts (past a BOM), for column counting.
    private var start = 0
    private var position = 0

    private var containers: [Container] = []
    private var openArrays: [[JSON]] = []
    private var openObjects: [JSONObject] = []
    /// For each open object, the index of the member whose value is being parsed.
    private var pendingMembers: [Int] = []
    /// Reused for strings that contain escapes.
    private var scratch: [UInt8] = []
    /// The opening quote of the string being parsed, for "unterminated string".
    private var stringStart = 0

    private init(input: UnsafeBufferPointer<UInt8>) {
        self.input = input
    }

    /// Parses one complete JSON document held in `input`.
    static func parse(_ input: UnsafeBufferPointer<UInt8>) -> Result<JSON, JSONSyntaxError> {
        var parser = JSONParser(input: input)
        do throws(JSONSyntaxError) {
            return .success(try parser.parseDocument())
        } catch {
            return .failure(error)
        }
    }

    // MARK: Document and containers

    private mutating func parseDocument() throws(JSONSyntaxError) -> JSON {
        if input.count >= 3, input[0] == 0xEF, input[1] == 0xBB, input[2] == 0xBF {
            start = 3
            position = 3
        }
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        if position < input.count {
            throw unexpectedCharacter(at: position, context: "after top-level value")
        }
        return value
    }

    /// Parses the value at `position` (whitespace already skipped), including everything nested in it.
    private mutating func parseValue() throws(JSONSyntaxError) -> JSON {
        var value: JSON
        nextValue: while true {
            guard position < input.count else { throw endOfInput(expecting: "value") }
            let valueStart = position
            switch input[position] {
            case UInt8(ascii: "{"):
                try checkDepth(at: valueStart)
                position += 1
                skipWhitespace()
                if position < input.count, input[position] == UInt8(ascii: "}") {
                    position += 1
                    value = .object([:])
                } else {
                    containers.append(.object)
                    openObjects.append([:])
                    try parseMemberKey(after: "'{'")
                    continue nextValue
                }
            case UInt8(ascii: "["):
                try checkDepth(at: valueStart)
                position += 1
                skipWhitespace()
                if position < input.count, input[position] == UInt8(ascii: "]") {
                    position += 1
                    value = .array([])
                } else {
                    containers.append(.array)
                    openArrays.append([])
                    continue nextValue
                }
            case UInt8(ascii: "\""):
                value = .string(try parseString())
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                value = .number(try parseNumber())
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
                value = try parseLiteral()
            case UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: ","), UInt8(ascii: ":"):
                throw syntaxError("expected value, found '\(Character(Unicode.Scalar(input[position])))'", at: position)
            default:
                throw unexpectedCharacter(at: position, context: "where a value was expected")
            }

            // `value` is complete: hand it to the enclosing container until one wants another value.
            while let container = containers.last {
                skipWhitespace()
                switch container {
                case .array:
                    openArrays[openArrays.count - 1].append(value)
                    guard position < input.count else {
                        throw endOfInput(expecting: "',' or ']' after array element")
                    }
                    switch input[position] {
                    case UInt8(ascii: ","):
                        let comma = position
                        position += 1
                        skipWhitespace()
                        if position < input.count, input[position] == UInt8(ascii: "]") {
                            throw syntaxError("trailing comma before ']'", at: comma)
                        }
                        continue nextValue
                    case UInt8(ascii: "]"):
                        position += 1
                        containers.removeLast()
                        value = .array(openArrays.removeLast())
                    default:
                        throw syntaxError("expected ',' or ']' after array element", at: position)
                    }
                case .object:
                    let member = pendingMembers.removeLast()
                    openObjects[openObjects.count - 1].values[member] = value
                    guard position < input.count else {
                        throw endOfInput(expecting: "',' or '}' after object member")
                    }
                    switch input[position] {
                    case UInt8(ascii: ","):
                        let comma = position
                        position += 1
                        skipWhitespace()
                        if position < input.count, input[position] == UInt8(ascii: "}") {
                            throw syntaxError("trailing comma before '}'", at: comma)
                        }
                        try parseMemberKey(after: "','")
                        continue nextValue
                    case UInt8(ascii: "}"):
                        position += 1
                        containers.removeLast()
                        value = .object(openObjects.removeLast())
                    default:
                        throw syntaxError("expected ',' or '}' after object member", at: position)
                    }
                }
            }
            return value
        }
    }

    private func checkDepth(at offset: Int) throws(JSONSyntaxError) {
        if containers.count >= Self.maximumDepth {
            throw syntaxError("nesting deeper than \(Self.maximumDepth) levels", at: offset)
        }
    }

    /// Parses `"key" :` into the innermost open object, reserving the member's slot; leaves
    /// `position` at the member's value.
    private mutating func parseMemberKey(after what: String) throws(JSONSyntaxError) {
        guard position < input.count else { throw endOfInput(expecting: "string key") }
        guard input[position] == UInt8(ascii: "\"") else {
            if input[position] == UInt8(ascii: "'") {
                throw syntaxError("expected string key after \(what); strings use double quotes", at: position)
            }
            throw syntaxError("expected string key after \(what)", at: position)
        }
        let keyStart = position
        let key = try parseString()
        let object = openObjects.count - 1
        let (existing, member) = openObjects[object].updateValue(
            .null, forKey: key, insertingAt: openObjects[object].count
        )
        if existing != nil {
            throw syntaxError("duplicate key \(quoted(key))", at: keyStart)
        }
        pendingMembers.append(member)
        skipWhitespace()
        guard position < input.count else { throw endOfInput(expecting: "':' after object key") }
        guard input[position] == UInt8(ascii: ":") else {
            throw syntaxError("expected ':' after object key", at: position)
        }
        position += 1
        skipWhitespace()
    }

    // MARK: Scalars

    private mutating func skipWhitespace() {
        while position < input.count {
            switch input[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    /// `true`, `false` or `null`; any other run of letters is reported whole.
    private mutating func parseLiteral() throws(JSONSyntaxError) -> JSON {
        let literalStart = position
        var end = position
        while end < input.count, Self.isWordByte(input[end]) { end += 1 }
        let word = UnsafeBufferPointer(rebasing: input[literalStart..<end])
        let value: JSON
        if word.elementsEqual("true".utf8) {
            value = .bool(true)
        } else if word.elementsEqual("false".utf8) {
            value = .bool(false)
        } else if word.elementsEqual("null".utf8) {
            value = .null
        } else {
            let shown = String(decoding: word.prefix(32), as: UTF8.self)
            if end == input.count, ["true", "false", "null"].contains(where: { $0.hasPrefix(shown) }) {
                throw endOfInput(expecting: "literal")
            }
            throw syntaxError("invalid literal '\(shown)'", at: literalStart)
        }
        position = end
        return value
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }

    /// Exact powers of ten representable in a Double, for the fast conversion path.
    private static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// Validates the number grammar and converts with correct rounding.
    ///
    /// Short numbers take Clinger's fast path (an exact integer significand of at most
    /// 15 digits scaled by an exact power of ten, one correctly rounded operation);
    /// everything else goes through the standard library's `Double(String)`.
    private mutating func parseNumber() throws(JSONSyntaxError) -> Double {
        let numberStart = position
        var negative = false
        if input[position] == UInt8(ascii: "-") {
            negative = true
            position += 1
        }
        var significand: UInt64 = 0
        var digitCount = 0
        guard position < input.count else { throw endOfInput(expecting: "digit after '-'") }
        switch input[position] {
        case UInt8(ascii: "0"):
            position += 1
            if position < input.count, Self.isDigit(input[position]) {
                throw syntaxError("leading zeros are not allowed in numbers", at: numberStart)
            }
        case UInt8(ascii: "1")...UInt8(ascii: "9"):
            while position < input.count, Self.isDigit(input[position]) {
                if digitCount < 19 {
                    significand = significand &* 10 &+ UInt64(input[position] &- UInt8(ascii: "0"))
                }
                digitCount += 1
                position += 1
            }
        default:
            throw unexpectedCharacter(at: position, context: "after '-'; expected digit")
        }

        var fractionDigits = 0
        if position < input.count, input[position] == UInt8(ascii: ".") {
            position += 1
            guard position < input.count else { throw endOfInput(expecting: "digit after decimal point") }
            guard Self.isDigit(input[position]) else {
                throw syntaxError("expected digit after decimal point", at: position)
            }
            while position < input.count, Self.isDigit(input[position]) {
                if digitCount < 19 {
                    significand = significand &* 10 &+ UInt64(input[position] &- UInt8(ascii: "0"))
                }
                if significand != 0 { digitCount += 1 }
                fractionDigits += 1
                position += 1
            }
        }

        var exponent = 0
        var hasExponent = false
        if position < input.count, input[position] | 0x20 == UInt8(ascii: "e") {
            hasExponent = true
            position += 1
            var negativeExponent = false
            if position < input.count, input[position] == UInt8(ascii: "+") || input[position] == UInt8(ascii: "-") {
                negativeExponent = input[position] == UInt8(ascii: "-")
                position += 1
            }
            guard position < input.count else { throw endOfInput(expecting: "digit in exponent") }
            guard Self.isDigit(input[position]) else {
                throw syntaxError("expected digit in exponent", at: position)
            }
            while position < input.count, Self.isDigit(input[position]) {
                if exponent < 100_000 {
                    exponent = exponent * 10 + Int(input[position] &- UInt8(ascii: "0"))
                }
                position += 1
            }
            if negativeExponent { exponent = -exponent }
        }

        // Fast paths: every operand exact, so the single rounding is the correct one.
        if digitCount <= 15 {
            let scale = exponent - fractionDigits
            if scale == 0 {
                let magnitude = Double(significand)
                return negative ? -magnitude : magnitude
            }
            if (-22...22).contains(scale) {
                let magnitude = scale < 0
                    ? Double(significand) / Self.exactPowersOfTen[-scale]
                    : Double(significand) * Self.exactPowersOfTen[scale]
                return negative ? -magnitude : magnitude
            }
        } else if digitCount <= 19, fractionDigits == 0, !hasExponent {
            // An integer of up to 19 digits fits UInt64; the conversion rounds correctly.
            let magnitude = Double(significand)
            return negative ? -magnitude : magnitude
        }

        let lexeme = String(decoding: UnsafeBufferPointer(rebasing: input[numberStart..<position]), as: UTF8.self)
        guard let number = Double(lexeme), number.isFinite else {
            throw syntaxError("number out of range", at: numberStart)
        }
        return number
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    // MARK: Strings

    /// Parses the string whose opening quote is at `position`; validates UTF-8 and escapes.
    private mutating func parseString() throws(JSONSyntaxError) -> String {
        stringStart = position
        position += 1
        let contentStart = position
        // Fast path: no escapes, so the content is a slice of the input.
        while position < input.count {
            let byte = input[position]
            if byte == UInt8(ascii: "\"") {
                let content = UnsafeBufferPointer(rebasing: input[contentStart..<position])
                position += 1
                return String(decoding: content, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") {
                return try parseEscapedString(from: contentStart)
            }
            if byte < 0x20 {
                throw syntaxError("unescaped control character \(Self.scalarName(UInt32(byte))) in string", at: position)
            }
            if byte < 0x80 {
                position += 1
            } else {
                try skipMultibyteScalar()
            }
        }
        throw unterminatedString()
    }

    /// Continues a string at the first backslash, collecting its decoded UTF-8 in `scratch`.
    private mutating func parseEscapedString(from contentStart: Int) throws(JSONSyntaxError) -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: input[contentStart..<position]))
        var runStart = position
        while position < input.count {
            let byte = input[position]
            if byte == UInt8(ascii: "\"") {
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: input[runStart..<position]))
                position += 1
                return String(decoding: scratch, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") {
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: input[runStart..<position]))
                try parseEscape()
                runStart = position
            } else if byte < 0x20 {
                throw syntaxError("unescaped control character \(Self.scalarName(UInt32(byte))) in string", at: position)
            } else if byte < 0x80 {
                position += 1
            } else {
                try skipMultibyteScalar()
            }
        }
        throw unterminatedString()
    }

    /// Decodes the escape sequence at `position` (a backslash) into `scratch`.
    private mutating func parseEscape() throws(JSONSyntaxError) {
        let escapeStart = position
        position += 1
        guard position < input.count else { throw unterminatedString() }
        let decoded: UInt8
        switch input[position] {
        case UInt8(ascii: "\""): decoded = UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): decoded = UInt8(ascii: "\\")
        case UInt8(ascii: "/"): decoded = UInt8(ascii: "/")
        case UInt8(ascii: "b"): decoded = 0x08
        case UInt8(ascii: "f"): decoded = 0x0C
        case UInt8(ascii: "n"): decoded = 0x0A
        case UInt8(ascii: "r"): decoded = 0x0D
        case UInt8(ascii: "t"): decoded = 0x09
        case UInt8(ascii: "u"):
            position += 1
            let unit = try parseHexQuad(escapeStart: escapeStart)
            let scalarValue: UInt32
            switch unit {
            case 0xD800...0xDBFF:
                let lowStart = position
                guard position + 1 < input.count,
                      input[position] == UInt8(ascii: "\\"), input[position + 1] == UInt8(ascii: "u")
                else {
                    throw syntaxError("unpaired surrogate \(Self.escapeText(unit))", at: escapeStart)
                }
                position += 2
                let low = try parseHexQuad(escapeStart: lowStart)
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw syntaxError("unpaired surrogate \(Self.escapeText(unit))", at: escapeStart)
                }
                scalarValue = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
            case 0xDC00...0xDFFF:
                throw syntaxError("unpaired surrogate \(Self.escapeText(unit))", at: escapeStart)
            default:
                scalarValue = unit
            }
            // Never nil: surrogates were handled above.
            let scalar = Unicode.Scalar(scalarValue)!
            scratch.append(contentsOf: UTF8.encode(scalar)!)
            return
        default:
            let shown = describeCharacter(at: position)
            throw syntaxError("invalid escape \\\(shown.inline)", at: escapeStart)
        }
        scratch.append(decoded)
        position += 1
    }

    /// Reads the four hex digits of a `\u` escape at `position`.
    private mutating func parseHexQuad(escapeStart: Int) throws(JSONSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard position < input.count else {
                throw unterminatedString()
            }
            let byte = input[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw syntaxError("invalid \\u escape: expected 4 hex digits", at: escapeStart)
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    /// Validates the multi-byte UTF-8 sequence at `position` (RFC 3629) and steps over it.
    private mutating func skipMultibyteScalar() throws(JSONSyntaxError) {
        guard let length = Self.multibyteScalarLength(in: input, at: position) else {
            throw invalidUTF8(at: position)
        }
        position += length
    }

    /// The length of the well-formed multi-byte UTF-8 sequence at `offset`, or nil.
    private static func multibyteScalarLength(in input: UnsafeBufferPointer<UInt8>, at offset: Int) -> Int? {
        let lead = input[offset]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        default: return nil
        }
        guard offset + length <= input.count, secondRange.contains(input[offset + 1]) else { return nil }
        for index in (offset + 2)..<(offset + length) where input[index] & 0xC0 != 0x80 {
            return nil
        }
        return length
    }

    // MARK: Errors

    private func syntaxError(_ message: String, at offset: Int) -> JSONSyntaxError {
        var line = 1
        var lineStart = start
        for index in start..<offset where input[index] == 0x0A {
            line += 1
            lineStart = index + 1
        }
        var column = 1
        for index in lineStart..<offset where input[index] & 0xC0 != 0x80 {
            column += 1
        }
        return JSONSyntaxError(line: line, column: column, message: message)
    }

    private func endOfInput(expecting expected: String) -> JSONSyntaxError {
        syntaxError("unexpected end of input, expected \(expected)", at: input.count)
    }

    /// For a sequence at `offset` that `multibyteScalarLength` rejected.
    private func invalidUTF8(at offset: Int) -> JSONSyntaxError {
        let lead = input[offset]
        let shown = "0x" + Self.hex(lead, width: 2)
        if (0xC2...0xF4).contains(lead) {
            return syntaxError("malformed UTF-8 sequence starting with byte \(shown)", at: offset)
        }
        return syntaxError("invalid UTF-8 byte \(shown)", at: offset)
    }

    private func unterminatedString() -> JSONSyntaxError {
        let opening = syntaxError("", at: stringStart)
        return syntaxError(
            "unterminated string starting at line \(opening.line), column \(opening.column)", at: input.count
        )
    }

    /// "unexpected character 'x' …", or "invalid UTF-8 byte 0xFF" when the byte starts no scalar.
    private func unexpectedCharacter(at offset: Int, context: String) -> JSONSyntaxError {
        let shown = describeCharacter(at: offset)
        guard shown.isValid else { return invalidUTF8(at: offset) }
        var message = "unexpected character \(shown.quoted) \(context)"
        switch input[offset] {
        case UInt8(ascii: "'"): message += "; strings use double quotes"
        case UInt8(ascii: "/"), UInt8(ascii: "#"): message += "; comments are not allowed"
        default: break
        }
        return syntaxError(message, at: offset)
    }

    /// How to show the character at `offset`: printable as itself, others as U+XXXX.
    private func describeCharacter(at offset: Int) -> (inline: String, quoted: String, isValid: Bool) {
        let byte = input[offset]
        if byte < 0x80 {
            if byte < 0x20 || byte == 0x7F {
                let name = Self.scalarName(UInt32(byte))
                return (name, name, true)
            }
            let text = String(Character(Unicode.Scalar(byte)))
            return (text, byte == UInt8(ascii: "'") ? "\"'\"" : "'\(text)'", true)
        }
        guard let length = Self.multibyteScalarLength(in: input, at: offset) else {
            let text = "<0x\(Self.hex(byte, width: 2))>"
            return (text, text, false)
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: input[offset..<(offset + length)]), as: UTF8.self)
        let scalar = text.unicodeScalars.first!
        return (text, "'\(text)' (\(Self.scalarName(scalar.value)))", true)
    }

    private func quoted(_ key: String) -> String {
        JSON.string(key).serialized()
    }

    private static func scalarName(_ value: UInt32) -> String {
        "U+" + hex(value, width: 4)
    }

    private static func escapeText(_ unit: UInt32) -> String {
        "\\u" + hex(unit, width: 4)
    }

    private static func hex(_ value: some BinaryInteger, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
