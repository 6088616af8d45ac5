import Foundation
import StateStore
import SyncCore

extension Engine {
    /// The links of every entity `mapping` references, by the id of `side`'s record.
    func referenceLinks(of mapping: Mapping, side: Side) throws(EngineError) -> [String: [String: LinkKey]] {
        var links: [String: [String: LinkKey]] = [:]
        for entity in mapping.referencedEntities {
            links[entity] = try state { try store.linkKeys(entity: entity, by: side) }
        }
        return links
    }

    /// `referenceLinks` for both sides, empty when the mapping has no reference.
    func referenceLinks(of mapping: Mapping) throws(EngineError) -> PerSide<[String: [String: LinkKey]]> {
        guard !mapping.referencedEntities.isEmpty else { return PerSide(ghl: [:], espo: [:]) }
        return PerSide(ghl: try referenceLinks(of: mapping, side: .ghl), espo: try referenceLinks(of: mapping, side: .espo))
    }

    /// Resolves, in `values`, references to records that were not linked when they were stored.
    static func resolve(_ values: inout FieldValues, of mapping: Mapping, links: PerSide<[String: [String: LinkKey]]>) {
        for field in mapping.fields {
            guard let entity = field.references, case .unlinked(let side, let id)? = Reference(values[field.name]),
                  let key = links[side][entity]?[id] else { continue }
            values[field.name] = Reference.linked(key).value
        }
    }

    /// Every operation writing a reference the target side cannot point at yet: resolved through the
    /// links as they are now (its parent was created earlier in this run), or skipped with `parent not
    /// linked`. A dry run keeps an operation whose parent its own plan links or creates.
    func resolveReferences(
        in plan: Plan, of mapping: Mapping, mode: RunSummary.Mode, planned: [String: Plan]
    ) throws(EngineError) -> Plan {
        let fields = mapping.fields.filter { $0.references != nil }
        guard !fields.isEmpty else { return plan }
        var plan = plan
        var kept: [Plan.Operation] = []
        // The links as they are now, read once per referenced entity and side, not once per operation.
        var known: [String: PerSide<[String: LinkKey]>] = [:]
        func links(_ entity: String) throws(EngineError) -> PerSide<[String: LinkKey]> {
            if let links = known[entity] { return links }
            let links = PerSide(
                ghl: try state { try store.linkKeys(entity: entity, by: .ghl) },
                espo: try state { try store.linkKeys(entity: entity, by: .espo) })
            known[entity] = links
            return links
        }
        for var operation in plan.operations {
            guard [.create, .update].contains(operation.action), let target = operation.target else {
                kept.append(operation)
                continue
            }
            var missing: FieldMapping?
            // A child is never created without its parent.
            if operation.action == .create, let parent = mapping.parent, operation.values[parent]?.isEmpty ?? true {
                missing = mapping.field(named: parent)
            }
            for field in fields where missing == nil {
                // A pair linked when the record was read may have gone since (its delete in this run or an earlier one).
                if operation.action == .create, case .linked(let key)? = Reference(operation.values[field.name]) {
                    if try links(field.references!).ghl[key.ghlId] != key { missing = field }
                    continue
                }
                guard case .unlinked(let side, let id)? = Reference(operation.values[field.name]), side != target else { continue }
                let entity = field.references!
                if let key = try links(entity)[side][id] {
                    operation.resolve(field.name, to: Reference.linked(key).value)
                } else if mode == .plan, planned[entity]?.links(side, id: id) == true {
                    continue
                } else {
                    missing = field
                    break
                }
            }
            if let missing {
                let source = target.other
                plan.skipped.append(Skip(
                    side: source, id: operation.id(on: source) ?? "?",
                    reason: .parentNotLinked(field: missing.name, entity: missing.references!)))
            } else {
                kept.append(operation)
            }
        }
        plan.operations = kept
        return plan
    }
}

extension Plan {
    /// Whether applying the plan links record `id` of `side`: matched to a record of the other side,
    /// or created there.
    func links(_ side: Side, id: String) -> Bool {
        operations.contains { operation in
            guard operation.id(on: side) == id else { return false }
            return operation.action == .link || (operation.action == .create && operation.target == side.other)
        }
    }
}

extension Plan.Operation {
    /// Sets canonical `field` to `value` in what the operation writes and in its new base.
    mutating func resolve(_ field: String, to value: FieldValue) {
        if base[field] != nil { base[field] = value }
        fields = fields.map { change in
            guard change.field == field else { return change }
            var change = change
            change.to = value
            return change
        }
    }
}
