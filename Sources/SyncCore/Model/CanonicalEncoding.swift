/// The compact byte form of canonical values, and their content hash.
///
/// Entries are written sorted by field name, so equal values always give equal bytes. The hash
/// (64-bit FNV-1a) covers only non-empty entries: a cleared field and an absent one hash alike, which
/// lets the planner skip pairs whose three hashes agree without deciding anything differently.
public enum CanonicalEncoding {
    /// Layout version, the first byte of every encoding.
    static let version: UInt8 = 1

    private enum Tag: UInt8 {
        case empty = 0, string = 1, number = 2, bool = 3, list = 4
    }

    /// Raised when bytes are not an encoding this version can read.
    public struct DecodingError: Error, Sendable, CustomStringConvertible {
        public var offset: Int
        public var message: String
        public var description: String { "canonical values: \(message) at byte \(offset)" }
    }

    /// The bytes of `values` and their content hash.
    public static func encode(_ values: FieldValues) -> (bytes: [UInt8], hash: UInt64) {
        var out: [UInt8] = [version]
        out.reserveCapacity(16 + values.count * 24)
        var hash = FNV1a()
        writeVarint(UInt64(values.count), to: &out)
        for name in values.keys.sorted() {
            let value = values[name]!
            let start = out.count
            writeString(name, to: &out)
            switch value {
            case .empty:
                out.append(Tag.empty.rawValue)
            case .string(let s):
                out.append(Tag.string.rawValue)
                writeString(s, to: &out)
            case .number(let n):
                out.append(Tag.number.rawValue)
                var bits = n.bitPattern.littleEndian
                withUnsafeBytes(of: &bits) { out.append(contentsOf: $0) }
            case .bool(let b):
                out.append(Tag.bool.rawValue)
                out.append(b ? 1 : 0)
            case .list(let items):
                out.append(Tag.list.rawValue)
                writeVarint(UInt64(items.count), to: &out)
                for item in items { writeString(item, to: &out) }
            }
            if !value.isEmpty { hash.add(out[start...]) }
        }
        return (out, hash.value)
    }

    /// The content hash of `values` (the same as `encode(values).hash`).
    public static func hash(_ values: FieldValues) -> UInt64 { encode(values).hash }

    /// Reads bytes written by `encode`.
    public static func decode(_ bytes: some Collection<UInt8>) throws(DecodingError) -> FieldValues {
        if let result = bytes.withContiguousStorageIfAvailable({ buffer in
            Result { () throws(DecodingError) in try decode(buffer) }
        }) {
            return try result.get()
        }
        return try Array(bytes).withUnsafeBufferPointer { buffer throws(DecodingError) in try decode(buffer) }
    }

    private static func decode(_ buffer: UnsafeBufferPointer<UInt8>) throws(DecodingError) -> FieldValues {
        var reader = Reader(buffer: buffer)
        let v = try reader.byte()
        guard v == version else { throw DecodingError(offset: 0, message: "unknown layout version \(v)") }
        let count = try reader.count()
        var values = FieldValues(minimumCapacity: count)
        for _ in 0..<count {
            let name = try reader.string()
            let tagOffset = reader.offset
            guard let tag = Tag(rawValue: try reader.byte()) else {
                throw DecodingError(offset: tagOffset, message: "unknown value tag")
            }
            switch tag {
            case .empty: values[name] = .empty
            case .string: values[name] = .string(try reader.string())
            case .number: values[name] = .number(Double(bitPattern: try reader.uint64()))
            case .bool: values[name] = .bool(try reader.byte() != 0)
            case .list:
                let n = try reader.count()
                var items: [String] = []
                items.reserveCapacity(n)
                for _ in 0..<n { items.append(try reader.string()) }
                values[name] = .list(items)
            }
        }
        guard reader.offset == buffer.count else {
            throw DecodingError(offset: reader.offset, message: "trailing bytes")
        }
        return values
    }

    private static func writeVarint(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    private static func writeString(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { utf8 in
            writeVarint(UInt64(utf8.count), to: &out)
            out.append(contentsOf: utf8)
        }
    }

    private struct Reader {
        let buffer: UnsafeBufferPointer<UInt8>
        var offset = 0

        mutating func byte() throws(DecodingError) -> UInt8 {
            guard offset < buffer.count else { throw DecodingError(offset: offset, message: "unexpected end") }
            defer { offset += 1 }
            return buffer[offset]
        }

        mutating func varint() throws(DecodingError) -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let b = try byte()
                guard shift < 64 else { throw DecodingError(offset: offset, message: "varint too long") }
                result |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return result }
                shift += 7
            }
        }

        mutating func count() throws(DecodingError) -> Int {
            let start = offset
            let n = try varint()
            guard n <= UInt64(buffer.count - offset) else {
                throw DecodingError(offset: start, message: "length \(n) exceeds the data")
            }
            return Int(n)
        }

        mutating func string() throws(DecodingError) -> String {
            let n = try count()
            let slice = UnsafeBufferPointer(rebasing: buffer[offset..<offset + n])
            offset += n
            return String(decoding: slice, as: UTF8.self)
        }

        mutating func uint64() throws(DecodingError) -> UInt64 {
            guard buffer.count - offset >= 8 else { throw DecodingError(offset: offset, message: "unexpected end") }
            var v: UInt64 = 0
            for i in 0..<8 { v |= UInt64(buffer[offset + i]) << (8 * UInt64(i)) }
            offset += 8
            return v
        }
    }
}

/// 64-bit FNV-1a: stable across processes, unlike `Hasher`.
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ bytes: some Sequence<UInt8>) {
        for b in bytes {
            value ^= UInt64(b)
            value &*= 0x100_0000_01b3
        }
    }

    mutating func add(_ string: String) {
        add(string.utf8)
        add(CollectionOfOne(0xFF))
    }
}
