extension Mapping {
    /// The GHL custom field keys (`contact.pincode`) the mapping names, to resolve against the location.
    public var customFieldKeys: [String] {
        var keys: [String] = []
        func collect(_ path: SourcePath) {
            if case .customField(.key(let key)) = path, !keys.contains(key) { keys.append(key) }
        }
        for field in fields { field.sources.ghl.paths.forEach(collect) }
        sides.ghl.filter?.paths.forEach(collect)
        return keys
    }

    /// The mapping with every GHL custom field key replaced by its id in this location.
    ///
    /// `ids` maps keys to ids, as the location's custom field definitions list them; a key the location
    /// does not have is an error naming the field, since ids differ per location.
    public func resolvingCustomFields(_ ids: [String: String]) throws(MappingError) -> Mapping {
        var issues: [DocumentIssue] = []
        func resolve(_ path: SourcePath, at location: String) -> SourcePath {
            guard case .customField(.key(let key)) = path else { return path }
            if let id = ids[key] { return .customField(.id(id)) }
            let known = ids.keys.sorted().prefix(20).map { "\"\($0)\"" }.joined(separator: ", ")
            issues.append(DocumentIssue(
                file: file, path: location, message: "the GoHighLevel location has no custom field with key \"\(key)\"",
                fix: known.isEmpty ? "create the custom field in GoHighLevel, or remove it from the mapping"
                    : "use one of the location's keys: \(known)"))
            return path
        }
        var resolved = self
        for (i, field) in fields.enumerated() {
            let location = DocumentReader.child("$.fields", field.name) + ".ghl"
            resolved.fields[i].sources.ghl.paths = field.sources.ghl.paths.map { resolve($0, at: location) }
        }
        resolved.sides.ghl.filter = sides.ghl.filter?.mapPaths { resolve($0, at: "$.ghl.filter") }
        guard issues.isEmpty else { throw MappingError(issues: issues) }
        return resolved
    }
}

extension Filter {
    /// Every path the filter reads.
    public var paths: [SourcePath] {
        switch self {
        case .all(let filters), .any(let filters): filters.flatMap(\.paths)
        case .not(let filter): filter.paths
        case .test(let path, _): [path]
        }
    }

    /// The filter with every path passed through `transform`.
    func mapPaths(_ transform: (SourcePath) -> SourcePath) -> Filter {
        switch self {
        case .all(let filters): .all(filters.map { $0.mapPaths(transform) })
        case .any(let filters): .any(filters.map { $0.mapPaths(transform) })
        case .not(let filter): .not(filter.mapPaths(transform))
        case .test(let path, let test): .test(transform(path), test)
        }
    }
}
