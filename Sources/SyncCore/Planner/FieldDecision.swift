/// What to do with one canonical field of a linked pair: the decision table of the three-way merge.
///
/// Inputs are the field's value on each side (nil when that side's API did not return it) and the
/// base, the value both sides last agreed on (nil when they never agreed on this field). An absent
/// value counts as unchanged: a field the API did not return is not a clearing.
///
/// | GHL vs base | EspoCRM vs base | values      | decision                                   |
/// |-------------|-----------------|-------------|--------------------------------------------|
/// | same        | same            | —           | unchanged                                  |
/// | changed     | same            | —           | write GHL's value to EspoCRM               |
/// | same        | changed         | —           | write EspoCRM's value to GHL               |
/// | changed     | changed         | equal       | agree: only the base moves                 |
/// | changed     | changed         | different   | conflict, settled by the field's policy    |
///
/// One-way fields only look at their source side. Set fields (tags) merge element by element:
/// what either side added is added, what either side removed is removed, so they never conflict.
public enum FieldDecision: Sendable, Hashable {
    case unchanged
    /// Both sides hold this value now, the base does not yet.
    case agree(FieldValue)
    /// Write the value to the listed sides; the base becomes the value.
    case write(FieldValue, to: [Side], settledConflict: Bool)
    /// Changed differently on both sides and left for a person.
    case queued

    /// How a conflict on this field is settled.
    public struct Settlement: Sendable, Hashable {
        public var policy: ConflictPolicy
        /// The side whose record changed last, nil when unknown or equal.
        public var newer: Side?
        /// A person's decision on this very conflict.
        public var resolution: Side?

        public init(policy: ConflictPolicy, newer: Side?, resolution: Side? = nil) {
            self.policy = policy
            self.newer = newer
            self.resolution = resolution
        }

        /// The side whose value wins between `values`, nil when a person must decide.
        func winner(_ values: PerSide<FieldValue>) -> Side? {
            if let resolution { return resolution }
            switch policy {
            case .ghlWins: return .ghl
            case .espoWins: return .espo
            case .manual: return nil
            case .newestWins:
                if let newer { return newer }
                // Same or unknown change times: the larger value wins, the same whichever side is which.
                return values.espo < values.ghl ? .ghl : .espo
            }
        }
    }

    /// Decides one field.
    public static func decide(
        _ field: FieldMapping, ghl: FieldValue?, espo: FieldValue?, base: FieldValue?, settlement: Settlement
    ) -> FieldDecision {
        let values = PerSide(ghl: ghl, espo: espo)
        if let source = field.direction.source {
            return decideOneWay(from: source, values: values, base: base)
        }
        if field.type == .set {
            return mergeSets(values: values, base: base)
        }
        let agreed = base ?? .empty
        // An absent value is taken as unchanged.
        let now = values.map { $0 ?? agreed }
        let changed = now.map { $0 != agreed }
        switch (changed.ghl, changed.espo) {
        case (false, false):
            return .unchanged
        case (true, false):
            return now.ghl == now.espo ? .agree(now.ghl) : .write(now.ghl, to: [.espo], settledConflict: false)
        case (false, true):
            return now.ghl == now.espo ? .agree(now.espo) : .write(now.espo, to: [.ghl], settledConflict: false)
        case (true, true):
            if now.ghl == now.espo { return .agree(now.ghl) }
            guard let winner = settlement.winner(now) else { return .queued }
            return .write(now[winner], to: [winner.other], settledConflict: true)
        }
    }

    /// One-way: only the source side's changes travel, and they overwrite the target.
    private static func decideOneWay(from source: Side, values: PerSide<FieldValue?>, base: FieldValue?) -> FieldDecision {
        guard let value = values[source], value != (base ?? .empty) else { return .unchanged }
        if values[source.other] == value { return .agree(value) }
        return .write(value, to: [source.other], settledConflict: false)
    }

    /// Sets: base, plus what either side added, minus what either side removed.
    private static func mergeSets(values: PerSide<FieldValue?>, base: FieldValue?) -> FieldDecision {
        let agreed = Set(base?.listValue ?? [])
        let now = values.map { $0.map { Set($0.listValue ?? []) } ?? agreed }
        let added = now.ghl.union(now.espo).subtracting(agreed)
        let removed = agreed.subtracting(now.ghl).union(agreed.subtracting(now.espo))
        let merged = agreed.subtracting(removed).union(added)
        let targets = Side.allCases.filter { now[$0] != merged }
        let value = FieldValue.set(merged)
        if targets.isEmpty {
            return merged == agreed ? .unchanged : .agree(value)
        }
        return .write(value, to: targets, settledConflict: false)
    }
}
