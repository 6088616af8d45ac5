import Emulation
import SyncCore
import Testing

/// `PUT /__emulator/faults` bodies: what is accepted, and what is refused with a message instead of a crash.
@Suite struct FaultsDocumentTests {
    @Test func ratesSharesAndCountsAreRead() throws {
        let faults = try Faults(json: ["throttleRate": 0.25, "latencyMs": 12.5, "throttleBurst": 3, "seed": 7])
        #expect(faults.throttleRate == 0.25)
        #expect(faults.latency == .microseconds(12_500))
        #expect(faults.throttleBurst == 3 && faults.seed == 7)
        #expect(faults.endpoints == nil)
        let narrowed = try Faults(json: ["endpoints": ["POST /Contact", "PATCH /Contact/{id}"]], base: faults)
        #expect(narrowed.endpoints == ["POST /Contact", "PATCH /Contact/{id}"] && narrowed.throttleRate == 0.25)
        #expect(try Faults(json: narrowed.json) == narrowed)
        #expect(try Faults(json: ["endpoints": .null], base: narrowed).endpoints == nil)
    }

    static let refused: [(document: JSON, message: String)] = [
        (["dropRate": 1.5], "between 0 and 1"), (["serverErrorRate": -0.1], "between 0 and 1"),
        (["seed": -1], "a whole number"), (["seed": 1.5], "a whole number"), (["throttleBurst": -2], "a whole number"),
        (["latencyMs": -5], "milliseconds"), (["seed": 1e30], "below 2^64"), (["dropRate": "x"], "must be a number"),
        (["nonsense": 1], "unknown fault"), (["endpoints": "POST /Contact"], "an array of endpoints"),
    ]

    @Test func aValueOutOfItsRangeIsRefusedByName() {
        for (document, message) in Self.refused {
            do {
                _ = try Faults(json: document)
                Issue.record("\(document) was accepted")
            } catch { #expect(error.message.contains(message), "\(document): \(error.message)") }
        }
    }
}
