import CLI
import Engine
import Foundation
import GHLClient
import SyncCore
import Transport

extension ChildrenBench {
    static let entities = ["contact", "business", "task", "note", "appointment"]

    /// One run's summary, calls and time.
    struct Measured {
        let summary: RunSummary
        let ghl: CallCounts
        let espo: CallCounts
        let seconds: Double
        /// The engine's notes on which contacts' notes it read ("reading those of N contact records…").
        let scopes: [String]

        /// GHL calls per entity, by endpoint (`/contacts/bulk/business` and tags are the contact's).
        var ghlByEntity: [String: Int] {
            var calls: [String: Int] = [:]
            for (endpoint, count) in ghl.byEndpoint { calls[ChildrenBench.entity(of: endpoint), default: 0] += count }
            return calls
        }

        func plan(_ entity: String) -> Plan? { summary.entities.first { $0.plan.entity == entity }?.plan }

        /// The writes the plan sends to GHL for `entity` (creates, updates, deletes).
        func writesToGHL(_ entity: String) -> Int {
            guard let plan = plan(entity) else { return 0 }
            return [.create, .update, .delete].reduce(0) { $0 + plan.count($1, on: .ghl) }
        }

        var writes: Int { summary.entities.reduce(0) { $0 + $1.plan.writes.count } }

        /// The contacts whose GHL notes were read, from the engine's progress note.
        var noteScope: Int? {
            for text in scopes where text.hasPrefix(Side.ghl.displayName) {
                guard let range = text.range(of: "reading those of ") else { continue }
                if let n = Int(text[range.upperBound...].prefix { $0.isNumber }) { return n }
            }
            return nil
        }

        func json(name: String, minimum: [String: Int], extra: JSONObject) -> JSON {
            let byEntity = ghlByEntity
            var perEntity: JSONObject = [:]
            for entity in ChildrenBench.entities + ["other"] {
                let calls = byEntity[entity] ?? 0
                var row: JSONObject = ["calls": .number(Double(calls))]
                if let min = minimum[entity] {
                    row["minimum"] = .number(Double(min))
                    row["overMinimum"] = .number(min == 0 ? (calls == 0 ? 1 : .infinity) : Double(calls) / Double(min))
                }
                row["writesToGHL"] = .number(Double(writesToGHL(entity)))
                perEntity[entity] = .object(row)
            }
            let total = minimum.values.reduce(0, +)
            var object: JSONObject = [
                "run": .string(name),
                "ghlCalls": .number(Double(ghl.requests)), "espoCalls": .number(Double(espo.requests)),
                "ghlMinimum": .number(Double(total)),
                "ghlOverMinimum": .number(total == 0 ? 0 : Double(ghl.requests) / Double(total)),
                "ghlThrottled": .number(Double(ghl.throttled)),
                "wallSeconds": .number(seconds),
                "ghlSecondsAtEmulatorLimit": .number(Double(ghl.requests) / Double(ChildrenBench.perSecond)),
                "ghlSecondsAtRealLimit": .number(Double(ghl.requests) / ChildrenBench.realPerSecond),
                "writes": .number(Double(writes)), "failures": .number(Double(summary.failureCount)),
                "conflicts": .number(Double(summary.entities.reduce(0) { $0 + $1.plan.conflicts.count })),
                "skipped": .number(Double(summary.entities.reduce(0) { $0 + $1.plan.skipped.count })),
                "contactsWhoseNotesWereRead": noteScope.map { .number(Double($0)) } ?? .null,
                "noteScope": .array(scopes.map(JSON.string)),
                "ghlByEntity": .object(perEntity),
                "ghlByEndpoint": Self.sorted(ghl.byEndpoint),
                "espoByEndpoint": Self.sorted(espo.byEndpoint),
            ]
            for (key, value) in extra { object[key] = value }
            return .object(object)
        }

        static func sorted(_ counts: [String: Int]) -> JSON {
            .object(JSONObject(uniqueKeysWithValues: counts.sorted { $0.key < $1.key }.map { ($0.key, JSON.number(Double($0.value))) }))
        }
    }

    static func entity(of endpoint: String) -> String {
        if endpoint.contains("/tasks") { return "task" }
        if endpoint.contains("/notes") { return "note" }
        if endpoint.contains("/calendars") { return "appointment" }
        if endpoint.contains("/businesses") { return "business" }
        if endpoint.contains("/contacts") || endpoint.contains("/customFields") { return "contact" }
        return "other"
    }

    /// Appointment windows over `sync.appointments.pastDays` + `futureDays` (30 + 365 days).
    static var eventWindows: Int {
        let settings = Engine.Settings()
        let days = Int((settings.appointmentPastDays + settings.appointmentFutureDays).rounded(.up))
        return (days + GHLClient.maxEventWindowDays - 1) / GHLClient.maxEventWindowDays
    }

    static func pages(_ count: Int, of size: Int) -> Int { (count + size - 1) / size }

    /// The first run's minimum GHL calls: contacts' and businesses' as `--record` counts them (the
    /// listing pages read, one create per record, the bulk company batches); every GHL task in
    /// pages of 100; one notes listing per contact; `GET /calendars/` and every calendar's windows;
    /// one create per record coming from EspoCRM.
    func firstMinimum(_ run: Measured, world: World) -> [String: Int] {
        let ghlCompanies = Set(world.espoContacts.indices.map { $0 % max(1, world.espoAccounts.count) }).count
        let contactReads = ["POST /contacts/search", "GET /locations/{locationId}/customFields"].reduce(0) { $0 + (run.ghl.byEndpoint[$1] ?? 0) }
        return [
            "contact": contactReads + world.espoContacts.count
                + (world.espoAccounts.isEmpty ? 0 : RecordBench.batches(world.espoContacts.count, groups: ghlCompanies)),
            "business": (run.ghl.byEndpoint["GET /businesses/"] ?? 0) + world.espoAccounts.count,
            "task": Self.pages(world.ghlTasks.count, of: GHLClient.maxTaskSearchLimit) + world.espoTasks.count,
            "note": world.contacts + world.espoNotes.count,
            "appointment": 1 + world.calendars.count * Self.eventWindows + world.espoMeetings.count,
        ]
    }

    /// A later run's minimum GHL calls: contacts' and businesses' listing pages as read, every task
    /// in pages of 100, the notes of the contacts changed on either side plus 1/7 of the rest, the
    /// calendars and their windows; plus one write per record the plan changes in GHL.
    /// `nightPassed`: the run comes a night after the last, so the notes sweep reads a seventh of the rest.
    func nightlyMinimum(_ run: Measured, edits: Edits, nightPassed: Bool) -> [String: Int] {
        let contactReads = ["POST /contacts/search", "GET /locations/{locationId}/customFields"].reduce(0) { $0 + (run.ghl.byEndpoint[$1] ?? 0) }
        let changedContacts = min(contacts, 2 * (edits.perSide["contact"] ?? 0))
        let sweep = nightPassed ? Int((Double(contacts - changedContacts) / Engine.Settings().notesSweepDays).rounded(.up)) : 0
        return [
            "contact": contactReads + run.writesToGHL("contact"),
            "business": (run.ghl.byEndpoint["GET /businesses/"] ?? 0) + run.writesToGHL("business"),
            "task": Self.pages(contacts * Self.tasksPerContact, of: GHLClient.maxTaskSearchLimit) + run.writesToGHL("task"),
            "note": changedContacts + sweep + run.writesToGHL("note"),
            "appointment": 1 + max(1, calendars) * Self.eventWindows + run.writesToGHL("appointment"),
        ]
    }
}
