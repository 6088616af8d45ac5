/// Where a value lives in a record's JSON.
public enum SourcePath: Sendable, Hashable, CustomStringConvertible {
    /// Keys from the top, e.g. `address.city`; a segment may select the primary element of an array,
    /// as in `emailAddressData[primary].emailAddress`.
    case keys([PathSegment])
    /// A GHL custom field, an entry of the record's `customFields` array.
    case customField(CustomFieldRef)

    /// A plain or dotted key path.
    public static func key(_ dotted: String) -> SourcePath {
        .keys(dotted.split(separator: ".", omittingEmptySubsequences: false).map { PathSegment(parsing: String($0)) })
    }

    public var description: String {
        switch self {
        case .keys(let segments): segments.map(\.description).joined(separator: ".")
        case .customField(.id(let id)): "customField id \(id)"
        case .customField(.key(let key)): "customField key \(key)"
        }
    }

    /// The top-level key this path reads, for choosing which attributes to fetch.
    public var topLevelKey: String {
        switch self {
        case .keys(let segments): segments.first?.name ?? ""
        case .customField: "customFields"
        }
    }

    /// Whether writing through this path needs the record's current JSON (a selected array element).
    public var needsCurrentRecord: Bool {
        if case .keys(let segments) = self { return segments.contains { $0.selectsPrimary } }
        return false
    }
}

/// One step of a key path.
public struct PathSegment: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    /// `name[primary]`: the element of the array `name` whose `primary` is true.
    public var selectsPrimary: Bool

    public init(name: String, selectsPrimary: Bool = false) {
        self.name = name
        self.selectsPrimary = selectsPrimary
    }

    init(parsing text: String) {
        if text.hasSuffix("[primary]") {
            self.init(name: String(text.dropLast("[primary]".count)), selectsPrimary: true)
        } else {
            self.init(name: text)
        }
    }

    public var description: String { selectsPrimary ? "\(name)[primary]" : name }
}

/// A GHL custom field, by its id or by its key (`contact.pincode`), which is resolved to the id per location.
public enum CustomFieldRef: Sendable, Hashable {
    case id(String)
    case key(String)
}
