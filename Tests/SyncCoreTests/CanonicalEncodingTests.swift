import Testing
@testable import SyncCore

@Suite struct CanonicalEncodingTests {
    let sample: FieldValues = [
        "email": .string("a+tag@example.com"), "name": .string("Ünïcödé Straße"), "score": .number(-3.25),
        "vip": .bool(true), "tags": .list(["crm", "vip"]), "city": .empty, "big": .number(9_007_199_254_740_992),
    ]

    @Test func valuesSurviveByteExact() throws {
        let (bytes, _) = CanonicalEncoding.encode(sample)
        #expect(try CanonicalEncoding.decode(bytes) == sample)
        #expect(try CanonicalEncoding.decode(CanonicalEncoding.encode([:]).bytes) == [:])
    }

    @Test func encodingIsIndependentOfInsertionOrder() {
        var reversed = FieldValues()
        for key in sample.keys.sorted().reversed() { reversed[key] = sample[key] }
        #expect(CanonicalEncoding.encode(reversed).bytes == CanonicalEncoding.encode(sample).bytes)
    }

    @Test func theHashIsStableAcrossProcesses() {
        // Fixed expectations: a change here invalidates every stored hash, so it needs a layout version bump.
        #expect(CanonicalEncoding.hash([:]) == 0xcbf2_9ce4_8422_2325)
        // Layout version 1, one entry; FNV-1a of the entry bytes 01 'a' 01 01 'b': name length, name, string tag, value length, value.
        #expect(CanonicalEncoding.hash(["a": .string("b")]) == 0x6eb7_26c1_bfe4_1261)
        #expect(CanonicalEncoding.encode(["a": .string("b")]).bytes == [1, 1, 1, 0x61, 1, 1, 0x62])
        #expect(CanonicalEncoding.hash(["a": .string("b")]) != CanonicalEncoding.hash(["a": .string("c")]))
        #expect(CanonicalEncoding.hash(["a": .string("b")]) != CanonicalEncoding.hash(["b": .string("b")]))
    }

    @Test func emptyAndAbsentHashAlike() {
        #expect(CanonicalEncoding.hash(["a": .string("x"), "b": .empty]) == CanonicalEncoding.hash(["a": .string("x")]))
        #expect(CanonicalEncoding.encode(["a": .string("x"), "b": .empty]).bytes != CanonicalEncoding.encode(["a": .string("x")]).bytes)
    }

    @Test func garbageIsRejectedNotMisread() {
        let (bytes, _) = CanonicalEncoding.encode(sample)
        #expect(throws: CanonicalEncoding.DecodingError.self) { try CanonicalEncoding.decode(bytes.dropLast()) }
        #expect(throws: CanonicalEncoding.DecodingError.self) { try CanonicalEncoding.decode([2, 0]) }
        #expect(throws: CanonicalEncoding.DecodingError.self) { try CanonicalEncoding.decode([1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]) }
        #expect(throws: CanonicalEncoding.DecodingError.self) { try CanonicalEncoding.decode(bytes + [0]) }
    }
}
