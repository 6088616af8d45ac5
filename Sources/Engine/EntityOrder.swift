import SyncCore

/// The order entities run in: a referenced entity before every entity that references it (businesses
/// before contacts, contacts before their tasks), ties by name.
public enum EntityOrder {
    public static func sorted(_ mappings: [Mapping]) throws(EngineError) -> [Mapping] {
        let byEntity = Dictionary(mappings.map { ($0.entity, $0) }, uniquingKeysWith: { first, _ in first })
        for mapping in mappings {
            for field in mapping.fields {
                guard let target = field.references else { continue }
                if byEntity[target] == nil {
                    throw .references(
                        file: mapping.file,
                        message: "$.fields.\(field.name).entity: no mapping has entity \"\(target)\"; add its mapping file or remove the field")
                }
            }
        }
        var ordered: [Mapping] = []
        var done: Set<String> = []
        var visiting: [String] = []
        func visit(_ mapping: Mapping) throws(EngineError) {
            if done.contains(mapping.entity) { return }
            if let start = visiting.firstIndex(of: mapping.entity) {
                let circle = (visiting[start...] + [mapping.entity]).joined(separator: " → ")
                throw .references(file: mapping.file, message: "references go in a circle (\(circle)); make one of them a plain field")
            }
            visiting.append(mapping.entity)
            for target in mapping.referencedEntities.sorted() { try visit(byEntity[target]!) }
            visiting.removeLast()
            done.insert(mapping.entity)
            ordered.append(mapping)
        }
        for mapping in mappings.sorted(by: { $0.entity < $1.entity }) { try visit(mapping) }
        return ordered
    }
}
