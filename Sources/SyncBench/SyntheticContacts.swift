import Foundation
import SyncCore

/// Deterministic linked contacts for the benchmark: the base both sides agreed on, and each side now,
/// with 10 % changed per side and 1 % of records changed on both sides differently (a conflict).
struct SyntheticContacts {
    let count: Int
    static let cities = ["Springfield", "Portland", "Oslo", "Lima", "Austin", "Dublin", "Perth", "Kyoto"]
    static let states = ["OR", "TX", "CA", "NY", "WA", "IL"]

    /// Ids shaped like the real ones (GHL: 20 characters, EspoCRM: 17 hex digits), in no useful order.
    static func ghlId(_ i: Int) -> String { "g" + hex(i, salt: 0x9E37_79B9_7F4A_7C15, width: 19) }
    static func espoId(_ i: Int) -> String { hex(i, salt: 0xC2B2_AE3D_27D4_EB4F, width: 17) }

    private static func hex(_ i: Int, salt: UInt64, width: Int) -> String {
        let digits = String(SeededGenerator.mix(UInt64(i) &+ salt), radix: 16)
        let padded = String(repeating: "0", count: max(0, 16 - digits.count)) + digits
        return String((padded + padded.reversed()).prefix(width))
    }

    static func base(_ i: Int) -> FieldValues {
        [
            "firstName": .string("First\(i % 1000)"),
            "lastName": .string("Last\(i)"),
            "email": .string("user\(i)@example.com"),
            "phone": .string("+1415\(String(format: "%07d", i % 10_000_000))"),
            "address1": .string("\(i % 9999 + 1) Main Street"),
            "city": .string(cities[i % cities.count]),
            "state": .string(states[i % states.count]),
            "postalCode": .string(String(10000 + i % 90000)),
            "country": .string("US"),
        ]
    }

    static func ghlChanged(_ i: Int) -> Bool { i % 10 == 0 }
    static func espoChanged(_ i: Int) -> Bool { (i % 10 == 5 && i % 100 != 5) || i % 100 == 0 }
    static func conflicting(_ i: Int) -> Bool { ghlChanged(i) && espoChanged(i) }

    static let baseTime = Date(timeIntervalSince1970: 1_790_000_000)

    /// The record of `side` now.
    static func record(_ i: Int, side: Side) -> SideRecord {
        var values = base(i)
        var updated = baseTime
        if side == .ghl && ghlChanged(i) {
            values["city"] = .string("Moved \(i)")
            updated = baseTime.addingTimeInterval(3600)
        }
        if side == .espo && espoChanged(i) {
            if conflicting(i) { values["city"] = .string("Elsewhere \(i)") } else { values["firstName"] = .string("Renamed \(i)") }
            updated = baseTime.addingTimeInterval(1800)
        }
        return SideRecord(id: side == .ghl ? ghlId(i) : espoId(i), updatedAt: updated, inScope: true, values: values)
    }

    /// The `k`-th record only `side` has, beside `count` linked ones: a new contact to create on the other side.
    static func newcomer(_ k: Int, of count: Int, side: Side) -> SideRecord {
        let n = side == .ghl ? count + k : 2 * count + k
        return SideRecord(id: side == .ghl ? ghlId(n) : espoId(n), updatedAt: baseTime, inScope: true, values: base(n))
    }

    static func link(_ i: Int) -> Link {
        Link(ghlId: ghlId(i), espoId: espoId(i), base: base(i))
    }

    /// What the plan must hold: updates per target side and conflicts.
    func expected() -> (toGHL: Int, toEspo: Int, conflicts: Int) {
        var toGHL = 0, toEspo = 0, conflicts = 0
        for i in 0..<count {
            let g = SyntheticContacts.ghlChanged(i), e = SyntheticContacts.espoChanged(i)
            if g { toEspo += 1 }
            if e && !g { toGHL += 1 }
            if g && e { conflicts += 1 }
        }
        return (toGHL, toEspo, conflicts)
    }
}
