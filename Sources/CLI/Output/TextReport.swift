import Engine
import SyncCore

/// The readable plan: operations grouped by action with per-field `from → to`, then a summary table.
public struct TextReport: Sendable {
    /// Whether to colour the text with ANSI escapes (only on a terminal).
    public var colour: Bool

    public init(colour: Bool) {
        self.colour = colour
    }

    /// The whole report for `summary`.
    public func render(_ summary: RunSummary) -> String {
        var out: [String] = []
        for entity in summary.entities {
            out += section(entity, mode: summary.mode)
        }
        out.append("")
        out += table(summary)
        return out.joined(separator: "\n") + "\n"
    }

    private func section(_ entity: RunSummary.Entity, mode: RunSummary.Mode) -> [String] {
        let plan = entity.plan
        var lines = [paint(bold, "\(title(plan.entity)) — \(mode == .plan ? "plan" : "sync")")]
        if let guardTripped = plan.massDeleteGuard {
            lines.append(paint(red, "  ! \(guardTripped.message)"))
        }
        let failed = Dictionary(entity.failures.map { ($0.operation, $0.message) }, uniquingKeysWith: { a, _ in a })
        for action in [Plan.Operation.Action.create, .update, .delete] {
            for side in Side.allCases {
                let operations = plan.operations.filter { $0.action == action && $0.target == side }
                guard !operations.isEmpty else { continue }
                let verb = action == .create ? "Create in" : action == .update ? "Update in" : "Delete in"
                lines.append(paint(action == .delete ? red : action == .create ? green : yellow,
                                   "  \(verb) \(side.displayName) (\(operations.count))"))
                for operation in operations {
                    lines.append("    " + symbol(action) + " " + ids(operation) + (operation.reason.map { paint(dim, "  (\($0))") } ?? ""))
                    for change in operation.fields {
                        let from = change.from.map { paint(red, $0.displayText) + " → " } ?? ""
                        let note = change.settledConflict ? paint(dim, "  (conflict settled by policy)") : ""
                        lines.append("        \(change.field): \(from)\(paint(green, change.to.displayText))\(note)")
                    }
                    if let message = failed[operation] { lines.append(paint(red, "        failed: \(message)")) }
                }
            }
        }
        let links = plan.operations.filter { $0.action == .link }
        if !links.isEmpty {
            lines.append("  Link existing records (\(links.count))")
            for operation in links { lines.append("    = " + ids(operation) + (operation.reason.map { paint(dim, "  (\($0))") } ?? "")) }
        }
        let queued = plan.conflicts.filter { $0.resolution == .queued }
        if !queued.isEmpty {
            lines.append(paint(yellow, "  Conflicts queued for a person (\(queued.count)); see `conflicts list`"))
            for conflict in queued {
                lines.append("    ? ghl \(conflict.link.ghlId) ⇄ espo \(conflict.link.espoId)  \(conflict.field): GoHighLevel \(conflict.ghl?.displayText ?? "(deleted)"), EspoCRM \(conflict.espo?.displayText ?? "(deleted)")")
            }
        }
        if !entity.unreadable.isEmpty {
            lines.append(paint(red, "  Unreadable listed rows (\(entity.unreadable.count)): that listing counts as incomplete, no delete was inferred from it"))
            for row in entity.unreadable { lines.append("    ! \(row)") }
        }
        if !plan.skipped.isEmpty {
            lines.append(paint(yellow, "  Skipped (\(plan.skipped.count))"))
            for skip in plan.skipped { lines.append("    · \(skip.side.rawValue) \(skip.id): \(skip.message)") }
        }
        if !plan.ambiguities.isEmpty {
            lines.append(paint(yellow, "  Ambiguous matches, not linked (\(plan.ambiguities.count))"))
            for ambiguity in plan.ambiguities {
                lines.append("    · \(ambiguity.field) \"\(ambiguity.value)\": GoHighLevel \(ambiguity.ghlIds.joined(separator: ", ")); EspoCRM \(ambiguity.espoIds.joined(separator: ", "))")
            }
        }
        if plan.writes.isEmpty && links.isEmpty && plan.massDeleteGuard == nil {
            lines.append("  Nothing to do.")
        }
        return lines
    }

    private func table(_ summary: RunSummary) -> [String] {
        let header = ["entity", "create→GHL", "create→Espo", "update→GHL", "update→Espo", "delete→GHL", "delete→Espo",
                      "conflicts", "failed", "unchanged"]
        var rows = [header]
        for entity in summary.entities {
            let plan = entity.plan
            rows.append([plan.entity]
                + [Plan.Operation.Action.create, .update, .delete].flatMap { action in
                    Side.allCases.map { String(plan.count(action, on: $0)) }
                }
                + [String(plan.conflictingRecords), String(entity.failures.count), String(plan.unchanged)])
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var lines = rows.map { row in
            row.indices.map { column in
                column == 0 ? row[column].padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - row[column].count) + row[column]
            }.joined(separator: "  ")
        }
        lines[0] = paint(bold, lines[0])
        lines.append("API calls: GoHighLevel \(summary.apiCalls.ghl), EspoCRM \(summary.apiCalls.espo)")
        return lines
    }

    private func ids(_ operation: Plan.Operation) -> String {
        switch (operation.ghlId, operation.espoId) {
        case let (ghl?, espo?): "ghl \(ghl) ⇄ espo \(espo)"
        case let (ghl?, nil): "from ghl \(ghl)"
        case let (nil, espo?): "from espo \(espo)"
        default: "(no id)"
        }
    }

    private func symbol(_ action: Plan.Operation.Action) -> String {
        switch action {
        case .create: paint(green, "+")
        case .delete: paint(red, "-")
        default: paint(yellow, "~")
        }
    }

    private func title(_ entity: String) -> String {
        let plural = entity.hasSuffix("s") ? entity + "es" : entity + "s"
        return plural.prefix(1).uppercased() + plural.dropFirst()
    }

    private let bold = "1", red = "31", green = "32", yellow = "33", dim = "2"

    private func paint(_ code: String, _ text: String) -> String {
        colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
