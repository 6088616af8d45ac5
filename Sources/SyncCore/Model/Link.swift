/// The pairing of a GHL record with an EspoCRM record, and the values both last agreed on.
public struct Link: Sendable, Hashable {
    public var ghlId: String
    public var espoId: String
    /// The base: canonical values both sides held after the last successful sync of this pair.
    public var base: FieldValues
    /// Set when the pair is not synced any more (a record left its filter, or was deleted and the delete
    /// policy kept the other). The link stays as a marker, so neither record is created again on the other
    /// side as a duplicate; syncing resumes when both records are back in scope.
    public var paused: Bool

    public init(ghlId: String, espoId: String, base: FieldValues, paused: Bool = false) {
        self.ghlId = ghlId
        self.espoId = espoId
        self.base = base
        self.paused = paused
    }

    public var key: LinkKey { LinkKey(ghlId: ghlId, espoId: espoId) }

    public func id(on side: Side) -> String { side == .ghl ? ghlId : espoId }
}

/// Identifies a link by the ids it joins.
public struct LinkKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var ghlId: String
    public var espoId: String

    public init(ghlId: String, espoId: String) {
        self.ghlId = ghlId
        self.espoId = espoId
    }

    public static func < (lhs: LinkKey, rhs: LinkKey) -> Bool {
        (lhs.ghlId, lhs.espoId) < (rhs.ghlId, rhs.espoId)
    }

    public var description: String { "ghl:\(ghlId) ↔ espo:\(espoId)" }
}
