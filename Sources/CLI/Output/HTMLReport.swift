import Engine
import SyncCore

/// A self-contained HTML page of a plan (`plan --html FILE`), for review in a browser: no scripts,
/// no external files.
public enum HTMLReport {
    /// The page for `summary`, generated at `generatedAt` (shown in the title block).
    public static func render(_ summary: RunSummary, generatedAt: String) -> String {
        var body = ""
        body += "<h1>espo-ghl-sync \(summary.mode.rawValue)</h1>\n<p class=meta>Generated \(escape(generatedAt)) · API calls: GoHighLevel \(summary.apiCalls.ghl), EspoCRM \(summary.apiCalls.espo)</p>\n"
        body += summaryTable(summary)
        for entity in summary.entities {
            let plan = entity.plan
            body += "<h2>\(escape(plan.entity))</h2>\n"
            if let guardTripped = plan.massDeleteGuard {
                body += "<p class=guard>\(escape(guardTripped.message))</p>\n"
            }
            let failed = Dictionary(entity.failures.map { ($0.operation, $0.message) }, uniquingKeysWith: { a, _ in a })
            for action in [Plan.Operation.Action.create, .update, .delete] {
                for side in Side.allCases {
                    let operations = plan.operations.filter { $0.action == action && $0.target == side }
                    guard !operations.isEmpty else { continue }
                    body += "<h3 class=\(action.rawValue)>\(action.rawValue.capitalized) in \(side.displayName) (\(operations.count))</h3>\n"
                    body += "<table><tr><th>GoHighLevel id</th><th>EspoCRM id</th><th>field</th><th>from</th><th>to</th></tr>\n"
                    for operation in operations {
                        let rows = max(operation.fields.count, 1)
                        let note = [operation.reason, failed[operation].map { "failed: \($0)" }].compactMap { $0 }
                        body += "<tr><td rowspan=\(rows)>\(escape(operation.ghlId ?? "—"))</td><td rowspan=\(rows)>\(escape(operation.espoId ?? "—"))"
                        if !note.isEmpty { body += "<div class=note>\(escape(note.joined(separator: "; ")))</div>" }
                        body += "</td>"
                        if operation.fields.isEmpty { body += "<td colspan=3></td></tr>\n" }
                        for (index, change) in operation.fields.enumerated() {
                            if index > 0 { body += "<tr>" }
                            let settled = change.settledConflict ? " class=settled title='conflict settled by policy'" : ""
                            body += "<td\(settled)>\(escape(change.field))</td><td class=from>\(escape(change.from?.displayText ?? ""))</td><td class=to>\(escape(change.to.displayText))</td></tr>\n"
                        }
                    }
                    body += "</table>\n"
                }
            }
            let queued = plan.conflicts.filter { $0.resolution == .queued }
            if !queued.isEmpty {
                body += "<h3>Conflicts queued (\(queued.count))</h3>\n<table><tr><th>GoHighLevel id</th><th>EspoCRM id</th><th>field</th><th>base</th><th>GoHighLevel</th><th>EspoCRM</th></tr>\n"
                for conflict in queued {
                    body += "<tr><td>\(escape(conflict.link.ghlId))</td><td>\(escape(conflict.link.espoId))</td><td>\(escape(conflict.field))</td><td>\(escape(conflict.base?.displayText ?? ""))</td><td>\(escape(conflict.ghl?.displayText ?? "(deleted)"))</td><td>\(escape(conflict.espo?.displayText ?? "(deleted)"))</td></tr>\n"
                }
                body += "</table>\n"
            }
            if !plan.skipped.isEmpty {
                body += "<h3>Skipped (\(plan.skipped.count))</h3>\n<ul>\n"
                for skip in plan.skipped { body += "<li>\(skip.side.displayName) \(escape(skip.id)): \(escape(skip.message))</li>\n" }
                body += "</ul>\n"
            }
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
            </style></head><body>
            \(body)</body></html>

            """
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
