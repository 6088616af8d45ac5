import SyncCore

/// The journal's text form of an operation: JSON a person can read with `sqlite3`, exact on the way back.
///
/// `{"action":"update","target":"espo","ghlId":"…","espoId":"…","fields":[{"field":"email","from":"a@x",
/// "to":"b@x","settledConflict":true}],"base":{…},"replacesBase":true,"replacing":{"ghlId":"…","espoId":"…"},
/// "reason":"…"}`;
/// members that are nil, empty or false are left out.
extension Plan.Operation {
    /// The operation as journal JSON.
    var journalJSON: JSON {
        var members: [(String, JSON)] = [("action", .string(action.rawValue))]
        if let target { members.append(("target", .string(target.rawValue))) }
        if let ghlId { members.append(("ghlId", .string(ghlId))) }
        if let espoId { members.append(("espoId", .string(espoId))) }
        if !fields.isEmpty {
            members.append(("fields", .array(fields.map { change in
                var field: [(String, JSON)] = [("field", .string(change.field))]
                if let from = change.from { field.append(("from", from.storedJSON)) }
                field.append(("to", change.to.storedJSON))
                if change.settledConflict { field.append(("settledConflict", .bool(true))) }
                if change.writtenBack { field.append(("writtenBack", .bool(true))) }
                return JSON.object(JSONObject(uniqueKeysWithValues: field))
            })))
        }
        if !base.isEmpty { members.append(("base", base.storedJSON)) }
        if replacesBase { members.append(("replacesBase", .bool(true))) }
        if let replacing {
            members.append(("replacing", ["ghlId": .string(replacing.ghlId), "espoId": .string(replacing.espoId)]))
        }
        if let reason { members.append(("reason", .string(reason))) }
        if cascade { members.append(("cascade", .bool(true))) }
        if !carried.isEmpty { members.append(("carried", carried.storedJSON)) }
        return .object(JSONObject(uniqueKeysWithValues: members))
    }

    /// Reads journal JSON written by `journalJSON`.
    init(journalJSON json: JSON) throws(StoredValueError) {
        guard let action = json["action"]?.stringValue.flatMap(Action.init(rawValue:)) else {
            throw StoredValueError("journal operation without a known action")
        }
        func string(_ key: String, in object: JSON) throws(StoredValueError) -> String? {
            guard let value = object[key] else { return nil }
            guard let string = value.stringValue else { throw StoredValueError("journal operation: \(key) is not a string") }
            return string
        }
        var fields: [FieldChange] = []
        for item in json["fields"]?.arrayValue ?? [] {
            guard let name = try string("field", in: item), let to = item["to"] else {
                throw StoredValueError("journal operation: a field change without field or to")
            }
            fields.append(FieldChange(
                field: name, from: try item["from"].map { (v) throws(StoredValueError) in try FieldValue(storedJSON: v) },
                to: try FieldValue(storedJSON: to), settledConflict: item["settledConflict"]?.boolValue ?? false,
                writtenBack: item["writtenBack"]?.boolValue ?? false))
        }
        var replacing: LinkKey?
        if let link = json["replacing"] {
            guard let ghlId = try string("ghlId", in: link), let espoId = try string("espoId", in: link) else {
                throw StoredValueError("journal operation: replacing without both ids")
            }
            replacing = LinkKey(ghlId: ghlId, espoId: espoId)
        }
        self.init(
            action: action,
            target: try Stored.side(try string("target", in: json), column: "journal operation target"),
            ghlId: try string("ghlId", in: json), espoId: try string("espoId", in: json),
            fields: fields, base: try json["base"].map { (v) throws(StoredValueError) in try FieldValues(storedJSON: v) } ?? [:],
            replacesBase: json["replacesBase"]?.boolValue ?? false, replacing: replacing, reason: try string("reason", in: json),
            cascade: json["cascade"]?.boolValue ?? false)
        if let carried = json["carried"] { self.carried = try FieldValues(storedJSON: carried) }
    }
}

extension FieldValue {
    /// Exact JSON (`FieldValue.json`): `.empty` is null, a set is an array of strings.
    var storedJSON: JSON { json }

    /// Reads `storedJSON`.
    init(storedJSON json: JSON) throws(StoredValueError) {
        switch json {
        case .null: self = .empty
        case .string(let s): self = .string(s)
        case .number(let n): self = .number(n)
        case .bool(let b): self = .bool(b)
        case .array(let items):
            var strings: [String] = []
            for item in items {
                guard let s = item.stringValue else { throw StoredValueError("a stored set holds a non-string") }
                strings.append(s)
            }
            self = .list(strings)
        case .object: throw StoredValueError("a stored value is an object")
        }
    }
}

extension Dictionary where Key == String, Value == FieldValue {
    /// Values as a JSON object with sorted keys.
    var storedJSON: JSON {
        .object(JSONObject(uniqueKeysWithValues: keys.sorted().map { ($0, self[$0]!.storedJSON) }))
    }

    init(storedJSON json: JSON) throws(StoredValueError) {
        guard let members = json.objectValue else { throw StoredValueError("stored values are not an object") }
        var values = FieldValues(minimumCapacity: members.count)
        for (name, value) in members { values[name] = try FieldValue(storedJSON: value) }
        self = values
    }
}
