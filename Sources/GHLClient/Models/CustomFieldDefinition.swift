import SyncCore

/// A custom field of the location (`locations:CustomFieldSchema`): ids differ per location, the
/// mapping files name fields by `fieldKey`.
public struct CustomFieldDefinition: GHLModel {
    public let raw: JSONObject
    public let id: String

    public init(raw: JSONObject) throws(ModelError) {
        self.raw = raw
        self.id = try raw.requiredId()
    }

    /// `contact.pincode`
    public var fieldKey: String? { raw.text("fieldKey") }
    public var name: String? { raw.text("name") }
    /// `TEXT`, `NUMERICAL`, `CHECKBOX`, …
    public var dataType: String? { raw.text("dataType") }
    public var model: String? { raw.text("model") }
}
