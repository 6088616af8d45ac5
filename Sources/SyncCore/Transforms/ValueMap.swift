import OrderedCollections

/// A table of raw values and the canonical values they stand for, with its inverse.
public struct ValueMap: Sendable, Hashable {
    /// Raw → canonical, as written in the mapping file.
    public var values: OrderedDictionary<String, String>
    /// Canonical → raw: given explicitly, or the table turned around.
    public var inverse: OrderedDictionary<String, String>
    /// What happens to a value the table does not name.
    public var otherwise: Otherwise
    /// Canonical values that several raw values read as, when no inverse says which one to write back.
    /// Such a table cannot write; validation rejects it on a side values are written to.
    public var ambiguous: [String: [String]]
    /// Where the mapping file declares the table, for messages.
    public var declaredAt: String

    public enum Otherwise: String, Sendable, Hashable {
        /// Pass it through unchanged.
        case keep
        /// Treat it as empty.
        case empty
    }

    /// A table; without an explicit `inverse`, the table turned around (first raw value wins).
    public init(
        values: OrderedDictionary<String, String>, inverse: OrderedDictionary<String, String>? = nil,
        otherwise: Otherwise = .keep, declaredAt: String = "$"
    ) {
        self.values = values
        self.otherwise = otherwise
        self.declaredAt = declaredAt
        if let inverse {
            self.inverse = inverse
            self.ambiguous = [:]
        } else {
            var turned = OrderedDictionary<String, String>()
            var sources: [String: [String]] = [:]
            for (raw, canonical) in values {
                if turned[canonical] == nil { turned[canonical] = raw }
                sources[canonical, default: []].append(raw)
            }
            self.inverse = turned
            self.ambiguous = sources.filter { $0.value.count > 1 }
        }
    }

    func read(_ raw: String) -> String {
        if let v = values[raw] { return v }
        return otherwise == .keep ? raw : ""
    }

    func write(_ canonical: String) -> String {
        if let v = inverse[canonical] { return v }
        return otherwise == .keep ? canonical : ""
    }
}
