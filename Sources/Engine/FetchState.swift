import Foundation
import SyncCore

/// What the state file remembers between runs about fetching one entity on one side: the high-water
/// mark of the last fetch, when the last full listing was, and which mapping the snapshot was read with.
struct FetchState: Sendable, Equatable {
    /// The newest `updatedAt` seen; the next incremental fetch starts an overlap before it.
    var highWater: Date?
    /// When the last full listing finished.
    var fullAt: Date?
    /// The mapping's fingerprint when the snapshot was read: another mapping needs a full fetch.
    var mapping: String?
    /// For children read per parent: when the last run read some (the rotating sweep continues from there).
    var sweptAt: Date?

    init(highWater: Date? = nil, fullAt: Date? = nil, mapping: String? = nil, sweptAt: Date? = nil) {
        self.highWater = highWater
        self.fullAt = fullAt
        self.mapping = mapping
        self.sweptAt = sweptAt
    }

    /// Reads the stored form; anything unreadable counts as never fetched.
    init(stored: String?) {
        guard let stored, let json = try? JSON(parsing: stored) else {
            self.init()
            return
        }
        self.init(
            highWater: json["highWater"]?.stringValue.flatMap { FetchState.date($0) },
            fullAt: json["fullAt"]?.stringValue.flatMap { FetchState.date($0) },
            mapping: json["mapping"]?.stringValue,
            sweptAt: json["sweptAt"]?.stringValue.flatMap { FetchState.date($0) })
    }

    var stored: String {
        var object: JSONObject = [:]
        if let highWater { object["highWater"] = .string(Timestamp.iso8601(Int64(highWater.timeIntervalSince1970))) }
        if let fullAt { object["fullAt"] = .string(Timestamp.iso8601(Int64(fullAt.timeIntervalSince1970))) }
        if let mapping { object["mapping"] = .string(mapping) }
        if let sweptAt { object["sweptAt"] = .string(Timestamp.iso8601(Int64(sweptAt.timeIntervalSince1970))) }
        return JSON.object(object).serialized(sortedKeys: true)
    }

    private static func date(_ text: String) -> Date? {
        Timestamp.parse(text).map { Date(timeIntervalSince1970: Double($0)) }
    }

    /// Whether the next fetch must list everything, and why.
    func fullReason(now: Date, mapping fingerprint: String, fullScanEvery: Double?) -> String? {
        guard let fullAt, highWater != nil else { return "no earlier full listing" }
        if mapping != fingerprint { return "the mapping changed" }
        if let days = fullScanEvery, days > 0, now.timeIntervalSince(fullAt) >= days * 86_400 {
            return "the last full listing is more than \(FieldValue.format(days)) days old"
        }
        return nil
    }
}

extension Mapping {
    /// A fingerprint of what the mapping reads: a snapshot read with another mapping must be fetched again.
    var fingerprint: String {
        var text = "\(entity)|\(sides.ghl.object)|\(sides.espo.object)"
        for field in fields {
            text += "|\(field.name):\(field.sources.ghl.paths):\(field.sources.ghl.transforms)"
            text += ":\(field.sources.espo.paths):\(field.sources.espo.transforms)"
        }
        text += "|\(sides.ghl.filter as Any)|\(sides.espo.filter as Any)|\(identity)"
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
