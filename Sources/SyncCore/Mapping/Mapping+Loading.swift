import Foundation

extension Mapping {
    /// Loads and validates the mapping in `file`.
    public static func load(file: String) throws(MappingError) -> Mapping {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw MappingError(file: file, message: "cannot read the file", fix: "check that the path exists and is readable")
        }
        return try parse(Array(data), file: file)
    }

    /// Parses and validates a mapping document; `file` names it in errors.
    public static func parse(_ bytes: [UInt8], file: String) throws(MappingError) -> Mapping {
        let json: JSON
        do {
            json = try JSON(parsing: bytes)
        } catch {
            throw MappingError(file: file, path: "line \(error.line), column \(error.column)",
                               message: "not valid JSON: \(error.message)", fix: "correct the JSON syntax at that position")
        }
        var reader = DocumentReader(file: file)
        let mapping = MappingDocument.read(json, reader: &reader)
        if let mapping, reader.issues.isEmpty {
            for issue in mapping.validate() { reader.fail(issue.path, issue.message, fix: issue.fix) }
        }
        guard let mapping, reader.issues.isEmpty else { throw MappingError(issues: reader.issues) }
        return mapping
    }

    /// Loads every `*.json` mapping in `directory`, sorted by file name; one mapping per entity.
    public static func loadAll(directory: String) throws(MappingError) -> [Mapping] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }.sorted()
        } catch {
            throw MappingError(file: directory, message: "cannot read the mappings folder",
                               fix: "check the \"mappings\" path in the config; it must be a folder of *.json mapping files")
        }
        guard !names.isEmpty else {
            throw MappingError(file: directory, message: "the folder holds no *.json mapping",
                               fix: "copy mappings/contacts.json from the project into it")
        }
        var issues: [DocumentIssue] = []
        var mappings: [Mapping] = []
        for name in names {
            let path = (directory as NSString).appendingPathComponent(name)
            do {
                let mapping = try load(file: path)
                if let earlier = mappings.first(where: { $0.entity == mapping.entity }) {
                    issues.append(DocumentIssue(file: path, path: "$.entity",
                                               message: "entity \"\(mapping.entity)\" is already mapped by \(earlier.file)",
                                               fix: "keep one mapping file per entity"))
                } else {
                    mappings.append(mapping)
                }
            } catch {
                issues += error.issues
            }
        }
        guard issues.isEmpty else { throw MappingError(issues: issues) }
        return mappings
    }
}

/// Reads the JSON document of a mapping file into a `Mapping`.
enum MappingDocument {
    static let topKeys = ["entity", "ghl", "espo", "identity", "conflict", "conflictFallback", "deletes", "parent", "fields"]
    static let sideKeys = ["object", "id", "updatedAt", "filter", "createRequires", "createWith", "updateSends"]
    static let fieldKeys = ["type", "entity", "direction", "conflict", "ghl", "espo", "transforms", "samples", "defaultOnCreate", "createOnly"]
    static let sourceKeys = ["path", "paths", "customField", "transforms"]

    static func read(_ json: JSON, reader: inout DocumentReader) -> Mapping? {
        guard let top = reader.object(json, at: "$", allowed: topKeys, what: "a mapping") else { return nil }
        let entity = reader.string(reader.required(top, "entity", at: "$", what: "\"contact\""), at: "$.entity", what: "the entity name")
        let ghl = top["ghl"].flatMap { side($0, .ghl, at: "$.ghl", reader: &reader) }
        let espo = top["espo"].flatMap { side($0, .espo, at: "$.espo", reader: &reader) }
        for (key, value) in [("ghl", ghl), ("espo", espo)] where value == nil && top[key] == nil {
            reader.fail("$", "missing \"\(key)\"", fix: "add \"\(key)\": {\"object\": …} describing that side")
        }
        let conflict = top["conflict"].map { reader.choice($0, at: "$.conflict", as: ConflictPolicy.self) } ?? .newestWins
        let deletes = top["deletes"].map { reader.choice($0, at: "$.deletes", as: DeletePolicy.self) } ?? .propagate
        let fallback = top["conflictFallback"].map { reader.choice($0, at: "$.conflictFallback", as: ConflictPolicy.self) } ?? .manual
        if fallback == .newestWins {
            reader.fail("$.conflictFallback", "the fallback settles conflicts where \"newest\" cannot be known, so it cannot be \"newest-wins\"",
                        fix: "use \"manual\", \"ghl-wins\" or \"espo-wins\"")
        }
        let parent = top["parent"].flatMap { reader.string($0, at: "$.parent", what: "the name of a reference field") }
        var fields: [FieldMapping] = []
        if let json = reader.required(top, "fields", at: "$", what: "{\"email\": {\"ghl\": \"email\", \"espo\": \"emailAddress\"}}"),
           let object = reader.object(json, at: "$.fields", allowed: Array(json.objectValue?.keys ?? []), what: "the fields") {
            if object.isEmpty {
                reader.fail("$.fields", "no fields are mapped", fix: "map at least one field")
            }
            for (name, spec) in object {
                if let field = field(name, spec, at: DocumentReader.child("$.fields", name), reader: &reader) {
                    fields.append(field)
                }
            }
        }
        let names = Set(fields.map(\.name))
        let identity = top["identity"].map { identityKeys($0, reader: &reader) }
            ?? [IdentityKey(field: "email", match: .email), IdentityKey(field: "phone", match: .phone(defaultRegion: "US"))]
                .filter { names.contains($0.field) }
        if let parent, !fields.contains(where: { $0.name == parent && $0.type == .reference }) {
            reader.fail("$.parent", "\"\(parent)\" is not a field of type \"reference\"",
                        fix: "name the reference field that points at the parent record, e.g. \"contact\"")
        }
        guard let entity, let ghl, let espo, let conflict, let deletes, let fallback else { return nil }
        return Mapping(entity: entity, file: reader.file, sides: PerSide(ghl: ghl, espo: espo), fields: fields,
                       identity: identity, conflict: conflict, deletes: deletes, conflictFallback: fallback, parent: parent)
    }

    private static func side(_ json: JSON, _ side: Side, at path: String, reader: inout DocumentReader) -> SideSpec? {
        guard let o = reader.object(json, at: path, allowed: sideKeys, what: "the \(side.displayName) side") else { return nil }
        let object = reader.string(
            reader.required(o, "object", at: path, what: side == .ghl ? "\"contact\"" : "\"Contact\""),
            at: path + ".object", what: "the object name")
        let idPath = o["id"].flatMap { sourcePath($0, at: path + ".id", side: side, reader: &reader) } ?? .key("id")
        let updatedDefault = side == .ghl ? "dateUpdated" : "modifiedAt"
        // `"updatedAt": null`: the object keeps no change time (GHL tasks and notes).
        let updatedAt: SourcePath? = switch o["updatedAt"] {
        case nil: .key(updatedDefault)
        case .null?: nil
        case let json?: sourcePath(json, at: path + ".updatedAt", side: side, reader: &reader)
        }
        let filter = o["filter"].flatMap { self.filter($0, at: path + ".filter", side: side, reader: &reader) }
        var requires: CreateRequirement?
        if let json = o["createRequires"],
           let r = reader.object(json, at: path + ".createRequires", allowed: ["allOf", "anyOf"], what: "the creation requirements") {
            requires = CreateRequirement(
                allOf: reader.strings(r["allOf"], at: path + ".createRequires.allOf", what: "field names") ?? [],
                anyOf: reader.strings(r["anyOf"], at: path + ".createRequires.anyOf", what: "field names") ?? [])
        }
        guard let object else { return nil }
        var spec = SideSpec(object: object, idPath: idPath, updatedAtPath: updatedAt, filter: filter, createRequires: requires)
        spec.updateSends = o["updateSends"].flatMap { reader.strings($0, at: path + ".updateSends", what: "field names") } ?? []
        if let json = o["createWith"] {
            if case .object(let constants) = json { spec.createWith = constants } else {
                reader.fail(path + ".createWith", "expected an object of attributes and values, found \(json.kindName)",
                            fix: "write {\"parentType\": \"Contact\"}")
            }
        }
        return spec
    }

    private static func field(_ name: String, _ json: JSON, at path: String, reader: inout DocumentReader) -> FieldMapping? {
        if name == "*" || name.isEmpty || name.contains(where: { $0.isWhitespace }) {
            reader.fail(path, "\"\(name)\" is not a usable field name", fix: "use a name without spaces, such as \"firstName\"")
        }
        guard let o = reader.object(json, at: path, allowed: fieldKeys, what: "a field") else { return nil }
        let type = o["type"].map { reader.choice($0, at: path + ".type", as: FieldType.self) } ?? .string
        let direction = o["direction"].map { reader.choice($0, at: path + ".direction", as: Direction.self) } ?? .both
        let conflict = o["conflict"].map { reader.choice($0, at: path + ".conflict", as: ConflictPolicy.self) }
        let shared = o["transforms"].map { readTransforms($0, at: path + ".transforms", reader: &reader) } ?? []
        let samples = o["samples"].flatMap { reader.array($0, at: path + ".samples", what: "sample values") } ?? []
        var sources = PerSide<FieldSource?>(ghl: nil, espo: nil)
        for side in Side.allCases {
            let sidePath = path + "." + side.rawValue
            guard let json = reader.required(o, side.rawValue, at: path,
                                             what: side == .ghl ? "the GoHighLevel key, e.g. \"email\"" : "the EspoCRM attribute, e.g. \"emailAddress\"")
            else { continue }
            sources[side] = source(json, at: sidePath, side: side, reader: &reader)
            sources[side]?.transforms += shared
        }
        var references: String?
        if type == .reference {
            references = reader.string(
                reader.required(o, "entity", at: path, what: "the entity it points at, e.g. \"business\""),
                at: path + ".entity", what: "an entity name")
            if references == nil { return nil }
            if sources.ghl?.transforms.isEmpty == false || sources.espo?.transforms.isEmpty == false {
                reader.fail(path + ".transforms", "a reference holds record ids, which no transform may change",
                            fix: "remove the transforms of this field")
            }
        } else if o["entity"] != nil {
            reader.fail(path + ".entity", "\"entity\" is only for fields of type \"reference\"",
                        fix: "add \"type\": \"reference\", or remove \"entity\"")
        }
        var createDefault: CreateDefault?
        if let json = o["defaultOnCreate"] {
            if type != .dateTime {
                reader.fail(path + ".defaultOnCreate", "\"defaultOnCreate\" is only for fields of type \"dateTime\"",
                            fix: "add \"type\": \"dateTime\", or remove \"defaultOnCreate\"")
            } else if let d = reader.object(json, at: path + ".defaultOnCreate", allowed: ["daysAhead"], what: "a default for creates"),
                      case .number(let days)? = d["daysAhead"], days >= 0 {
                createDefault = CreateDefault(daysAhead: days)
            } else {
                reader.fail(path + ".defaultOnCreate", "expected {\"daysAhead\": N} with N ≥ 0",
                            fix: "write {\"daysAhead\": 7}")
            }
        }
        var createOnly: Set<Side> = []
        if let json = o["createOnly"] {
            for (i, item) in (reader.array(json, at: path + ".createOnly", what: "sides") ?? []).enumerated() {
                if let side = reader.choice(item, at: "\(path).createOnly[\(i)]", as: Side.self) { createOnly.insert(side) }
            }
        }
        guard let type, let direction, let ghl = sources.ghl, let espo = sources.espo else { return nil }
        if case nil? = conflict { return nil }
        var mapped = FieldMapping(name: name, type: type, direction: direction, conflict: conflict ?? nil,
                                  ghl: ghl, espo: espo, samples: samples, references: references, defaultOnCreate: createDefault)
        mapped.createOnly = createOnly
        return mapped
    }

    private static func source(_ json: JSON, at path: String, side: Side, reader: inout DocumentReader) -> FieldSource? {
        if case .string = json {
            return sourcePath(json, at: path, side: side, reader: &reader).map { FieldSource($0) }
        }
        guard let o = reader.object(json, at: path, allowed: sourceKeys, what: "where the field lives") else { return nil }
        let given = ["path", "paths", "customField"].filter { o[$0] != nil }
        guard given.count == 1 else {
            reader.fail(path, given.isEmpty ? "no location given" : "both \(given.map { "\"\($0)\"" }.joined(separator: " and ")) given",
                        fix: "give exactly one of \"path\", \"paths\" or \"customField\"")
            return nil
        }
        var paths: [SourcePath] = []
        switch given[0] {
        case "paths":
            guard let items = reader.array(o["paths"], at: path + ".paths", what: "key paths") else { return nil }
            for (i, item) in items.enumerated() {
                if let p = sourcePath(item, at: "\(path).paths[\(i)]", side: side, reader: &reader) { paths.append(p) }
            }
        case "customField":
            guard let p = sourcePath(.object(["customField": o["customField"]!]), at: path, side: side, reader: &reader) else { return nil }
            paths = [p]
        default:
            guard let p = sourcePath(o["path"]!, at: path + ".path", side: side, reader: &reader) else { return nil }
            paths = [p]
        }
        let transforms = o["transforms"].map { readTransforms($0, at: path + ".transforms", reader: &reader) } ?? []
        return FieldSource(paths: paths, transforms: transforms)
    }

    /// A key path (`"address.city"`, `"emailAddressData[primary].emailAddress"`) or `{"customField": {"id"|"key": …}}`.
    static func sourcePath(_ json: JSON, at path: String, side: Side, reader: inout DocumentReader) -> SourcePath? {
        if case .string(let dotted) = json {
            let segments = dotted.split(separator: ".", omittingEmptySubsequences: false)
            let bad = segments.first { segment in
                let name = segment.hasSuffix("[primary]") ? segment.dropLast("[primary]".count) : segment
                return name.isEmpty || name.contains("[") || name.contains("]")
            }
            if dotted.isEmpty || bad != nil {
                reader.fail(path, "\"\(dotted)\" is not a key path",
                            fix: "write keys separated by dots, e.g. \"address.city\"; select the primary element of an array with \"emailAddressData[primary].emailAddress\"")
                return nil
            }
            return .key(dotted)
        }
        guard case .object(let o) = json, let ref = o["customField"] else {
            reader.fail(path, "expected a key path (a string), found \(json.kindName)", fix: "write the key in double quotes, e.g. \"email\"")
            return nil
        }
        guard side == .ghl else {
            reader.fail(path, "\"customField\" is for GoHighLevel only",
                        fix: "EspoCRM custom fields are plain attributes: write the attribute name, e.g. \"cGhlScore\"")
            return nil
        }
        guard let c = reader.object(ref, at: path + ".customField", allowed: ["id", "key"], what: "a custom field reference") else { return nil }
        switch (c["id"], c["key"]) {
        case (let id?, nil): return reader.string(id, at: path + ".customField.id", what: "a custom field id").map { .customField(.id($0)) }
        case (nil, let key?): return reader.string(key, at: path + ".customField.key", what: "a custom field key").map { .customField(.key($0)) }
        default:
            reader.fail(path + ".customField", "give exactly one of \"id\" or \"key\"",
                        fix: #"write {"customField": {"key": "contact.pincode"}} or {"customField": {"id": "<field id>"}}"#)
            return nil
        }
    }

    private static func readTransforms(_ json: JSON, at path: String, reader: inout DocumentReader) -> [Transform] {
        guard let items = reader.array(json, at: path, what: "a list of transforms") else { return [] }
        return items.enumerated().compactMap { i, item in Transform.parse(item, at: "\(path)[\(i)]", reader: &reader) }
    }

    static let filterOperators = ["equals", "in", "contains", "exists", "isEmpty"]

    private static func filter(_ json: JSON, at path: String, side: Side, reader: inout DocumentReader) -> Filter? {
        guard case .object(let o) = json else {
            reader.fail(path, "expected a filter (an object), found \(json.kindName)",
                        fix: #"write e.g. {"path": "tags", "contains": "crm"}"#)
            return nil
        }
        for group in ["all", "any"] where o[group] != nil {
            guard o.count == 1 else {
                reader.fail(path, "\"\(group)\" must stand alone in its object", fix: "move the other keys into the \"\(group)\" list")
                return nil
            }
            guard let items = reader.array(o[group], at: path + "." + group, what: "a list of filters") else { return nil }
            let parts = items.enumerated().compactMap { i, item in filter(item, at: "\(path).\(group)[\(i)]", side: side, reader: &reader) }
            guard parts.count == items.count else { return nil }
            return group == "all" ? .all(parts) : .any(parts)
        }
        if let inner = o["not"] {
            guard o.count == 1 else {
                reader.fail(path, "\"not\" must stand alone in its object", fix: "wrap the other conditions in {\"all\": […]}")
                return nil
            }
            return filter(inner, at: path + ".not", side: side, reader: &reader).map(Filter.not)
        }
        guard let o = reader.object(json, at: path, allowed: ["path", "customField"] + filterOperators, what: "a filter") else {
            return nil
        }
        let location: SourcePath?
        switch (o["path"], o["customField"]) {
        case (let p?, nil): location = sourcePath(p, at: path + ".path", side: side, reader: &reader)
        case (nil, let c?): location = sourcePath(.object(["customField": c]), at: path, side: side, reader: &reader)
        default:
            reader.fail(path, "a condition needs exactly one of \"path\" or \"customField\"", fix: #"write e.g. {"path": "tags", "contains": "crm"}"#)
            return nil
        }
        let operators = filterOperators.filter { o[$0] != nil }
        guard operators.count == 1, let op = operators.first, let operand = o[op] else {
            reader.fail(path, operators.isEmpty ? "no test given" : "several tests given",
                        fix: "give exactly one of \(filterOperators.map { "\"\($0)\"" }.joined(separator: ", ")); combine tests with \"all\"")
            return nil
        }
        guard let location else { return nil }
        let test: FilterTest
        switch op {
        case "equals": test = .equals(operand)
        case "contains": test = .contains(operand)
        case "in":
            guard let options = reader.array(operand, at: path + ".in", what: "the allowed values") else { return nil }
            test = .oneOf(options)
        case "exists", "isEmpty":
            guard case .bool(let flag) = operand else {
                reader.fail(path + "." + op, "expected true or false, found \(operand.kindName)", fix: "write \"\(op)\": true")
                return nil
            }
            test = op == "exists" ? .exists(flag) : .isEmpty(flag)
        default: return nil
        }
        return .test(location, test)
    }

    private static func identityKeys(_ json: JSON, reader: inout DocumentReader) -> [IdentityKey] {
        guard let items = reader.array(json, at: "$.identity", what: "the identity keys") else { return [] }
        var keys: [IdentityKey] = []
        for (i, item) in items.enumerated() {
            let path = "$.identity[\(i)]"
            if case .object(let o) = item, let all = o["allOf"] {
                if o.count > 1 {
                    reader.fail(path, "\"allOf\" stands alone in its key", fix: "move the other keys into the \"allOf\" list")
                }
                guard let parts = reader.array(all, at: path + ".allOf", what: "the fields that must all match") else { continue }
                if parts.count < 2 {
                    reader.fail(path + ".allOf", "\"allOf\" needs at least two fields", fix: "list two or more, or write the one key without \"allOf\"")
                }
                let read = parts.enumerated().compactMap { j, part in identityPart(part, at: "\(path).allOf[\(j)]", reader: &reader) }
                if read.count == parts.count && !read.isEmpty { keys.append(IdentityKey(parts: read)) }
                continue
            }
            if let part = identityPart(item, at: path, reader: &reader) { keys.append(IdentityKey(parts: [part])) }
        }
        return keys
    }

    private static func identityPart(_ item: JSON, at path: String, reader: inout DocumentReader) -> IdentityPart? {
        if case .string(let field) = item { return IdentityPart(field: field, match: .text) }
        guard let o = reader.object(item, at: path, allowed: ["field", "match", "defaultRegion"], what: "an identity key"),
              let field = reader.string(reader.required(o, "field", at: path, what: "\"email\""), at: path + ".field", what: "a field name")
        else { return nil }
        switch o["match"]?.stringValue ?? "text" {
        case "text": return IdentityPart(field: field, match: .text)
        case "email": return IdentityPart(field: field, match: .email)
        case "exact": return IdentityPart(field: field, match: .exact)
        case "minute": return IdentityPart(field: field, match: .minute)
        case "phone":
            let region = o["defaultRegion"].flatMap { reader.string($0, at: path + ".defaultRegion", what: "a region code") } ?? "US"
            if PhoneNumber.callingCode(ofRegion: region) == nil {
                reader.fail(path + ".defaultRegion", "unknown region \"\(region)\"", fix: "use an ISO 3166-1 alpha-2 code such as \"US\"")
            }
            return IdentityPart(field: field, match: .phone(defaultRegion: region.uppercased()))
        default:
            reader.fail(path + ".match", "\"\(o["match"].map { $0.stringValue ?? $0.kindName } ?? "")\" is not a match kind",
                        fix: "use \"text\", \"email\", \"phone\", \"exact\" or \"minute\"")
            return nil
        }
    }
}
