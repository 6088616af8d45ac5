import Engine
import SyncCore

/// The readable plan: a summary table, then operations grouped by action with per-field `from → to`.
public struct TextReport: Sendable {
    /// Whether to colour the text with ANSI escapes (only on a terminal).
    public var colour: Bool
    /// How much of each list to show.
    public var layout: Layout

    /// How much a report lists: on a terminal, a screenful per action; matched pairs one by one only on request.
    public struct Layout: Sendable, Equatable {
        /// Lines each group (an action on one side, the queued conflicts, the skips…) may fill before
        /// the rest is summed up in one line; nil lists everything.
        public var linesPerGroup: Int?
        /// Whether records found alike on both sides and paired are listed one by one, not just counted.
        public var listsPairs: Bool

        public init(linesPerGroup: Int? = nil, listsPairs: Bool = true) {
            self.linesPerGroup = linesPerGroup
            self.listsPairs = listsPairs
        }

        /// Everything, pairs included: what a file or a pipe gets.
        public static let complete = Layout()
    }

    public init(colour: Bool, layout: Layout = .complete) {
        self.colour = colour
        self.layout = layout
    }

    /// The whole report for `summary`: the summary table first, then each entity's operations.
    public func render(_ summary: RunSummary) -> String {
        var out = table(summary)
        var cut = false
        for entity in summary.entities {
            out.append("")
            out += section(entity, mode: summary.mode, cut: &cut)
        }
        if cut {
            out.append("")
            out.append(paint(dim, "Lists are cut to a screenful each: --all shows every operation, --html FILE writes them all to a page, --json gives them to a program."))
        }
        return out.joined(separator: "\n") + "\n"
    }

    private func section(_ entity: RunSummary.Entity, mode: RunSummary.Mode, cut: inout Bool) -> [String] {
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
                lines += group(operations, noun: "operations", cut: &cut) { operation in
                    var entry = ["    " + symbol(action) + " " + ids(operation) + (operation.reason.map { paint(dim, "  (\($0))") } ?? "")]
                    for change in operation.fields {
                        let from = change.from.map { paint(red, $0.displayText) + " → " } ?? ""
                        let note = change.settledConflict ? paint(dim, "  (conflict settled by policy)") : ""
                        entry.append("        \(change.field): \(from)\(paint(green, change.to.displayText))\(note)")
                    }
                    if let message = failed[operation] { entry.append(paint(red, "        failed: \(message)")) }
                    return entry
                }
            }
        }
        let links = plan.operations.filter { $0.action == .link }
        if !links.isEmpty {
            if layout.listsPairs {
                lines.append("  Link existing records (\(links.count))")
                lines += group(links, noun: "pairs", cut: &cut) { ["    = " + ids($0) + ($0.reason.map { paint(dim, "  (\($0))") } ?? "")] }
            } else {
                lines.append("  Link existing records (\(links.count)); --verbose lists them")
            }
        }
        let queued = plan.conflicts.filter { $0.resolution == .queued }
        if !queued.isEmpty {
            lines.append(paint(yellow, "  Conflicts queued for a person (\(queued.count)); see `conflicts list`"))
            lines += group(queued, noun: "conflicts", cut: &cut) { conflict in
                ["    ? ghl \(conflict.link.ghlId) ⇄ espo \(conflict.link.espoId)  \(conflict.field): GoHighLevel \(conflict.ghl?.displayText ?? "(deleted)"), EspoCRM \(conflict.espo?.displayText ?? "(deleted)")"]
            }
        }
        if !entity.unreadable.isEmpty {
            lines.append(paint(red, "  Unreadable listed rows (\(entity.unreadable.count)): that listing counts as incomplete, no delete was inferred from it"))
            lines += group(entity.unreadable, noun: "rows", cut: &cut) { ["    ! \($0)"] }
        }
        if !plan.skipped.isEmpty {
            lines.append(paint(yellow, "  Skipped (\(plan.skipped.count))"))
            lines += group(plan.skipped, noun: "skips", cut: &cut) { ["    · \($0.side.rawValue) \($0.id): \($0.message)"] }
        }
        if !plan.ambiguities.isEmpty {
            lines.append(paint(yellow, "  Ambiguous matches, not linked (\(plan.ambiguities.count))"))
            lines += group(plan.ambiguities, noun: "matches", cut: &cut) { ambiguity in
                ["    · \(ambiguity.field) \"\(ambiguity.value)\": GoHighLevel \(ambiguity.ghlIds.joined(separator: ", ")); EspoCRM \(ambiguity.espoIds.joined(separator: ", "))"]
            }
        }
        if plan.writes.isEmpty && links.isEmpty && plan.massDeleteGuard == nil {
            lines.append("  Nothing to do.")
        }
        return lines
    }

    /// The lines of `items`, cut after the layout's screenful with a line counting the rest. An item's
    /// lines are never split; the first item is always shown whole.
    private func group<Item>(_ items: [Item], noun: String, cut: inout Bool, lines: (Item) -> [String]) -> [String] {
        guard let limit = layout.linesPerGroup else { return items.flatMap(lines) }
        var out: [String] = []
        for (index, item) in items.enumerated() {
            let entry = lines(item)
            if index > 0, out.count + entry.count > limit {
                out.append(paint(dim, "    … and \(items.count - index) more \(noun) (--all lists them)"))
                cut = true
                break
            }
            out += entry
        }
        return out
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
