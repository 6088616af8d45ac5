import Foundation
import SyncCore
import Testing

/// Tasks, notes and appointments, decided case by case with the shipped mappings.
struct ChildEntityTests {
    static func shipped(_ name: String) -> Mapping {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try! Mapping.load(file: root.appendingPathComponent("mappings/\(name)").path)
    }

    let tasks = shipped("tasks.json")
    let notes = shipped("notes.json")
    let appointments = shipped("appointments.json")
    let parent = LinkKey(ghlId: "gc1", espoId: "ec1")
    var contact: FieldValue { Reference.linked(parent).value }

    func record(_ mapping: Mapping, _ side: Side, _ raw: JSONObject) -> SideRecord {
        mapping.record(from: raw, side: side, absentMeansEmpty: true, links: { _, id in id == "gc1" || id == "ec1" ? self.parent : nil })!
    }

    @Test func theShippedChildMappingsValidateAndRoundTrip() {
        for mapping in [tasks, notes, appointments] {
            #expect(mapping.validate().isEmpty, "\(mapping.file): \(mapping.validate())")
            #expect(mapping.parent == "contact")
            #expect(mapping.parentEntity == "contact")
        }
        #expect(tasks.sides.ghl.updatedAtPath == nil)
        #expect(notes.sides.ghl.updatedAtPath == nil)
        #expect(tasks.conflictFallback == .manual)
    }

    @Test func aTaskReadsTheSameOnBothSides() {
        let ghl = record(tasks, .ghl, ["id": "gc1/t1", "contactId": "gc1", "title": " Call back ", "dueDate": "2026-12-08T17:00:00.000Z", "completed": false])
        let espo = record(tasks, .espo, ["id": "et1", "parentType": "Contact", "parentId": "ec1", "name": "Call back",
                                         "dateEnd": "2026-12-08 17:00:00", "status": "Started", "description": .null])
        for field in ["contact", "title", "dueDate", "completed"] {
            #expect(ghl.values[field] == espo.values[field], "\(field)")
        }
        // Started reads as not completed; written back, false is "Not Started", and a record already
        // holding another open status is never rewritten (its canonical value is already false).
        let field = tasks.field(named: "completed")!
        #expect(tasks.write(.bool(false), of: field, side: .espo) == .string("Not Started"))
        #expect(tasks.write(.bool(true), of: field, side: .espo) == .string("Completed"))
        #expect(tasks.identityValues(of: ghl.values) == tasks.identityValues(of: espo.values))
        #expect(!tasks.identityValues(of: ghl.values)[0].isEmpty)
    }

    @Test func firstRunMatchesATaskByContactTitleAndDueMinute() {
        let ghl = record(tasks, .ghl, ["id": "gc1/t1", "contactId": "gc1", "title": "CALL back", "dueDate": "2026-12-08T17:00:42Z", "completed": false])
        let espo = record(tasks, .espo, ["id": "et1", "parentId": "ec1", "parentType": "Contact", "name": "call back", "dateEnd": "2026-12-08 17:00:00", "status": "Not Started"])
        let other = record(tasks, .espo, ["id": "et2", "parentId": "ec1", "parentType": "Contact", "name": "call back", "dateEnd": "2026-12-09 17:00:00", "status": "Not Started"])
        let plan = Planner.plan(PlanInput(links: [], ghl: [ghl], espo: [espo, other]), mapping: tasks)
        #expect(plan.operations.contains { $0.action == .link && $0.ghlId == "gc1/t1" && $0.espoId == "et1" })
        #expect(plan.operations.contains { $0.action == .create && $0.target == .ghl && $0.espoId == "et2" })
    }

    @Test func aSameFieldConflictOnATaskIsQueuedBecauseGHLKeepsNoTime() {
        let base: FieldValues = ["contact": contact, "title": .string("Call"), "body": .empty, "dueDate": .string("2026-12-08T17:00:00Z"), "completed": .bool(false)]
        let link = Link(ghlId: "gc1/t1", espoId: "et1", base: base)
        var ghl = SideRecord(id: "gc1/t1", values: base)
        ghl.values["title"] = .string("Call Ada")
        var espo = SideRecord(id: "et1", updatedAt: Date(), values: base)
        espo.values["title"] = .string("Call Bob")
        espo.values["body"] = .string("bring notes")
        let plan = Planner.plan(PlanInput(links: [link], ghl: [ghl], espo: [espo]), mapping: tasks)
        #expect(plan.conflicts.count == 1)
        #expect(plan.conflicts.first?.resolution == .queued)
        #expect(plan.conflicts.first?.policy == .manual)
        // The other field still merges.
        let update = plan.operations.first { $0.action == .update && $0.target == .ghl }
        #expect(update?.fields.map(\.field) == ["body"])
    }

    @Test func anEspoTaskWithoutDueDateIsCreatedDueInSevenDaysAndTheDateIsWrittenBack() {
        let espo = record(tasks, .espo, ["id": "et1", "parentId": "ec1", "parentType": "Contact", "name": "Call", "status": "Not Started", "dateEnd": .null])
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let plan = Planner.plan(PlanInput(links: [], ghl: [], espo: [espo]), mapping: tasks, options: PlanOptions(now: now))
        let create = plan.operations.first { $0.action == .create }
        let due = create?.fields.first { $0.field == "dueDate" }
        #expect(due?.writtenBack == true)
        #expect(due?.to == .string(Timestamp.iso8601(1_800_000_000 + 7 * 86_400 - (1_800_000_000 + 7 * 86_400) % 60)))
        #expect(create?.base["dueDate"] == due?.to)
    }

    @Test func aNoteOnlyItsAuthorMayChangeIsSkippedEveryRunAndNothingIsUndone() {
        let base: FieldValues = ["contact": contact, "body": .string("met at the fair")]
        let link = Link(ghlId: "gc1/n1", espoId: "en1", base: base)
        var ghl = SideRecord(id: "gc1/n1", values: base)
        ghl.values["body"] = .string("met at the fair, wants a quote")
        let espo = SideRecord(
            id: "en1", updatedAt: Date(), values: base,
            refusal: Refusal(edit: "only its author (Ada) may change an EspoCRM note", delete: "only its author (Ada) may change an EspoCRM note"))
        let plan = Planner.plan(PlanInput(links: [link], ghl: [ghl], espo: [espo]), mapping: notes)
        #expect(plan.writes.isEmpty)
        #expect(plan.skipped.map(\.reason) == [.refused("only its author (Ada) may change an EspoCRM note")])
        #expect(!plan.operations.contains { $0.action == .rebase })
        // Deleted in GHL: the delete is refused the same way, and the pair stays.
        let other = Link(ghlId: "gc1/n2", espoId: "en2", base: base)
        let kept = SideRecord(id: "gc1/n2", values: base)
        let gone = Planner.plan(
            PlanInput(links: [link, other], ghl: [kept], espo: [espo, SideRecord(id: "en2", values: base)]), mapping: notes)
        #expect(gone.massDeleteGuard == nil)
        #expect(gone.writes.isEmpty)
        #expect(gone.skipped.map(\.reason) == [.refused("only its author (Ada) may change an EspoCRM note")])
    }

    @Test func aDeletedContactTakesItsChildrenOutsideTheGuard() {
        var links: [Link] = []
        var espo: [SideRecord] = []
        var ghl: [SideRecord] = []
        for i in 0..<30 {
            let base: FieldValues = ["contact": contact, "title": .string("T\(i)"), "dueDate": .string("2026-12-08T17:00:00Z"), "completed": .bool(false)]
            links.append(Link(ghlId: "gc1/t\(i)", espoId: "et\(i)", base: base))
            espo.append(SideRecord(id: "et\(i)", values: base))
            if i < 5 { ghl.append(SideRecord(id: "gc1/t\(i)", values: base)) }
        }
        // The contact was deleted in GHL, which deleted its tasks: the sync deletes the EspoCRM ones.
        let options = PlanOptions(maxDeletes: 3, maxDeleteFraction: 0.1, removedParents: [parent: .ghl])
        let plan = Planner.plan(PlanInput(links: links, ghl: ghl, espo: espo), mapping: tasks, options: options)
        #expect(plan.massDeleteGuard == nil)
        #expect(plan.operations.filter { $0.action == .delete && $0.target == .espo && $0.cascade }.count == 30)
        // Deleted in EspoCRM: GHL deletes the tasks itself with the contact, EspoCRM kept its own.
        let fromEspo = Planner.plan(PlanInput(links: links, ghl: [], espo: espo), mapping: tasks,
                                    options: PlanOptions(removedParents: [parent: .espo]))
        #expect(fromEspo.writes.isEmpty)
        #expect(fromEspo.operations.filter { $0.action == .forget }.count == 30)
    }

    @Test func anAppointmentStatusThatReadsAsTheSameIsNeverRewritten() {
        let ghl = record(appointments, .ghl, ["id": "a1", "contactId": "gc1", "title": "Demo", "appointmentStatus": "new",
                                               "startTime": "2026-12-10T09:00:00-06:00", "endTime": "2026-12-10T09:30:00-06:00",
                                               "dateUpdated": "2026-12-01T10:00:00Z"])
        let espo = record(appointments, .espo, ["id": "m1", "parentType": "Contact", "parentId": "ec1", "name": "Demo", "status": "Planned",
                                                 "dateStart": "2026-12-10 15:00:00", "dateEnd": "2026-12-10 15:30:00", "modifiedAt": "2026-12-01 10:00:00"])
        #expect(ghl.values == espo.values)
        let field = appointments.field(named: "status")!
        #expect(appointments.write(.string("Not Held"), of: field, side: .ghl) == .string("cancelled"))
        #expect(appointments.write(.string("Held"), of: field, side: .ghl) == .string("showed"))
        let plan = Planner.plan(PlanInput(links: [], ghl: [ghl], espo: [espo]), mapping: appointments)
        #expect(plan.writes.isEmpty)
        #expect(plan.operations.map(\.action) == [.link])
    }
}
