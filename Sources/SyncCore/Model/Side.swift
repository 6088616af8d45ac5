/// One of the two systems the sync keeps in agreement.
public enum Side: String, Sendable, Hashable, CaseIterable, Comparable, CustomStringConvertible {
    case ghl
    case espo

    /// The system on the other end.
    public var other: Side { self == .ghl ? .espo : .ghl }

    /// The product name a person reads in messages: "GoHighLevel" or "EspoCRM".
    public var displayName: String { self == .ghl ? "GoHighLevel" : "EspoCRM" }

    public var description: String { rawValue }

    public static func < (lhs: Side, rhs: Side) -> Bool { lhs == .ghl && rhs == .espo }
}

/// A value held once per side.
public struct PerSide<Value> {
    public var ghl: Value
    public var espo: Value

    public init(ghl: Value, espo: Value) {
        self.ghl = ghl
        self.espo = espo
    }

    public subscript(side: Side) -> Value {
        get { side == .ghl ? ghl : espo }
        set { if side == .ghl { ghl = newValue } else { espo = newValue } }
        // In place, so `pair[side].append(x)` does not copy the whole collection.
        _modify {
            if side == .ghl { yield &ghl } else { yield &espo }
        }
    }

    /// The same pair with the sides exchanged.
    public var swapped: PerSide { PerSide(ghl: espo, espo: ghl) }

    public func map<T>(_ transform: (Value) throws -> T) rethrows -> PerSide<T> {
        PerSide<T>(ghl: try transform(ghl), espo: try transform(espo))
    }
}

extension PerSide: Sendable where Value: Sendable {}
extension PerSide: Equatable where Value: Equatable {}
extension PerSide: Hashable where Value: Hashable {}
