import SyncCore

/// Everything `doctor` found, in check order: as lines with ✓/✗ and the fixes, or as one JSON object.
struct DoctorReport: Sendable {
    /// The config file checked.
    var file: String
    var checks: [DoctorCheck]

    /// Whether no check failed.
    var ok: Bool { !checks.contains { $0.status == .fail } }

    /// One line per check (`✓`, `✗`, `-` for skipped), the fix under each failure, then a summary.
    func text(colour: Bool) -> String {
        func paint(_ code: String, _ text: String) -> String { colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        var lines = ["espo-ghl-sync doctor: \(file)", ""]
        for check in checks {
            let detail = check.detail.split(separator: "\n", omittingEmptySubsequences: false)
            switch check.status {
            case .pass: lines.append(paint("32", "✓") + " \(check.name): \(detail.first ?? "")")
            case .fail: lines.append(paint("31", "✗") + " \(check.name): \(detail.first ?? "")")
            case .skip: lines.append(paint("2", "- \(check.name): skipped, \(detail.first ?? "")"))
            }
            for more in detail.dropFirst() { lines.append("    \(more)") }
            if let fix = check.fix {
                for (index, line) in fix.split(separator: "\n").enumerated() { lines.append((index == 0 ? "    fix: " : "         ") + line) }
            }
        }
        let failed = checks.count { $0.status == .fail }
        let skipped = checks.count { $0.status == .skip }
        lines.append("")
        if failed == 0 {
            lines.append(skipped == 0
                ? "All \(checks.count) checks passed: a sync has what it needs."
                : "No check failed (\(skipped) of \(checks.count) skipped).")
        } else {
            lines.append("\(failed) of \(checks.count) checks failed\(skipped > 0 ? ", \(skipped) skipped" : ""): fix them, then run `espo-ghl-sync doctor` again.")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `{"ok", "config", "checks": [{"id", "name", "status", "detail", "fix"}]}`; `fix` is null unless failed.
    var json: JSON {
        .object([
            "ok": .bool(ok), "config": .string(file),
            "checks": .array(checks.map { check in
                .object([
                    "id": .string(check.id), "name": .string(check.name), "status": .string(check.status.rawValue),
                    "detail": .string(check.detail), "fix": check.fix.map(JSON.string) ?? .null,
                ])
            }),
        ])
    }
}
