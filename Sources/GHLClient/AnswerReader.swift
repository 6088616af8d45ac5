import SyncCore
import Transport

/// Reads the wrapper of one endpoint's answer; every failure names the endpoint and the field.
struct AnswerReader {
    let endpoint: String
    let json: JSON

    func failure(_ field: String, _ problem: String) -> APIError {
        APIError(.invalidResponse, service: "GHL", endpoint: endpoint, message: "field `\(field)`: \(problem)")
    }

    /// The object member `key` of the answer.
    func object(_ key: String) throws(APIError) -> JSONObject {
        guard let value = json[key] else { throw failure(key, "missing") }
        guard let object = value.objectValue else { throw failure(key, "expected an object, found \(value.kindName)") }
        return object
    }

    /// The array member `key` of the answer, each element an object.
    func objects(_ key: String) throws(APIError) -> [JSONObject] {
        guard let value = json[key] else { throw failure(key, "missing") }
        guard let items = value.arrayValue else { throw failure(key, "expected an array, found \(value.kindName)") }
        var objects: [JSONObject] = []
        objects.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            guard let object = item.objectValue else { throw failure("\(key)[\(index)]", "expected an object, found \(item.kindName)") }
            objects.append(object)
        }
        return objects
    }

    /// A Boolean member; `succeded` (sic) and `succeeded` are read alike.
    func flag(_ keys: String...) throws(APIError) -> Bool {
        for key in keys {
            if let value = json[key] {
                guard let flag = value.boolValue else { throw failure(key, "expected a boolean, found \(value.kindName)") }
                return flag
            }
        }
        throw failure(keys.joined(separator: "|"), "missing")
    }

    /// The array of strings `key`.
    func strings(_ key: String) throws(APIError) -> [String] {
        guard let items = json[key]?.arrayValue else { throw failure(key, "expected an array of strings") }
        var out: [String] = []
        for (index, item) in items.enumerated() {
            guard let text = item.stringValue else { throw failure("\(key)[\(index)]", "expected a string, found \(item.kindName)") }
            out.append(text)
        }
        return out
    }

    /// Builds a model from `object`, read at `field`.
    func model<Model: GHLModel>(_ type: Model.Type, _ object: JSONObject, at field: String) throws(APIError) -> Model {
        do { return try Model(raw: object) } catch { throw failure("\(field).\(error.field)", error.problem) }
    }

    func models<Model: GHLModel>(_ type: Model.Type, _ key: String) throws(APIError) -> [Model] {
        var out: [Model] = []
        for (index, object) in try objects(key).enumerated() { out.append(try model(type, object, at: "\(key)[\(index)]")) }
        return out
    }
}
