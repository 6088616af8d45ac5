import CLI
import Engine
import SyncCore
import Testing


/// A plan with one of everything a report shows.
func samplePlan() -> Plan {
    let create = Plan.Operation(action: .create, target: .ghl, espoId: "e1", fields: [
        FieldChange(field: "email", from: nil, to: .string("ann+vip@example.com")),
        FieldChange(field: "tags", from: nil, to: .set(["vip", "<b>"])),
    ])
    let update = Plan.Operation(action: .update, target: .espo, ghlId: "g2", espoId: "e2", fields: [
        FieldChange(field: "phone", from: .string("+14155550100"), to: .string("+14155550199"), settledConflict: true),
    ])
    let delete = Plan.Operation(action: .delete, target: .ghl, ghlId: "g3", espoId: "e3", reason: "deleted in EspoCRM")
    let link = Plan.Operation(action: .link, ghlId: "g4", espoId: "e4", reason: "same email")
    let conflict = Conflict(
        link: LinkKey(ghlId: "g5", espoId: "e5"), field: "lastName", base: .string("Doe"), ghl: .string("Dough"),
        espo: .string("Do"), policy: .manual, resolution: .queued)
    let other = Conflict(
        link: LinkKey(ghlId: "g5", espoId: "e5"), field: "city", base: .string("A"), ghl: .string("B"),
        espo: .string("C"), policy: .manual, resolution: .queued)
    return Plan(
        entity: "contact", operations: [link, update, create, delete], conflicts: [conflict, other],
        skipped: [Skip(side: .ghl, id: "g6", reason: .missingRequired(fields: ["lastName"]))], unchanged: 7,
        linkCount: 12)
}

@Suite struct ReportTests {
    @Test func theJSONDocumentHasTheShapeTheREADMEDocuments() throws {
        let plan = samplePlan()
        let failed = plan.operations.first { $0.action == .delete }!
        let summary = RunSummary(
            mode: .sync, entities: [.init(plan: plan, failures: [.init(operation: failed, message: "GHL DELETE → 500")], applied: 2)],
            apiCalls: PerSide(ghl: 11, espo: 4))
        let json = summary.json
        let contact = try #require(json["entities"]?["contact"])
        #expect(json["mode"]?.stringValue == "sync")
        #expect(contact["create"]?["ghl"]?.numberValue == 1)
        #expect(contact["create"]?["espo"]?.numberValue == 0)
        #expect(contact["update"]?["espo"]?.numberValue == 1)
        #expect(contact["delete"]?["ghl"]?.numberValue == 1)
        #expect(contact["conflicts"]?.numberValue == 1)  // two fields, one record
        #expect(contact["failed"]?.numberValue == 1)
        #expect(contact["unchanged"]?.numberValue == 7)
        #expect(json["apiCalls"]?["ghl"]?.numberValue == 11)
        let operations = try #require(json["operations"]?.arrayValue)
        #expect(operations.count == 3)  // the link is not a write
        let create = try #require(operations.first { $0["action"]?.stringValue == "create" })
        #expect(create["target"]?.stringValue == "ghl")
        #expect(create["ghlId"] == .null)
        #expect(create["espoId"]?.stringValue == "e1")
        #expect(create["fields"]?["email"]?["to"]?.stringValue == "ann+vip@example.com")
        #expect(create["fields"]?["email"]?["from"] == .null)
        #expect(create["fields"]?["tags"]?["to"] == .array(["<b>", "vip"]))
        let delete = try #require(operations.first { $0["action"]?.stringValue == "delete" })
        #expect(delete["status"]?.stringValue == "failed")
        #expect(delete["error"]?.stringValue == "GHL DELETE → 500")
        // It parses back as JSON: one object.
        #expect(try JSON(parsing: json.serialized()) == json)
    }

    @Test func theTextReportGroupsByActionWithFieldDiffsAndASummary() {
        let summary = RunSummary(mode: .plan, entities: [.init(plan: samplePlan())], apiCalls: PerSide(ghl: 3, espo: 2))
        let text = TextReport(colour: false).render(summary)
        #expect(text.contains("Contacts — plan"))
        #expect(text.contains("Create in GoHighLevel (1)"))
        #expect(text.contains("email: \"ann+vip@example.com\""))
        #expect(text.contains("phone: \"+14155550100\" → \"+14155550199\"  (conflict settled by policy)"))
        #expect(text.contains("Delete in GoHighLevel (1)"))
        #expect(text.contains("Conflicts queued for a person (2)"))
        #expect(text.contains("Skipped (1)"))
        #expect(text.contains("API calls: GoHighLevel 3, EspoCRM 2"))
        #expect(!text.contains("\u{1B}["))
        #expect(TextReport(colour: true).render(summary).contains("\u{1B}[32m"))
    }

    @Test func anEmptyPlanSaysNothingToDo() {
        let summary = RunSummary(mode: .plan, entities: [.init(plan: Plan(entity: "contact", unchanged: 3))], apiCalls: PerSide(ghl: 1, espo: 1))
        #expect(TextReport(colour: false).render(summary).contains("Nothing to do."))
        #expect(!summary.hasPendingChanges)
    }

    @Test func theHTMLReportIsSelfContainedAndEscapesValues() {
        let summary = RunSummary(mode: .plan, entities: [.init(plan: samplePlan())], apiCalls: PerSide(ghl: 3, espo: 2))
        let html = HTMLReport.render(summary, generatedAt: "2026-11-30 07:00:00Z")
        #expect(html.hasPrefix("<!doctype html>"))
        #expect(html.contains("&lt;b&gt;"))
        #expect(!html.contains("<b>\""))
        #expect(!html.contains("<script"))
        #expect(!html.contains("http://") && !html.contains("https://"))
        #expect(html.contains("Update in EspoCRM (1)"))
        #expect(html.contains("ann+vip@example.com"))
    }

    /// A thousand creates, a thousand pairs and two hundred skips: what a first run against a full CRM plans.
    private func bigSummary() -> RunSummary {
        let creates = (0..<1000).map { index in
            Plan.Operation(action: .create, target: .ghl, espoId: "e\(index)", fields: [
                FieldChange(field: "email", from: nil, to: .string("p\(index)@example.com")),
                FieldChange(field: "firstName", from: nil, to: .string("P\(index)")),
            ])
        }
        let links = (0..<1000).map { Plan.Operation(action: .link, ghlId: "g\($0)", espoId: "k\($0)", reason: "same email") }
        let skips = (0..<200).map { Skip(side: .espo, id: "s\($0)", reason: .missingRequired(fields: ["lastName"])) }
        return RunSummary(
            mode: .plan, entities: [.init(plan: Plan(entity: "contact", operations: creates + links, skipped: skips, unchanged: 5))],
            apiCalls: PerSide(ghl: 10, espo: 10))
    }

    @Test func onATerminalThePlanShowsTheSummaryFirstAndAScreenfulPerAction() {
        let text = TextReport(colour: false, layout: .init(linesPerGroup: 20, listsPairs: false)).render(bigSummary())
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        // The summary table comes before any operation.
        let header = lines.firstIndex { $0.hasPrefix("entity") }, section = lines.firstIndex { $0.contains("Contacts — plan") }
        #expect(header != nil && section != nil && header! < section!)
        #expect(lines.contains { $0.hasPrefix("contact") && $0.contains("1000") })
        // A screenful of creates (three lines each, never split), then the rest counted.
        let shown = lines.count { $0.hasPrefix("    + from espo e") }
        #expect(shown == 6)
        #expect(text.contains("… and 994 more operations (--all lists them)"))
        #expect(text.contains("… and 180 more skips (--all lists them)"))
        // The pairs are counted, not listed.
        #expect(text.contains("Link existing records (1000); --verbose lists them"))
        #expect(!text.contains("= ghl g0 ⇄ espo k0"))
        #expect(text.contains("--all shows every operation"))
        #expect(lines.count < 80)
    }

    @Test func allListsEveryOperationAndVerboseEveryPair() {
        let all = TextReport(colour: false, layout: .init(linesPerGroup: nil, listsPairs: false)).render(bigSummary())
        #expect(all.split(separator: "\n").count { $0.hasPrefix("    + from espo e") } == 1000)
        #expect(!all.contains("more operations"))
        #expect(!all.contains("--all shows every operation"))
        #expect(!all.contains("= ghl g999 ⇄ espo k999"))
        let verbose = TextReport(colour: false, layout: .init(linesPerGroup: 20, listsPairs: true)).render(bigSummary())
        #expect(verbose.contains("Link existing records (1000)\n"))
        #expect(verbose.contains("= ghl g0 ⇄ espo k0"))
        #expect(verbose.contains("… and 980 more pairs (--all lists them)"))
        // A file or a pipe gets everything.
        let complete = TextReport(colour: false).render(bigSummary())
        #expect(complete.contains("= ghl g999 ⇄ espo k999") && complete.contains("espo s199"))
    }

    @Test func theHTMLReportIsCompleteAndFiltersByEntityActionAndField() throws {
        let business = Plan(entity: "business", operations: [
            Plan.Operation(action: .update, target: .espo, ghlId: "b1", espoId: "a1", fields: [
                FieldChange(field: "website", from: .string("old.example"), to: .string("new.example")),
            ]),
        ])
        var summary = bigSummary()
        summary.entities.append(.init(plan: business))
        summary.entities.append(.init(plan: samplePlan()))
        let html = HTMLReport.render(summary, generatedAt: "2026-12-01 07:00:00Z")
        // Complete: every create and every pair is on the page.
        #expect(html.contains("<td class=to>&quot;p999@example.com&quot;</td>"))
        #expect(html.contains(">g999<"))
        #expect(html.components(separatedBy: "<tbody class='op").count - 1 == 1000 + 1 + 3 + 2)
        // One radio per entity, action and field, and a rule hiding what each leaves out.
        for (index, name) in ["contact", "business"].enumerated() {
            #expect(html.contains("id=e\(index)> \(name)</label>"))
            #expect(html.contains("body:has(#e\(index):checked) section.entity:not(.e\(index)){display:none}"))
        }
        for action in ["create", "update", "delete", "link", "conflict", "skipped"] {
            #expect(html.contains("id=a-\(action)>"))
            #expect(html.contains("body:has(#a-\(action):checked) .group:not(.a-\(action))"))
        }
        let fields = ["city", "email", "firstName", "lastName", "phone", "tags", "website"]
        for (index, field) in fields.enumerated() {
            #expect(html.contains("id=f\(index)> \(field)</label>"))
            #expect(html.contains("body:has(#f\(index):checked) .op:not(.f\(index))"))
        }
        // The website change is tagged with its field's number, in its entity's section.
        #expect(html.contains("<section class='entity e1'>"))
        #expect(html.contains("<tbody class='op f6'><tr><td rowspan=1>b1</td>"))
        #expect(!html.contains("<script"))
    }
}
