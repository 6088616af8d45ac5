/// The canonical value of a reference field: the link of the referenced pair, never either side's raw
/// id (they never agree across the systems), or, while the referenced record is not linked, which
/// record of which side it is.
///
/// Stored as a string: `ghlId↔espoId` for a linked pair, `?ghl:ID` / `?espo:ID` for a record not linked
/// yet. Rendering a patch takes the target side's id of the pair; an unlinked record of the other side
/// has none until its link exists (its parent was created earlier in the run, or never: `parent not linked`).
public enum Reference: Sendable, Hashable {
    case linked(LinkKey)
    case unlinked(Side, String)

    /// The canonical value.
    public var value: FieldValue {
        switch self {
        case .linked(let key): .string("\(key.ghlId)\(Reference.separator)\(key.espoId)")
        case .unlinked(let side, let id): .string("?\(side.rawValue):\(id)")
        }
    }

    /// Reads a canonical value; nil for an empty one or one that is not a reference.
    public init?(_ value: FieldValue?) {
        guard case .string(let text)? = value, !text.isEmpty else { return nil }
        if text.hasPrefix("?") {
            let rest = text.dropFirst()
            guard let colon = rest.firstIndex(of: ":"), let side = Side(rawValue: String(rest[..<colon])) else { return nil }
            self = .unlinked(side, String(rest[rest.index(after: colon)...]))
            return
        }
        let parts = text.components(separatedBy: Reference.separator)
        guard parts.count == 2 else { return nil }
        self = .linked(LinkKey(ghlId: parts[0], espoId: parts[1]))
    }

    /// The referenced record's id on `side`, when known.
    public func id(on side: Side) -> String? {
        switch self {
        case .linked(let key): side == .ghl ? key.ghlId : key.espoId
        case .unlinked(let known, let id): known == side ? id : nil
        }
    }

    static let separator = "↔"
}
