import CLI
import Foundation
import SyncCore

extension ChildrenBench {
    /// What is wrong after a run: failures, unreadable rows, conflicts, writes in a quiet run, counts
    /// that differ between the sides or from what was seeded, and tasks or appointments whose content
    /// differs between the sides (notes may lag: see `laggingNotes`).
    func check(_ sandbox: Sandbox, world: World, measured: Measured, quiet: Bool) async -> [String] {
        var problems: [String] = []
        let summary = measured.summary
        if summary.failureCount > 0 {
            let first = summary.entities.flatMap { entity in entity.failures.map { "\(entity.plan.entity): \($0.message)" } }.prefix(3)
            problems.append("\(summary.failureCount) failed operations, e.g. \(first.joined(separator: "; "))")
        }
        if summary.unreadableCount > 0 { problems.append("\(summary.unreadableCount) unreadable rows") }
        for entity in summary.entities where !entity.plan.conflicts.isEmpty {
            problems.append("\(entity.plan.entity): \(entity.plan.conflicts.count) conflicts")
        }
        if quiet {
            for entity in summary.entities where !entity.plan.writes.isEmpty {
                let actions = Dictionary(grouping: entity.plan.writes) { "\($0.action) → \($0.target.map { "\($0)" } ?? "?")" }
                    .map { "\($0.value.count) \($0.key)" }.sorted()
                let example = entity.plan.writes.first.map { operation in
                    "e.g. \(operation.ghlId ?? "?") ↔ \(operation.espoId ?? "?") to \(operation.target.map { "\($0)" } ?? "?"): "
                        + operation.fields.map { "\($0.field) \($0.from.map { "\($0)" } ?? "nil") → \($0.to)" }.joined(separator: ", ")
                } ?? ""
                problems.append(
                    "quiet run wrote \(entity.plan.writes.count) \(entity.plan.entity) records (\(actions.joined(separator: ", "))); \(example)")
            }
        }

        let location = sandbox.locationId
        let ghl = sandbox.ghl
        let espo = sandbox.espo
        func compare(_ what: String, ghl: Int, espo: Int, seeded: Int) {
            if ghl != espo || ghl != seeded { problems.append("\(what): \(ghl) in GHL, \(espo) in EspoCRM, \(seeded) seeded") }
        }
        compare("contacts", ghl: await ghl.contactCount(location: location), espo: espo.count("Contact"), seeded: world.contacts)
        compare("businesses", ghl: await ghl.businessIds(location: location).count, espo: espo.count("Account"),
                seeded: world.ghlBusinesses.count + world.espoAccounts.count)

        let ghlTasks = await ghl.tasks(location: location)
        let espoTasks = espo.records("Task")
        compare("tasks", ghl: ghlTasks.count, espo: espoTasks.count, seeded: world.tasks)
        let taskContent = (
            Self.multiset(ghlTasks.map { "\(Self.trimmed($0["title"])) | \($0["completed"]?.boolValue == true)" }),
            Self.multiset(espoTasks.map { "\(Self.trimmed($0["name"])) | \($0["status"]?.stringValue == "Completed")" }))
        if taskContent.0 != taskContent.1 { problems.append("tasks: \(Self.difference(taskContent)) differ between the sides") }

        let ghlNotes = await ghl.notes(location: location)
        let espoNotes = Self.posts(espo.records("Note"))
        compare("notes", ghl: ghlNotes.count, espo: espoNotes.count, seeded: world.notes)

        let ghlEvents = await ghl.appointments(location: location)
        let meetings = espo.records("Meeting")
        compare("appointments", ghl: ghlEvents.count, espo: meetings.count, seeded: world.appointments)
        let readAs = ["new": "Planned", "confirmed": "Planned", "showed": "Held", "noshow": "Not Held", "cancelled": "Not Held", "invalid": "Not Held"]
        let eventContent = (
            Self.multiset(ghlEvents.map {
                "\(Self.instant($0["startTime"])) | \(readAs[$0["appointmentStatus"]?.stringValue ?? ""] ?? "?")"
            }),
            Self.multiset(meetings.map { "\(Self.instant($0["dateStart"])) | \($0["status"]?.stringValue ?? "?")" }))
        if eventContent.0 != eventContent.1 { problems.append("appointments: \(Self.difference(eventContent)) differ between the sides") }
        return problems
    }

    /// How many of the note edits `expected` (new bodies) are not yet on both sides: a note is read
    /// only with its contact's notes (changed contacts and the day's share of the sweep).
    func laggingNotes(_ sandbox: Sandbox, expected: [String: String]) async -> Int {
        guard !expected.isEmpty else { return 0 }
        let ghl = Set(await sandbox.ghl.notes(location: sandbox.locationId).map { Self.trimmed($0["body"]) })
        let espo = Set(Self.posts(sandbox.espo.records("Note")).map { Self.trimmed($0["post"]) })
        return expected.values.count { !(ghl.contains($0) && espo.contains($0)) }
    }

    /// The posts on contacts' streams (EspoCRM's own notes, `Create` and the like, are not synced).
    static func posts(_ notes: [JSONObject]) -> [JSONObject] {
        notes.filter { $0["type"]?.stringValue == "Post" && $0["parentType"]?.stringValue == "Contact" }
    }

    static func trimmed(_ value: JSON?) -> String { value?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "" }

    /// A date-time as seconds since 1970 in UTC (GHL answers with the calendar's offset).
    static func instant(_ value: JSON?) -> String {
        value?.stringValue.flatMap { Timestamp.parse($0) }.map(String.init) ?? "?"
    }

    static func multiset(_ values: [String]) -> [String: Int] { values.reduce(into: [:]) { $0[$1, default: 0] += 1 } }

    /// How many values the two multisets do not share, with an example.
    static func difference(_ sets: ([String: Int], [String: Int])) -> String {
        var count = 0
        var example: String?
        for key in Set(sets.0.keys).union(sets.1.keys) {
            let (a, b) = (sets.0[key] ?? 0, sets.1[key] ?? 0)
            if a != b {
                count += abs(a - b)
                if example == nil { example = "\(key): \(a) in GHL, \(b) in EspoCRM" }
            }
        }
        return "\(count) (e.g. \(example ?? "?"))"
    }
}
