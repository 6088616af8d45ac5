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
}
