import Engine
import Foundation
import GHLClient
import SyncCore
import Transport

/// GoHighLevel as the engine sees it: one location's contacts and businesses, one adapter each.
public struct GHLConnector: Connector {
    public let client: GHLClient
    public let side = Side.ghl
    public let objects: [String: any ObjectAdapter]

    /// The objects a mapping may name on the GHL side.
    public static let objectNames = ["business", "contact"]

    public init(client: GHLClient) {
        self.client = client
        self.objects = ["contact": GHLContacts(client: client), "business": GHLBusinesses(client: client)]
        assert(Set(objects.keys) == Set(Self.objectNames))
    }

    public var apiCalls: Int { client.counts.requests }
}

extension GHLConnector {
    /// The body of a PUT: only the keys the patch touches; cleared ones as `null` where the DTO
    /// declares them `nullable`, as `""` elsewhere.
    static func touched(_ patch: RecordPatch, in written: JSONObject, nullable: Set<String>) -> JSONObject {
        var body: JSONObject = [:]
        for assignment in patch.assignments {
            let key: String
            switch assignment.path {
            case .keys(let segments): key = segments[0].name
            case .customField: key = "customFields"
            }
            let value = written[key] ?? .null
            body[key] = value.isNull && !nullable.contains(key) && key != "customFields" ? .string("") : value
        }
        return body
    }

    /// Whether `json` is the text `value`, case ignored.
    static func same(_ json: JSON?, _ value: String) -> Bool {
        guard let text = json?.stringValue else { return false }
        return text.lowercased() == value.lowercased()
    }
}
