import Engine
import SyncCore

/// A self-contained HTML page of a plan (`plan --html FILE`), for review in a browser: no scripts,
/// no external files. It lists everything, and filters by entity, action and field with radio buttons
/// and CSS `:has()` rules alone, so the page runs no code whatever the CRM values hold.
public enum HTMLReport {
    /// The page for `summary`, generated at `generatedAt` (shown in the title block).
    public static func render(_ summary: RunSummary, generatedAt: String) -> String {
        let filters = Filters(summary)
        var body = ""
        body += "<h1>espo-ghl-sync \(summary.mode.rawValue)</h1>\n<p class=meta>Generated \(escape(generatedAt)) · API calls: GoHighLevel \(summary.apiCalls.ghl), EspoCRM \(summary.apiCalls.espo)</p>\n"
        body += summaryTable(summary)
        body += filters.form
        for (index, entity) in summary.entities.enumerated() {
            let plan = entity.plan
            body += "<section class='entity e\(index)'>\n<h2>\(escape(plan.entity))</h2>\n"
            if let guardTripped = plan.massDeleteGuard {
                body += "<p class=guard>\(escape(guardTripped.message))</p>\n"
            }
            let failed = Dictionary(entity.failures.map { ($0.operation, $0.message) }, uniquingKeysWith: { a, _ in a })
            for action in [Plan.Operation.Action.create, .update, .delete] {
                for side in Side.allCases {
                    let operations = plan.operations.filter { $0.action == action && $0.target == side }
                    guard !operations.isEmpty else { continue }
                    body += "<div class='group a-\(action.rawValue)'>\n<h3 class=\(action.rawValue)>\(action.rawValue.capitalized) in \(side.displayName) (\(operations.count))</h3>\n"
                    body += "<table><tr><th>GoHighLevel id</th><th>EspoCRM id</th><th>field</th><th>from</th><th>to</th></tr>\n"
                    for operation in operations {
                        let rows = max(operation.fields.count, 1)
                        let note = [operation.reason, failed[operation].map { "failed: \($0)" }].compactMap { $0 }
                        body += "<tbody class='\(filters.classes(operation.fields.map(\.field)))'>"
                        body += "<tr><td rowspan=\(rows)>\(escape(operation.ghlId ?? "—"))</td><td rowspan=\(rows)>\(escape(operation.espoId ?? "—"))"
                        if !note.isEmpty { body += "<div class=note>\(escape(note.joined(separator: "; ")))</div>" }
                        body += "</td>"
                        if operation.fields.isEmpty { body += "<td colspan=3></td></tr>\n" }
                        for (index, change) in operation.fields.enumerated() {
                            if index > 0 { body += "<tr>" }
                            let settled = change.settledConflict ? " class=settled title='conflict settled by policy'" : ""
                            body += "<td\(settled)>\(escape(change.field))</td><td class=from>\(escape(change.from?.displayText ?? ""))</td><td class=to>\(escape(change.to.displayText))</td></tr>\n"
                        }
                        body += "</tbody>\n"
                    }
                    body += "</table>\n</div>\n"
                }
            }
            let links = plan.operations.filter { $0.action == .link }
            if !links.isEmpty {
                body += "<div class='group a-link'>\n<h3>Paired: found alike on both sides (\(links.count))</h3>\n<table><tr><th>GoHighLevel id</th><th>EspoCRM id</th><th>why</th></tr>\n"
                for link in links {
                    body += "<tbody class=op><tr><td>\(escape(link.ghlId ?? "—"))</td><td>\(escape(link.espoId ?? "—"))</td><td>\(escape(link.reason ?? ""))</td></tr></tbody>\n"
                }
                body += "</table>\n</div>\n"
            }
            let queued = plan.conflicts.filter { $0.resolution == .queued }
            if !queued.isEmpty {
                body += "<div class='group a-conflict'>\n<h3>Conflicts queued (\(queued.count))</h3>\n<table><tr><th>GoHighLevel id</th><th>EspoCRM id</th><th>field</th><th>base</th><th>GoHighLevel</th><th>EspoCRM</th></tr>\n"
                for conflict in queued {
                    body += "<tbody class='\(filters.classes([conflict.field]))'><tr><td>\(escape(conflict.link.ghlId))</td><td>\(escape(conflict.link.espoId))</td><td>\(escape(conflict.field))</td><td>\(escape(conflict.base?.displayText ?? ""))</td><td>\(escape(conflict.ghl?.displayText ?? "(deleted)"))</td><td>\(escape(conflict.espo?.displayText ?? "(deleted)"))</td></tr></tbody>\n"
                }
                body += "</table>\n</div>\n"
            }
            if !plan.skipped.isEmpty {
                body += "<div class='group a-skipped'>\n<h3>Skipped (\(plan.skipped.count))</h3>\n<ul>\n"
                for skip in plan.skipped { body += "<li class=op>\(skip.side.displayName) \(escape(skip.id)): \(escape(skip.message))</li>\n" }
                body += "</ul>\n</div>\n"
            }
            body += "</section>\n"
        }
        return """
            <!doctype html>
            <html lang=en><head><meta charset=utf-8><title>espo-ghl-sync \(summary.mode.rawValue)</title>
            <style>
            body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
            table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
            th{background:#f3f3f3}.from{color:#a00;text-decoration:line-through}.to{color:#070}
            .guard{background:#fee;border:1px solid #c00;padding:.6em}.meta,.note{color:#666}.settled{background:#ffd}
            h3.create{color:#070}h3.delete{color:#a00}h3.update{color:#850}
            .filters{display:flex;flex-wrap:wrap;gap:1em;margin:1em 0}.filters fieldset{border:1px solid #ccc}.filters label{margin-right:.8em;white-space:nowrap}
            \(filters.rules)
            </style></head><body>
            \(body)</body></html>

            """
    }

    /// The page's three filters: one radio group per dimension, and the CSS rules that hide what a
    /// chosen value leaves out. Values are numbered, so no CRM text reaches an id or a selector.
    struct Filters {
        let entities: [String]
        let actions: [(key: String, label: String)]
        let fields: [String]
        private let fieldNumbers: [String: Int]

        init(_ summary: RunSummary) {
            entities = summary.entities.map(\.plan.entity)
            let present = Set(summary.entities.flatMap { entity -> [String] in
                var keys = entity.plan.operations.map { $0.action == .link ? "link" : $0.action.rawValue }
                if entity.plan.conflicts.contains(where: { $0.resolution == .queued }) { keys.append("conflict") }
                if !entity.plan.skipped.isEmpty { keys.append("skipped") }
                return keys
            })
            actions = [("create", "create"), ("update", "update"), ("delete", "delete"), ("link", "paired"),
                       ("conflict", "conflicts queued"), ("skipped", "skipped")].filter { present.contains($0.0) }
            var names = Set<String>()
            for entity in summary.entities {
                for operation in entity.plan.operations { names.formUnion(operation.fields.map(\.field)) }
                for conflict in entity.plan.conflicts where conflict.resolution == .queued { names.insert(conflict.field) }
            }
            fields = names.sorted()
            fieldNumbers = Dictionary(uniqueKeysWithValues: fields.enumerated().map { ($1, $0) })
        }

        /// The classes of an operation (or conflict) row that touches `changed`.
        func classes(_ changed: [String]) -> String {
            (["op"] + changed.compactMap { fieldNumbers[$0].map { "f\($0)" } }).joined(separator: " ")
        }

        var form: String {
            func group(_ legend: String, _ name: String, _ options: [(id: String, label: String)]) -> String {
                var html = "<fieldset><legend>\(legend)</legend><label><input type=radio name=\(name) id=\(name)-all checked> all</label>"
                for option in options {
                    html += "<label><input type=radio name=\(name) id=\(option.id)> \(HTMLReport.escape(option.label))</label>"
                }
                return html + "</fieldset>"
            }
            return "<form class=filters>"
                + group("Entity", "entity", entities.indices.map { ("e\($0)", entities[$0]) })
                + group("Action", "action", actions.map { ("a-\($0.key)", $0.label) })
                + group("Field", "field", fields.indices.map { ("f\($0)", fields[$0]) })
                + "</form>\n"
        }

        var rules: String {
            var css = entities.indices.map { "body:has(#e\($0):checked) section.entity:not(.e\($0)){display:none}" }
            css += actions.map { "body:has(#a-\($0.key):checked) .group:not(.a-\($0.key)),body:has(#a-\($0.key):checked) .guard{display:none}" }
            css += fields.indices.map {
                "body:has(#f\($0):checked) .op:not(.f\($0)),body:has(#f\($0):checked) .group:not(:has(.f\($0))){display:none}"
            }
            return css.joined(separator: "\n")
        }
    }

    private static func summaryTable(_ summary: RunSummary) -> String {
        var html = "<table><tr><th>entity</th><th>create → GHL</th><th>create → EspoCRM</th><th>update → GHL</th><th>update → EspoCRM</th><th>delete → GHL</th><th>delete → EspoCRM</th><th>conflicts</th><th>failed</th><th>unchanged</th></tr>\n"
        for entity in summary.entities {
            let plan = entity.plan
            let counts = [Plan.Operation.Action.create, .update, .delete].flatMap { action in
                Side.allCases.map { plan.count(action, on: $0) }
            } + [plan.conflictingRecords, entity.failures.count, plan.unchanged]
            html += "<tr><td>\(escape(plan.entity))</td>" + counts.map { "<td>\($0)</td>" }.joined() + "</tr>\n"
        }
        return html + "</table>\n"
    }

    /// Text made safe for HTML element content and attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
