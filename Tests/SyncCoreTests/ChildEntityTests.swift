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

/// Generated worlds of one contact's children: the plan, with the sides exchanged, is the mirror image.
struct ChildPlanPropertyTests {
    static let seeds = Array(UInt64(1)...UInt64(150))

    @Test(arguments: seeds)
    func swappingTheSidesMirrorsAChildPlan(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        func roll(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
        var mapping = ChildEntityTests.shipped("tasks.json")
        // Both sides keep a change time here, so "newest" is known, as it is with the sides swapped.
        mapping.sides.ghl.updatedAtPath = .key("updatedAt")
        let parents = [LinkKey(ghlId: "gc1", espoId: "ec1"), LinkKey(ghlId: "gc2", espoId: "ec2")]
        var links: [Link] = []
        var ghl: [SideRecord] = []
        var espo: [SideRecord] = []
        let titles = ["Call", "Quote", "Visit", "Ship"]
        for i in 0..<6 {
            let parent = Reference.linked(parents[roll(2)]).value
            let base: FieldValues = ["contact": parent, "title": .string(titles[roll(4)] + "\(i)"), "dueDate": .string("2026-12-0\(1 + roll(8))T10:00:00Z"),
                                     "completed": .bool(roll(2) == 0), "body": .empty]
            links.append(Link(ghlId: "g\(i)", espoId: "e\(i)", base: base))
            func variant(_ side: Side) -> SideRecord? {
                switch roll(6) {
                case 0: return nil
                case 1: var v = base; v["title"] = .string("Edited \(side) \(i)"); return SideRecord(id: side == .ghl ? "g\(i)" : "e\(i)", updatedAt: Date(timeIntervalSince1970: Double(1_000 + roll(3))), values: v)
                case 2: var v = base; v["completed"] = .bool(roll(2) == 0); return SideRecord(id: side == .ghl ? "g\(i)" : "e\(i)", updatedAt: Date(timeIntervalSince1970: Double(1_000 + roll(3))), values: v)
                default: return SideRecord(id: side == .ghl ? "g\(i)" : "e\(i)", updatedAt: Date(timeIntervalSince1970: 900), values: base)
                }
            }
            if var g = variant(.ghl) { if roll(5) == 0 { g.refusal = Refusal(edit: "no", delete: "no") }; ghl.append(g) }
            if var e = variant(.espo) { if roll(5) == 0 { e.refusal = Refusal(edit: "no", delete: "no") }; espo.append(e) }
        }
        for j in 0..<3 {
            let parent = Reference.linked(parents[roll(2)]).value
            let values: FieldValues = ["contact": parent, "title": .string(titles[roll(4)] + "\(roll(6))"), "dueDate": .string("2026-12-0\(1 + roll(8))T10:00:00Z"), "completed": .bool(false)]
            if roll(2) == 0 { ghl.append(SideRecord(id: "gn\(j)", updatedAt: Date(timeIntervalSince1970: 1_100), values: values)) }
            else { espo.append(SideRecord(id: "en\(j)", updatedAt: Date(timeIntervalSince1970: 1_100), values: values)) }
        }
        var removed: [LinkKey: Side?] = [:]
        if roll(3) == 0 { removed[parents[0]] = [Side.ghl, .espo, nil][roll(3)] }
        let input = PlanInput(links: links, ghl: ghl, espo: espo)
        let options = PlanOptions(maxDeletes: 100, removedParents: removed, now: Date(timeIntervalSince1970: 2_000))
        let plan = Planner.plan(input, mapping: mapping, options: options)
        var mirroredOptions = options
        mirroredOptions.removedParents = Dictionary(uniqueKeysWithValues: removed.map { (Mirror.key($0.key), $0.value.map(\.other)) })
        // References name the pair; with the sides exchanged they name it the other way round.
        func mirrorRecord(_ r: SideRecord) -> SideRecord {
            var m = r
            if case .linked(let key)? = Reference(r.values["contact"]) { m.values["contact"] = Reference.linked(Mirror.key(key)).value }
            return m
        }
        var mirroredInput = Mirror.input(input)
        mirroredInput.records = mirroredInput.records.map { $0.map(mirrorRecord) }
        mirroredInput.links = mirroredInput.links.map { link in
            var l = link
            if case .linked(let key)? = Reference(link.base["contact"]) { l.base["contact"] = Reference.linked(Mirror.key(key)).value }
            return l
        }
        let mirrored = Planner.plan(mirroredInput, mapping: Mirror.mapping(mapping), options: mirroredOptions)
        func unreference(_ plan: Plan) -> Plan {
            var p = plan
            func fix(_ op: Plan.Operation) -> Plan.Operation {
                var o = op
                o.fields = op.fields.map { change in
                    var c = change
                    if case .linked(let key)? = Reference(change.to) { c.to = .string("\(min(key.ghlId, key.espoId))|\(max(key.ghlId, key.espoId))") }
                    if case .linked(let key)? = Reference(change.from) { c.from = .string("\(min(key.ghlId, key.espoId))|\(max(key.ghlId, key.espoId))") }
                    return c
                }
                o.base = op.base.mapValues { value in
                    if case .linked(let key)? = Reference(value) { return .string("\(min(key.ghlId, key.espoId))|\(max(key.ghlId, key.espoId))") }
                    return value
                }
                return o
            }
            p.operations = plan.operations.map(fix)
            p.withheld = plan.withheld.map(fix)
            p.conflicts = []
            return p
        }
        let expected = unreference(Mirror.normalized(Mirror.plan(plan))), actual = unreference(Mirror.normalized(mirrored))
        let difference = Mirror.difference(actual, expected)
        #expect(difference.isEmpty, "seed \(seed): \(difference)")
        // No child is created under a parent this run removes.
        let removedIds = Set(removed.keys.flatMap { [$0.ghlId, $0.espoId] })
        for op in plan.operations where op.action == .create {
            guard let parent = Reference(op.values["contact"]) else { continue }
            let underRemoved = Side.allCases.contains { side in parent.id(on: side).map(removedIds.contains) ?? false }
            #expect(!underRemoved, "seed \(seed): a child created under a removed parent")
        }
    }
}

extension ChildEntityTests {
    @Test func aTaskMovedToAnotherContactInEspoIsNotMovedInGHLButShownEveryRun() {
        let other = LinkKey(ghlId: "gc2", espoId: "ec2")
        let base: FieldValues = ["contact": contact, "title": .string("Call"), "dueDate": .string("2026-12-08T17:00:00Z"), "completed": .bool(false)]
        let link = Link(ghlId: "gc1/t1", espoId: "et1", base: base)
        var espo = SideRecord(id: "et1", updatedAt: Date(), values: base)
        espo.values["contact"] = Reference.linked(other).value
        espo.values["title"] = .string("Call again")
        let plan = Planner.plan(PlanInput(links: [link], ghl: [SideRecord(id: "gc1/t1", values: base)], espo: [espo]), mapping: tasks)
        let update = plan.operations.first { $0.action == .update }
        #expect(update?.fields.map(\.field) == ["title"])
        #expect(plan.skipped.count == 1)
        #expect(update?.base["contact"] == nil)
    }
}

extension ChildEntityTests {
    @Test func aNoteSomeoneElseWroteStaysWhenItsContactIsDeletedAndIsNoLongerSynced() {
        let base: FieldValues = ["contact": contact, "body": .string("by Dana")]
        let link = Link(ghlId: "gc1/n1", espoId: "en1", base: base)
        let espo = SideRecord(id: "en1", values: base, refusal: Refusal(edit: "only its author (Dana) may change an EspoCRM note", delete: "only its author (Dana) may change an EspoCRM note"))
        let plan = Planner.plan(PlanInput(links: [link], ghl: [], espo: [espo]), mapping: notes, options: PlanOptions(removedParents: [parent: .ghl]))
        #expect(plan.writes.isEmpty)
        #expect(plan.operations.map(\.action) == [.forget])
        #expect(plan.skipped.map(\.message) == ["not written to EspoCRM: only its author (Dana) may change an EspoCRM note"])
    }
}

extension ChildEntityTests {
    @Test func aTaskUpdateTowardGHLCarriesItsTitleAndDueDateSoNothingIsReadFirst() {
        let base: FieldValues = ["contact": contact, "title": .string("Call"), "dueDate": .string("2026-12-08T17:00:00Z"), "completed": .bool(false)]
        let link = Link(ghlId: "gc1/t1", espoId: "et1", base: base)
        var espo = SideRecord(id: "et1", updatedAt: Date(), values: base)
        espo.values["completed"] = .bool(true)
        let plan = Planner.plan(PlanInput(links: [link], ghl: [SideRecord(id: "gc1/t1", values: base)], espo: [espo]), mapping: tasks)
        let update = plan.operations.first { $0.action == .update }
        #expect(update?.target == .ghl)
        #expect(update?.fields.map(\.field) == ["completed"])
        #expect(update?.carried == ["title": .string("Call"), "dueDate": .string("2026-12-08T17:00:00Z")])
    }
}

/// The child mapping keys, misused: each problem names the file, the key and the fix.
struct ChildMappingErrorTests {
    func issues(_ text: String) -> [String] {
        do {
            let mapping = try Mapping.parse(Array(text.utf8), file: "tasks.json")
            return mapping.validate().map(\.description)
        } catch {
            return error.issues.map(\.description)
        }
    }

    @Test func misusedChildKeysAreReportedWithTheirPathAndFix() {
        let found = issues("""
            { "entity": "task", "parent": "title", "conflictFallback": "newest-wins",
              "ghl": { "object": "task", "updatedAt": null, "updateSends": ["titel"], "createWith": "Contact" },
              "espo": { "object": "Task" },
              "identity": [{ "allOf": [{ "field": "title", "match": "hour" }] }],
              "fields": {
                "contact": { "type": "reference", "entity": "contact", "ghl": "contactId", "espo": "parentId", "createOnly": ["gh"] },
                "title": { "ghl": "title", "espo": "name", "defaultOnCreate": { "daysAhead": 7 } }
              } }
            """)
        let text = found.joined(separator: "\n")
        for expected in ["tasks.json: $.parent", "$.conflictFallback", "$.ghl.createWith", "$.identity[0].allOf",
                         "$.identity[0].allOf[0].match", "$.fields.contact.createOnly[0]", "$.fields.title.defaultOnCreate"] {
            #expect(text.contains(expected), "\(expected) missing from:\n\(text)")
        }
        #expect(found.allSatisfy { $0.contains("Fix:") }, "\(text)")
        // updateSends names a field that is not mapped (found once the document reads cleanly).
        let unmapped = issues("""
            { "entity": "task", "ghl": { "object": "task", "updateSends": ["titel"] }, "espo": { "object": "Task" },
              "identity": ["title"], "fields": { "title": { "ghl": "title", "espo": "name" } } }
            """)
        #expect(unmapped.contains { $0.contains("$.ghl.updateSends[0]") && $0.contains("\"titel\" is not a mapped field") }, "\(unmapped)")
    }
}
