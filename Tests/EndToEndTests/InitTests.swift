import Foundation
import SyncCore
import Testing
import TestSupport

/// `init` and `demo` on an installed binary: they need no repository around them.
@Suite(.serialized) struct InitTests {
    /// Runs the built binary with `arguments` in `folder`, to its end.
    func run(_ arguments: [String], in folder: String) throws -> (code: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try BuiltProduct.path("espo-ghl-sync"))
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func initWritesAStarterConfigAndTheDefaultMappingsAndNeverOverwrites() throws {
        let folder = try TemporaryFolder(prefix: "init")
        let target = folder.file("crm")
        let first = try run(["init", target], in: folder.path)
        #expect(first.code == 0, "\(first.output)")
        for file in ["espo-ghl-sync.json", "mappings/contacts.json", "mappings/businesses.json"] {
            #expect(FileManager.default.fileExists(atPath: target + "/" + file), "\(file)")
        }
        // The written mappings are valid as they are.
        let check = try run(["mapping", "validate", "--config", target + "/espo-ghl-sync.json"], in: folder.path)
        #expect(check.code == 0, "\(check.output)")
        // A second init refuses, names the file, and leaves what the user edited alone.
        try "{ \"edited\": true }".write(toFile: target + "/mappings/contacts.json", atomically: true, encoding: .utf8)
        let again = try run(["init", target], in: folder.path)
        #expect(again.code == 1)
        #expect(again.output.contains("not overwriting"), "\(again.output)")
        #expect(again.output.contains("contacts.json"))
        #expect(try String(contentsOfFile: target + "/mappings/contacts.json", encoding: .utf8) == "{ \"edited\": true }")
    }

    @Test func aMappingNamingAnObjectNoConnectorServesFailsValidationWithTheList() throws {
        let folder = try TemporaryFolder(prefix: "init")
        #expect(try run(["init", folder.path], in: folder.path).code == 0)
        let file = folder.file("mappings/businesses.json")
        let text = try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "\"Account\"", with: "\"Company\"")
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let check = try run(["mapping", "validate", "--config", folder.file("espo-ghl-sync.json")], in: folder.path)
        #expect(check.code == 1)
        #expect(check.output.contains("businesses.json") && check.output.contains("\"Company\""), "\(check.output)")
        #expect(check.output.contains("\"Account\", \"Contact\""), "\(check.output)")
    }

    @Test func theDemoRunsFromAFolderWithoutMappings() throws {
        let folder = try TemporaryFolder(prefix: "demo")
        let demo = try run(["demo", "--people", "24"], in: folder.path)
        #expect(demo.code == 0, "\(demo.output.suffix(2000))")
        // It converged, with businesses and accounts on both sides.
        #expect(demo.output.contains(" 0 failed; the second plan has 0 operations."), "\(demo.output.suffix(2000))")
        #expect(demo.output.contains("6 businesses") && demo.output.contains("6 accounts"), "\(demo.output.suffix(2000))")
        // It seeded tasks, notes and appointments, and names what became of each.
        for entity in ["task", "note", "appointment"] {
            #expect(demo.output.contains("\(entity)s: "), "\(entity): \(demo.output.prefix(2000))")
            let line = demo.output.split(separator: "\n").first { $0.hasPrefix("  \(entity) ") }
            #expect(line?.contains("created in GoHighLevel") == true && line?.contains("failed") == false, "\(entity): \(demo.output.suffix(2000))")
        }
        // It ends with serve carrying an edit each way.
        #expect(demo.output.contains("in EspoCRM") && demo.output.contains("s later (its webhook)."), "\(demo.output.suffix(1000))")
        #expect(demo.output.contains("s later (the poll).") && demo.output.contains("serve stopped."), "\(demo.output.suffix(1000))")
    }
}

/// The demo's world, synced as `demo` syncs it (the sandbox, its config with the calendar, every
/// default mapping), then checked record by record: every contact ends with as many tasks, notes and
/// appointments on one side as on the other, and the next sync writes nothing.
@Suite(.serialized) struct DemoWorldTests {
    @Test func everyContactEndsWithTheSameChildrenOnBothSidesAndTheNextSyncWritesNothing() async throws {
        let h = try await Harness(people: 40, children: true)
        defer { Task { await h.stop() } }
        let world = h.sandbox.world
        #expect(world.tasks.both > 0 && world.tasks.ghlOnly > 0 && world.tasks.espoOnly > 0, "\(world)")
        #expect(world.notes.both > 0 && world.notes.ghlOnly > 0 && world.notes.espoOnly > 0, "\(world)")
        #expect(world.appointments.total > 1 && world.pastAppointments == 1, "\(world)")
        #expect(world.completedTasks > 0 && world.undatedTasks == 1 && world.notesByPerson > 0, "\(world)")
        #expect(h.calendarId == h.sandbox.calendarId)

        let first = try await h.run(["sync", "--json"])
        #expect(first.code == 0, "\(first)")
        // The children alike on both sides were paired, not copied; the rest were created on the other side.
        for (entity, counts) in [("task", world.tasks), ("note", world.notes), ("appointment", world.appointments)] {
            #expect(count(first.json, "create", .ghl, entity: entity) == counts.espoOnly, "\(entity): \(first)")
            #expect(count(first.json, "create", .espo, entity: entity) == counts.ghlOnly, "\(entity): \(first)")
        }

        let location = h.sandbox.locationId
        let ghlTasks = await h.sandbox.ghl.tasks(location: location)
        let ghlNotes = await h.sandbox.ghl.notes(location: location)
        let ghlAppointments = await h.sandbox.ghl.appointments(location: location)
        let espoTasks = h.sandbox.espo.records("Task")
        let espoMeetings = h.sandbox.espo.records("Meeting")
        #expect(ghlTasks.count == world.tasks.total && espoTasks.count == world.tasks.total)
        // The EspoCRM task seeded without a due date got GHL's default one, written back.
        #expect(espoTasks.allSatisfy { $0["dateEnd"]?.stringValue?.isEmpty == false }, "\(espoTasks.filter { $0["dateEnd"]?.stringValue == nil })")
        #expect(ghlNotes.count == world.notes.total)
        #expect(ghlAppointments.count == world.appointments.total && espoMeetings.count == world.appointments.total)
        func on(_ list: [JSONObject], _ key: String, _ id: String) -> Int { list.count { $0[key]?.stringValue == id } }
        let ghlContacts = await h.ghlContacts()
        #expect(ghlContacts.count == h.espoContacts().count)
        var posts = 0
        for contact in ghlContacts {
            let ghlId = try #require(contact["id"]?.stringValue)
            let email = try #require(contact["email"]?.stringValue)
            let espoId = try #require(h.espoContact(email: email)?["id"]?.stringValue, "\(email) is not in EspoCRM")
            let espoPosts = h.sandbox.espo.notes(on: "Contact", id: espoId).count { $0["type"]?.stringValue == "Post" }
            posts += espoPosts
            #expect(on(ghlTasks, "contactId", ghlId) == on(espoTasks, "parentId", espoId), "tasks of \(email)")
            #expect(on(ghlNotes, "contactId", ghlId) == espoPosts, "notes of \(email)")
            #expect(on(ghlAppointments, "contactId", ghlId) == on(espoMeetings, "parentId", espoId), "appointments of \(email)")
        }
        #expect(posts == world.notes.total)

        await h.resetRequestLogs()
        let second = try await h.run(["sync", "--json"])
        #expect(second.code == 0, "\(second)")
        let writes = await h.writes()
        #expect(writes.ghl == 0 && writes.espo == 0, "\(writes): \(second)")
        for entity in ["contact", "business", "task", "note", "appointment"] {
            for key in ["create", "update", "delete"] {
                #expect(count(second.json, key, .ghl, entity: entity) == 0 && count(second.json, key, .espo, entity: entity) == 0,
                        "\(entity) \(key): \(second)")
            }
        }
    }
}
