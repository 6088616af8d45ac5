extension Mapping {
    /// Problems a well-formed mapping can still have: names that do not exist, fields that fight over a
    /// key, and bidirectional fields that do not round trip.
    public func validate() -> [DocumentIssue] {
        var issues: [DocumentIssue] = []
        func fail(_ path: String, _ message: String, _ fix: String) {
            issues.append(DocumentIssue(file: file, path: path, message: message, fix: fix))
        }
        let names = fields.map(\.name)
        let known = names.map { "\"\($0)\"" }.joined(separator: ", ")
        if identity.isEmpty {
            fail("$.identity", "no identity key: unlinked records could never be matched, only created",
                 "list at least one field, e.g. [{\"field\": \"email\", \"match\": \"email\"}]")
        }
        for field in fields where field.references == entity {
            fail(DocumentReader.child("$.fields", field.name) + ".entity", "a \(entity) cannot reference its own entity",
                 "point the reference at another entity, e.g. \"business\"")
        }
        for (i, key) in identity.enumerated() {
            for field in key.fields where !names.contains(field) {
                fail("$.identity[\(i)]", "\"\(field)\" is not a mapped field", "use one of \(known)")
            }
        }
        for side in Side.allCases {
            guard let requires = sides[side].createRequires else { continue }
            for (list, kind) in [(requires.allOf, "allOf"), (requires.anyOf, "anyOf")] {
                for (i, name) in list.enumerated() where !names.contains(name) {
                    fail("$.\(side.rawValue).createRequires.\(kind)[\(i)]", "\"\(name)\" is not a mapped field", "use one of \(known)")
                }
            }
        }
        for side in Side.allCases {
            for (i, name) in sides[side].updateSends.enumerated() where !names.contains(name) {
                fail("$.\(side.rawValue).updateSends[\(i)]", "\"\(name)\" is not a mapped field", "use one of \(known)")
            }
        }
        for field in fields {
            let path = DocumentReader.child("$.fields", field.name)
            for side in Side.allCases {
                let source = field.sources[side]
                let joins = source.transforms.contains(where: \.joinsPaths)
                if source.paths.count > 1 && (source.transforms.first != .fullName || source.paths.count != 2) {
                    fail("\(path).\(side.rawValue)", "several paths need \"fullName\" as the first transform, with exactly two paths",
                         "write {\"paths\": [\"firstName\", \"lastName\"], \"transforms\": [\"fullName\"]}")
                } else if joins && source.paths.count == 1 {
                    fail("\(path).\(side.rawValue)", "\"fullName\" joins two paths, but one is given",
                         "write {\"paths\": [\"firstName\", \"lastName\"], \"transforms\": [\"fullName\"]}")
                }
            }
        }
        for field in fields {
            for side in Side.allCases where field.direction.writes(to: side) {
                for case .map(let table) in field.sources[side].transforms {
                    for (canonical, raws) in table.ambiguous.sorted(by: { $0.key < $1.key }) {
                        fail(table.declaredAt + ".values",
                             "the map is not invertible: \(raws.map { "\"\($0)\"" }.joined(separator: " and ")) \(raws.count == 2 ? "both" : "all") read as \"\(canonical)\", so writing \"\(canonical)\" to \(side.displayName) is ambiguous",
                             "add \"inverse\": {\"\(canonical)\": \"\(raws[0])\"} to choose what is written, or make the field one-way so \(side.displayName) is never written")
                    }
                }
            }
        }
        for side in Side.allCases {
            var owner: [SourcePath: String] = [:]
            for field in fields where field.direction.writes(to: side) {
                for path in field.sources[side].paths {
                    if let other = owner[path] {
                        fail("\(DocumentReader.child("$.fields", field.name)).\(side.rawValue)",
                             "\"\(other)\" and \"\(field.name)\" both write \(side.displayName) \(path)",
                             "map each \(side.displayName) key from one field only, or make one of them one-way")
                    } else {
                        owner[path] = field.name
                    }
                }
            }
        }
        if issues.isEmpty {
            for field in fields where field.direction == .both && field.type != .reference {
                if let problem = roundTripProblem(of: field) {
                    fail(DocumentReader.child("$.fields", field.name), problem,
                         "make the transforms invertible on both sides (put a normaliser such as \"lower\" in the field's shared \"transforms\", give a map an \"inverse\"), or set \"direction\" to \"to-espo\" or \"to-ghl\"")
                }
            }
        }
        return issues
    }

    /// Why `field` does not round trip, or nil when `read(write(v)) == v` on both sides for every sample.
    ///
    /// The samples are raw values each side may hold (generic ones for the field's type, ones the
    /// transforms suggest, and the field's own `samples`), read into canonical values by each side.
    public func roundTripProblem(of field: FieldMapping) -> String? {
        var canonical: [FieldValue] = []
        for side in Side.allCases {
            for raw in rawSamples(of: field, side: side) {
                let value = read(raw, of: field, side: side)
                if !canonical.contains(value) { canonical.append(value) }
            }
        }
        for value in canonical {
            for side in Side.allCases {
                let written = write(value, of: field, side: side)
                let back = read(written, of: field, side: side)
                if back != value {
                    return "does not round trip on the \(side.displayName) side: \(value.displayText) is written as \(written.displayText) and reads back as \(back.displayText), so the field would change on every run"
                }
            }
        }
        return nil
    }

    private func rawSamples(of field: FieldMapping, side: Side) -> [FieldValue] {
        let source = field.sources[side]
        var samples: [FieldValue] = [.empty]
        if source.paths.count > 1 {
            samples += [["Ada", "Lovelace"], ["Mary Ann", "Smith"], ["", "Cher"], [" Ada ", " King "]].map { FieldValue.list($0) }
        } else {
            switch field.type {
            case .string:
                samples += ["Ada Lovelace", "  Mixed   Case  ", "a+tag@example.com", "Ünïcödé Straße", "x", "42"].map(FieldValue.string)
            case .number:
                samples += [0, 42, -3.5, 1_000_000].map(FieldValue.number) + [.string("17")]
            case .bool:
                samples += [.bool(true), .bool(false)]
            case .date:
                samples += ["1990-09-25", "2000-02-29", "1990-09-25T00:00:00.000Z"].map(FieldValue.string)
            case .dateTime:
                samples += ["2026-01-31T23:59:58Z", "2026-01-31 23:59:58", "2026-02-01T10:00:00+02:00", "2026-03-29T01:30:00.123Z"]
                    .map(FieldValue.string)
            case .set:
                samples += [.list(["crm", "vip"]), .list(["a", "b"]), .list(["solo"])]
            case .reference:
                break
            }
        }
        for transform in source.transforms {
            switch transform {
            case .map(let table):
                samples += table.values.keys.map(FieldValue.string) + table.inverse.values.map(FieldValue.string)
            case .defaultValue(let value):
                samples.append(value)
            case .e164:
                samples += ["+14155550100", "(415) 555-0100", "+44 20 7946 0958"].map(FieldValue.string)
            case .split(let separator, _):
                samples += ["a\(separator) b", "x"].map(FieldValue.string)
            case .bool:
                samples += ["yes", "no", "true"].map(FieldValue.string)
            case .number:
                samples += ["12.50", "7"].map(FieldValue.string)
            default:
                break
            }
        }
        samples += field.samples.map(FieldValue.init(raw:))
        return samples
    }
}
