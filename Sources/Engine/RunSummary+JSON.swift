import SyncCore

extension RunSummary {
    /// The `--json` document: one object with per-entity counts, API calls and every write.
    ///
    /// Counts are keyed by the side written to (`create.ghl` = records created in GHL); `conflicts`
    /// counts records with at least one conflicting field; `fields` are keyed by canonical field name.
    public var json: JSON {
        var entities: JSONObject = [:]
        var operations: [JSON] = []
        for entity in self.entities {
            let plan = entity.plan
            var counts: JSONObject = [:]
            for action in [Plan.Operation.Action.create, .update, .delete] {
                counts[action.rawValue] = .object([
                    "ghl": .number(Double(plan.count(action, on: .ghl))),
                    "espo": .number(Double(plan.count(action, on: .espo))),
                ])
            }
            counts["conflicts"] = .number(Double(plan.conflictingRecords))
            counts["failed"] = .number(Double(entity.failures.count))
            counts["unchanged"] = .number(Double(plan.unchanged))
            counts["skipped"] = .number(Double(plan.skipped.count))
            if !plan.skipped.isEmpty {
                counts["skips"] = .array(plan.skipped.map { skip in
                    .object(["side": .string(skip.side.rawValue), "id": .string(skip.id), "reason": .string(skip.message)])
                })
            }
            if !entity.unreadable.isEmpty {
                counts["unreadable"] = .array(entity.unreadable.map { row in
                    .object([
                        "id": row.id.map(JSON.string) ?? .null, "field": .string(row.field),
                        "endpoint": .string(row.endpoint), "message": .string(row.message),
                    ])
                })
            }
            if let guardTripped = plan.massDeleteGuard {
                counts["massDeleteGuard"] = .string(guardTripped.message)
            }
            entities[plan.entity] = .object(counts)
            let failed = Dictionary(
                entity.failures.map { ($0.operation, $0.message) }, uniquingKeysWith: { first, _ in first })
            for operation in plan.writes {
                var object: JSONObject = [
                    "entity": .string(plan.entity), "action": .string(operation.action.rawValue),
                    "target": operation.target.map { .string($0.rawValue) } ?? .null,
                    "ghlId": operation.ghlId.map(JSON.string) ?? .null,
                    "espoId": operation.espoId.map(JSON.string) ?? .null,
                ]
                var fields: JSONObject = [:]
                for change in operation.fields {
                    fields[change.field] = .object(["from": change.from?.json ?? .null, "to": change.to.json])
                }
                object["fields"] = .object(fields)
                if let reason = operation.reason { object["reason"] = .string(reason) }
                if operation.cascade { object["cascade"] = .bool(true) }
                if mode == .sync { object["status"] = .string(failed[operation] == nil ? "applied" : "failed") }
                if let message = failed[operation] { object["error"] = .string(message) }
                operations.append(.object(object))
            }
        }
        var document: JSONObject = [
            "mode": .string(mode.rawValue), "entities": .object(entities),
            "apiCalls": .object(["ghl": .number(Double(apiCalls.ghl)), "espo": .number(Double(apiCalls.espo))]),
            "operations": .array(operations),
        ]
        if interrupted { document["interrupted"] = true }
        if let stoppedBy { document["stoppedBy"] = .string(stoppedBy) }
        return .object(document)
    }

    /// The document without its operations: what the state file keeps of each run for `status`.
    public var countsJSON: JSON {
        guard case .object(var object) = json else { return json }
        object["operations"] = nil
        return .object(object)
    }
}
