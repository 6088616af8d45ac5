import Foundation
import StateStore
import SyncCore
import Transport

extension Engine {
    /// Before planning an entity, what earlier runs left unfinished:
    /// - a create sent without learning the outcome may have made the record: look it up by identity on
    ///   its target side and put what is found in the snapshot, so the planner links it rather than
    ///   creating it again;
    /// - a delete sent without its commit (a crash, a lost answer) is sent again (a record already gone
    ///   counts as deleted) and committed, so its link and snapshot rows go and nothing brings it back.
    /// Then, `closing` (a sync), this entity's earlier entries are closed: the plan is made afresh from
    /// the current state. A plan leaves them for `status`.
    func reconcile(_ mapping: Mapping, run: Int64, closing: Bool) async throws(EngineError) {
        let unfinished = try state { try store.unfinished(entity: mapping.entity) }
        for entry in unfinished where entry.run < run && [.unknown, .inFlight].contains(entry.status) {
            switch entry.operation.action {
            case .create: try await lookUpCreate(entry, mapping, run: run)
            case .delete where closing: try await finishDelete(entry, mapping)
            default: continue
            }
        }
        if closing { _ = try state { try store.supersedeUnfinished(entity: mapping.entity, before: run) } }
    }

    private func lookUpCreate(_ entry: JournalEntry, _ mapping: Mapping, run: Int64) async throws(EngineError) {
        guard let target = entry.operation.target else { return }
        let adapter = try connectors[target].adapter(for: mapping)
        let values = entry.operation.values
        // This run's listing held every record: the create, if it happened, is in the snapshot already.
        if adapter.listsEverything { return }
        // Listed per parent: read the parent's records again, whether or not this run reads them.
        if adapter.listsPerParent {
            guard let parent = mapping.parent, let parentId = Reference(values[parent])?.id(on: target) else { return }
            let links = try referenceLinks(of: mapping, side: target)
            var rows: [(record: SideRecord, identity: [String])] = []
            do {
                try await adapter.fetch(mapping, parents: [parentId]) { page in
                    for object in page.records {
                        guard var record = mapping.record(
                            from: object, side: target, absentMeansEmpty: page.absentMeansEmpty,
                            links: { entity, id in links[entity]?[id] })
                        else { continue }
                        record.refusal = adapter.refusal(of: object)
                        rows.append((record, mapping.identityValues(of: record.values)))
                    }
                }
            } catch let error as APIError {
                throw .api(error)
            } catch {
                throw .api(APIError(.invalidResponse, service: target.displayName, endpoint: "listing", message: "\(error)"))
            }
            try state { try store.saveSnapshot(entity: mapping.entity, side: target, records: rows, run: run) }
            return
        }
        let wanted = mapping.identityValues(of: values)
        for (level, key) in mapping.identity.enumerated() {
            // A key of several fields is looked up by its first plain one, then checked whole.
            guard !wanted[level].isEmpty,
                  let part = key.parts.first(where: { part in mapping.field(named: part.field)?.references == nil }),
                  let value = values[part.field], !value.isEmpty,
                  let field = mapping.field(named: part.field),
                  case .keys(let segments)? = field.sources[target].paths.first, segments.count == 1,
                  !segments[0].selectsPrimary,
                  let written = mapping.write(value, of: field, side: target).stringValue
            else { continue }
            let found: [JSONObject]
            do { found = try await adapter.find(mapping, attribute: segments[0].name, value: written) } catch { throw .api(error) }
            let links = try referenceLinks(of: mapping, side: target)
            let rows = found.compactMap { object in
                mapping.record(from: object, side: target, links: { entity, id in links[entity]?[id] })
                    .map { (record: $0, identity: mapping.identityValues(of: $0.values)) }
            }.filter { key.parts.count == 1 || $0.identity[level] == wanted[level] }
            try state { try store.saveSnapshot(entity: mapping.entity, side: target, records: rows, run: run) }
            if !rows.isEmpty {
                progress(.note("\(target.displayName) \(mapping.entity): a create whose answer was lost did happen (\(rows.map(\.record.id).joined(separator: ", "))); linking it"))
                return
            }
        }
    }

    private func finishDelete(_ entry: JournalEntry, _ mapping: Mapping) async throws(EngineError) {
        guard let target = entry.operation.target, let id = entry.operation.id(on: target),
              let link = entry.operation.link,
              try state({ try store.link(entity: mapping.entity, side: target, id: id) })?.key == link
        else { return }
        let adapter = try connectors[target].adapter(for: mapping)
        do {
            try await adapter.delete(mapping, id: id)
        } catch {
            // Left for the plan: the next full listing shows what became of the record.
            progress(.note("\(target.displayName) \(mapping.entity): an earlier run's delete of \(id) could not be finished: \(error.description)"))
            return
        }
        try state { try store.complete(entry.id, createdId: nil) }
        progress(.note("\(target.displayName) \(mapping.entity): finished an earlier run's delete of \(id)"))
    }
}
