import OrderedCollections

extension JSON {
    /// Compact (or pretty, 2-space indent) UTF-8 text. Keys in insertion order unless sortedKeys.
    ///
    /// Output is deterministic: integral numbers below 2^53 in magnitude print without a
    /// fraction, other numbers use the shortest round-tripping form, non-finite numbers
    /// print as `null`, and `/` and non-ASCII characters are not escaped. Sorted keys are
    /// ordered by their UTF-8 bytes (Unicode code point order).
    public func serialized(pretty: Bool = false, sortedKeys: Bool = false) -> String {
        var writer = JSONWriter(pretty: pretty, sortedKeys: sortedKeys)
        writer.write(self, depth: 0)
        return String(decoding: writer.output, as: UTF8.self)
    }

    /// Compact UTF-8 text as bytes; the same text as `serialized(sortedKeys:)`.
    public func serializedBytes(sortedKeys: Bool = false) -> [UInt8] {
        var writer = JSONWriter(pretty: false, sortedKeys: sortedKeys)
        writer.write(self, depth: 0)
        return writer.output
    }
}

/// Appends the JSON text of values to a byte buffer.
private struct JSONWriter {
    let pretty: Bool
    let sortedKeys: Bool
    var output: [UInt8] = []

    init(pretty: Bool, sortedKeys: Bool) {
        self.pretty = pretty
        self.sortedKeys = sortedKeys
        output.reserveCapacity(256)
    }

    mutating func write(_ value: JSON, depth: Int) {
        switch value {
        case .null:
            output.append(contentsOf: "null".utf8)
        case .bool(let bool):
            output.append(contentsOf: bool ? "true".utf8 : "false".utf8)
        case .number(let number):
            writeNumber(number)
        case .string(let string):
            writeString(string)
        case .array(let elements):
            guard !elements.isEmpty else {
                output.append(contentsOf: "[]".utf8)
                return
            }
            output.append(UInt8(ascii: "["))
            for (offset, element) in elements.enumerated() {
                if offset > 0 { output.append(UInt8(ascii: ",")) }
                writeNewline(depth: depth + 1)
                write(element, depth: depth + 1)
            }
            writeNewline(depth: depth)
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            guard !members.isEmpty else {
                output.append(contentsOf: "{}".utf8)
                return
            }
            output.append(UInt8(ascii: "{"))
            if sortedKeys {
                let order = members.keys.indices.sorted { members.keys[$0].utf8.lexicographicallyPrecedes(members.keys[$1].utf8) }
                for (offset, index) in order.enumerated() {
                    writeMember(key: members.keys[index], value: members.values[index], first: offset == 0, depth: depth)
                }
            } else {
                for (offset, member) in members.enumerated() {
                    writeMember(key: member.key, value: member.value, first: offset == 0, depth: depth)
                }
            }
            writeNewline(depth: depth)
            output.append(UInt8(ascii: "}"))
        }
    }

    private mutating func writeMember(key: String, value: JSON, first: Bool, depth: Int) {
        if !first { output.append(UInt8(ascii: ",")) }
        writeNewline(depth: depth + 1)
        writeString(key)
        output.append(UInt8(ascii: ":"))
        if pretty { output.append(UInt8(ascii: " ")) }
        write(value, depth: depth + 1)
    }

    private mutating func writeNewline(depth: Int) {
        guard pretty else { return }
        output.append(UInt8(ascii: "\n"))
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: depth * 2))
    }

    /// Integral values below 2^53 as integers, other finite values in Swift's shortest
    /// round-tripping form (always valid JSON), non-finite values as `null`.
    private mutating func writeNumber(_ number: Double) {
        guard number.isFinite else {
            output.append(contentsOf: "null".utf8)
            return
        }
        if number.magnitude < 9_007_199_254_740_992, number == number.rounded(.towardZero) {
            writeInteger(Int64(number))  // -0.0 becomes 0
        } else {
            output.append(contentsOf: number.description.utf8)
        }
    }

    private mutating func writeInteger(_ integer: Int64) {
        if integer < 0 { output.append(UInt8(ascii: "-")) }
        var magnitude = integer.magnitude
        var divisor: UInt64 = 1
        while divisor <= magnitude / 10 { divisor *= 10 }
        repeat {
            output.append(UInt8(ascii: "0") + UInt8(magnitude / divisor))
            magnitude %= divisor
            divisor /= 10
        } while divisor > 0
    }

    /// Escapes `"`, `\` and control characters; everything else is copied as UTF-8.
    private mutating func writeString(_ string: String) {
        output.append(UInt8(ascii: "\""))
        let copied: Void? = string.utf8.withContiguousStorageIfAvailable { writeEscaped($0) }
        if copied == nil {
            var string = string
            string.withUTF8 { writeEscaped($0) }
        }
        output.append(UInt8(ascii: "\""))
    }

    private mutating func writeEscaped(_ bytes: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        for index in bytes.indices {
            let byte = bytes[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
            runStart = index + 1
            output.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""): output.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): output.append(UInt8(ascii: "\\"))
            case 0x08: output.append(UInt8(ascii: "b"))
            case 0x0C: output.append(UInt8(ascii: "f"))
            case 0x0A: output.append(UInt8(ascii: "n"))
            case 0x0D: output.append(UInt8(ascii: "r"))
            case 0x09: output.append(UInt8(ascii: "t"))
            default:
                let low = byte & 0x0F
                output.append(contentsOf: "u00".utf8)
                output.append(UInt8(ascii: "0") + byte >> 4)
                output.append(low < 10 ? UInt8(ascii: "0") + low : UInt8(ascii: "a") + low - 10)
            }
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
    }
}
