import Emulation
import Foundation
import SyncCore
import Testing
import Transport

/// Several nights in a row, on README's schedule (`sync --full` on Sundays, plain `sync` on the
/// other nights): what a person did (a delete, above all) is never undone by a later run.
@Suite(.serialized) struct LifecycleTests {
    /// The nights after Sunday's deletes: Monday, Tuesday (plain) and the next Sunday (full).
    static let week: [[String]] = [["sync"], ["sync"], ["sync", "--full"]]

    @Test func aContactDeletedInGHLStaysDeletedThroughTheWeek() async throws {
        let h = try await Harness()
        let pairs = try await h.pairs(0..<12)
        #expect(try await h.run(["sync"]).code == 0)
        #expect(try await h.ghlClient.deleteContact(pairs[0].ghl))

        let sunday = try await h.run(["sync", "--full", "--json"])
        #expect(sunday.code == 0, "\(sunday)")
        #expect(count(sunday.json, "delete", .espo) == 1, "\(sunday)")
        #expect(h.sandbox.espo.record("Contact", id: pairs[0].espo) == nil, "Sunday's full sync did not delete it in EspoCRM")
        for night in Self.week {
            let result = try await h.run(night + ["--json"])
            #expect(result.code == 0, "\(night): \(result)")
            #expect(count(result.json, "create", .ghl) == 0 && count(result.json, "create", .espo) == 0, "\(night): \(result)")
            #expect(await h.ghlContact(email: Harness.email(0)) == nil, "\(night): came back in GHL")
            #expect(h.espoContact(email: Harness.email(0)) == nil, "\(night): came back in EspoCRM")
            #expect(await h.sandbox.ghl.contactCount(location: h.sandbox.locationId) == 11)
            #expect(h.sandbox.espo.count("Contact") == 11)
        }
        #expect(try await h.run(["plan"]).code == 0)
        #expect(try await h.run(["plan", "--full"]).code == 0)
        await h.stop()
    }

    @Test func aContactDeletedInEspoStaysDeletedThroughTheWeek() async throws {
        let h = try await Harness()
        let pairs = try await h.pairs(0..<12)
        #expect(try await h.run(["sync"]).code == 0)
        try await h.espoClient.delete(.contact, id: pairs[3].espo)

        let sunday = try await h.run(["sync", "--full", "--json"])
        #expect(sunday.code == 0, "\(sunday)")
        #expect(count(sunday.json, "delete", .ghl) == 1, "\(sunday)")
        #expect(await h.ghlContact(id: pairs[3].ghl) == nil, "Sunday's full sync did not delete it in GHL")
        for night in Self.week {
            let result = try await h.run(night + ["--json"])
            #expect(result.code == 0, "\(night): \(result)")
            #expect(count(result.json, "create", .ghl) == 0 && count(result.json, "create", .espo) == 0, "\(night): \(result)")
            #expect(await h.ghlContact(email: Harness.email(3)) == nil, "\(night): came back in GHL")
            #expect(h.espoContact(email: Harness.email(3)) == nil, "\(night): came back in EspoCRM")
            #expect(await h.sandbox.ghl.contactCount(location: h.sandbox.locationId) == 11)
            #expect(h.sandbox.espo.count("Contact") == 11)
        }
        #expect(try await h.run(["plan"]).code == 0)
        #expect(try await h.run(["plan", "--full"]).code == 0)
        await h.stop()
    }

    @Test func aMassDeleteWaitsForTheFlagThenStaysDone() async throws {
        let h = try await Harness()
        let pairs = try await h.pairs(0..<40)
        #expect(try await h.run(["sync"]).code == 0)
        for pair in pairs.prefix(30) { #expect(try await h.ghlClient.deleteContact(pair.ghl)) }

        await h.resetRequestLogs()
        let guarded = try await h.run(["sync", "--full", "--json"])
        #expect(guarded.code == 1, "\(guarded)")
        #expect(guarded.stderr.contains("--allow-mass-delete"), "\(guarded)")
        #expect(await h.writes().espo == 0)
        #expect(h.sandbox.espo.count("Contact") == 40)
        // Monday's cron runs before anyone reads the log: it must not bring the 30 back into GHL.
        let monday = try await h.run(["sync", "--json"])
        #expect([0, 1].contains(monday.code), "\(monday)")
        #expect(await h.sandbox.ghl.contactCount(location: h.sandbox.locationId) == 10, "Monday brought deleted contacts back into GHL")
        #expect(h.sandbox.espo.count("Contact") == 40, "Monday deleted without --allow-mass-delete")

        let allowed = try await h.run(["sync", "--full", "--allow-mass-delete", "--json"])
        #expect(allowed.code == 0, "\(allowed)")
        #expect(count(allowed.json, "delete", .espo) == 30, "\(allowed)")
        #expect(h.sandbox.espo.count("Contact") == 10)
        for night in Self.week {
            let result = try await h.run(night + ["--json"])
            #expect(result.code == 0, "\(night): \(result)")
            #expect(await h.sandbox.ghl.contactCount(location: h.sandbox.locationId) == 10, "\(night): came back in GHL")
            #expect(h.sandbox.espo.count("Contact") == 10, "\(night): came back in EspoCRM")
        }
        for n in 0..<30 {
            #expect(await h.ghlContact(email: Harness.email(n)) == nil && h.espoContact(email: Harness.email(n)) == nil, "person \(n) came back")
        }
        #expect(try await h.run(["plan", "--full"]).code == 0)
        await h.stop()
    }

    /// SIGKILL lands after EspoCRM applied some deletes and before the run committed them.
    @Test func aRunKilledBetweenItsDeletesAndTheirCommitFinishesThemAndBringsNothingBack() async throws {
        let h = try await Harness()
        let pairs = try await h.pairs(0..<40)
        #expect(try await h.run(["sync"]).code == 0)
        for pair in pairs.prefix(20) { #expect(try await h.ghlClient.deleteContact(pair.ghl)) }

        await h.sandbox.espoServer.setFaults(Faults(latency: .milliseconds(250)))
        let (process, _) = try h.start(["sync", "--full", "--allow-mass-delete"])
        while h.sandbox.espo.count("Contact") == 40, process.isRunning { try await Task.sleep(for: .milliseconds(2)) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the run ended before the kill")
        let left = h.sandbox.espo.count("Contact")
        #expect(left < 40 && left > 20, "the kill did not land among the deletes (\(left) left)")
        await h.sandbox.espoServer.setFaults(.none)

        // Monday: a plain sync brings nothing back on either side.
        let monday = try await h.run(["sync", "--json"])
        #expect(monday.code == 0, "\(monday)")
        #expect(await h.sandbox.ghl.contactCount(location: h.sandbox.locationId) == 20, "Monday brought deleted contacts back into GHL")
        #expect(h.sandbox.espo.count("Contact") <= left, "Monday brought deleted contacts back into EspoCRM")
        // The interrupted command, run again, finishes the deletes.
        let rerun = try await h.run(["sync", "--full", "--allow-mass-delete", "--json"])
        #expect(rerun.code == 0, "\(rerun)")
        #expect(h.sandbox.espo.count("Contact") == 20)
        for night in Self.week {
            let result = try await h.run(night + ["--json"])
            #expect(result.code == 0, "\(night): \(result)")
            #expect(await h.sandbox.ghl.contactCount(location: h.sandbox.locationId) == 20, "\(night): came back in GHL")
            #expect(h.sandbox.espo.count("Contact") == 20, "\(night): came back in EspoCRM")
        }
        for n in 0..<20 {
            #expect(await h.ghlContact(email: Harness.email(n)) == nil && h.espoContact(email: Harness.email(n)) == nil, "person \(n) came back")
        }
        #expect(try await h.run(["plan"]).code == 0)
        #expect(try await h.run(["plan", "--full"]).code == 0)
        await h.stop()
    }

    /// After every kind of run, the next one has nothing to do: EspoCRM moves `modifiedAt` on every
    /// PATCH and keeps an e-mail's first spelling, and neither may make the sync loop.
    @Test func theNightAfterAnySyncWritesNothing() async throws {
        let h = try await Harness()
        // Linked, with the e-mail in another case in EspoCRM; one only in each system, mixed case.
        let pairs = try await h.pairs(0..<3, espo: [:])
        #expect(h.sandbox.espo.edit("Contact", id: pairs[0].espo, ["emailAddress": .string(Harness.email(0).uppercased())]))
        await h.person(10, ghl: ["email": "Person.10+E2E@Example.com", "state": "TX"], on: [.ghl])
        await h.person(11, espo: ["emailAddress": "PERSON.11+e2e@EXAMPLE.COM", "addressState": "CA"], on: [.espo])
        let first = try await h.run(["sync", "--json"])
        #expect(first.code == 0, "\(first)")
        try await h.expectQuietNight("after the first sync")

        // Edits on both sides, an e-mail re-cased in GHL, a new phone in EspoCRM.
        _ = try await h.ghlClient.updateContact(pairs[1].ghl, ["city": "Denver", "email": .string(Harness.email(1).uppercased())])
        #expect(h.sandbox.espo.edit("Contact", id: pairs[2].espo, ["phoneNumber": "+15125559999", "addressCity": "Miami"]))
        let edits = try await h.run(["sync", "--json"])
        #expect(edits.code == 0, "\(edits)")
        #expect(h.sandbox.espo.record("Contact", id: pairs[1].espo)?["addressCity"]?.stringValue == "Denver")
        #expect(await h.ghlContact(id: pairs[2].ghl)?["city"]?.stringValue == "Miami")
        try await h.expectQuietNight("after edits on both sides")

        // A full listing, then another night.
        #expect(try await h.run(["sync", "--full"]).code == 0)
        try await h.expectQuietNight("after a full sync")
        #expect(await h.sandbox.ghl.contactCount(location: h.sandbox.locationId) == 5)
        #expect(h.sandbox.espo.count("Contact") == 5)
        await h.stop()
    }

    /// The quiet-night check itself can fail: a night with a real change is not quiet.
    @Test func theQuietNightCheckSeesANightThatWrites() async throws {
        let h = try await Harness()
        let pairs = try await h.pairs(0..<1)
        #expect(try await h.run(["sync"]).code == 0)
        #expect(h.sandbox.espo.edit("Contact", id: pairs[0].espo, ["addressCity": "Boston"]))
        await withKnownIssue("a change was made, so the night writes") {
            try await h.expectQuietNight("after an edit")
        }
        await h.stop()
    }
}
