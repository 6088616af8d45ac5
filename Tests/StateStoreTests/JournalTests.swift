import Foundation
import Testing
import TestSupport
@testable import StateStore
import SyncCore

/// The journal, and what completing each action does to links and base.
@Suite struct JournalTests {
    let folder: TemporaryFolder
    let store: StateStore
    let run: Int64

    init() throws {
        folder = try TemporaryFolder()
        store = try StateStore(path: folder.file())
        run = try store.beginRun(mode: "sync", at: epoch)
    }

    func link(_ ghl: String = "g1", _ espo: String = "e1") throws -> Link? {
        try store.links(entity: "contact").first { $0.ghlId == ghl || $0.espoId == espo }
    }

    @Test func entriesRoundTripAndMoveThroughTheirStates() throws {
        let operations = [
            Plan.Operation(action: .create, target: .espo, ghlId: "g9",
                      fields: [FieldChange(field: "email", from: nil, to: .string("a+b@x.com")),
                               FieldChange(field: "tags", from: .empty, to: .list(["crm", "vip"]), settledConflict: true)],
                      base: ["email": .string("a+b@x.com"), "tags": .list(["crm", "vip"]), "n": .number(2.5), "b": .bool(false)],
                      replacing: LinkKey(ghlId: "g9", espoId: "e-old"), reason: "deleted in EspoCRM but edited in GoHighLevel"),
            Plan.Operation(action: .update, target: .ghl, ghlId: "g1", espoId: "e1",
                      fields: [FieldChange(field: "city", from: .string(""), to: .empty)], base: ["city": .empty]),
            Plan.Operation(action: .forget, ghlId: "g2", espoId: "e2", reason: "deleted on both sides"),
        ]
        let ids = try store.journal(run: run, entity: "contact", operations: operations)
        #expect(ids.count == 3 && ids == ids.sorted())
        var entries = try store.unfinished(entity: "contact")
        #expect(entries.map(\.operation) == operations)
        #expect(entries.map(\.status) == [.pending, .pending, .pending])
        #expect(entries.allSatisfy { $0.run == run && $0.attempts == 0 && $0.lastError == nil && $0.createdId == nil })

        try store.markStarted(ids[0])
        try store.fail(ids[0], error: "HTTP 502 from EspoCRM", outcomeUnknown: false)
        try store.markStarted(ids[0])
        try store.markStarted(ids[1])
        try store.fail(ids[1], error: "timed out after 30 s", outcomeUnknown: true)
        entries = try store.unfinished(entity: nil)
        #expect(entries.map(\.status) == [.inFlight, .unknown, .pending])
        #expect(entries.map(\.attempts) == [2, 1, 0])
        #expect(entries.map(\.lastError) == ["HTTP 502 from EspoCRM", "timed out after 30 s", nil])

        try store.complete(ids[2], createdId: nil)
        #expect(try store.unfinished(entity: nil).map(\.id) == [ids[0], ids[1]])
        #expect(try store.unfinished(entity: "task").isEmpty)
    }

    @Test func oldServePassesNothingRefersToArePrunedAndNothingElse() throws {
        let old = Date(timeIntervalSince1970: 1_000), recent = Date(timeIntervalSince1970: 9_000)
        func pass(at date: Date, mode: String = "serve") throws -> Int64 {
            let id = try store.beginRun(mode: mode, at: date)
            try store.finishRun(id, status: "ok", at: date, summary: [:])
            return id
        }
        let quiet = try pass(at: old), quietSync = try pass(at: old, mode: "sync"), late = try pass(at: recent)
        let failing = try pass(at: old)
        let entry = try store.journal(run: failing, entity: "contact", operations: [Plan.Operation(action: .update, target: .ghl, ghlId: "g1", espoId: "e1")])
        try store.fail(entry[0], error: "HTTP 500", outcomeUnknown: false)
        let unfinished = try store.beginRun(mode: "serve", at: old)
        #expect(try store.pruneRuns(mode: "serve", finishedBefore: Date(timeIntervalSince1970: 5_000)) == 1)
        let left = Set(try store.recentRuns(limit: 100).map(\.id))
        #expect(!left.contains(quiet))
        #expect(left.isSuperset(of: [run, quietSync, late, failing, unfinished]))
        #expect(try store.unfinished(entity: "contact").map(\.id) == entry)
    }

    @Test func pruningDropsOnlySettledEntriesOfOlderRuns() throws {
        // Run 1 (from init) settles one entry and leaves one failed; runs 2 and 3 settle one each.
        let first = try store.journal(run: run, entity: "contact", operations: [
            Plan.Operation(action: .link, ghlId: "g1", espoId: "e1"), Plan.Operation(action: .update, target: .ghl, ghlId: "g1", espoId: "e1"),
        ])
        try store.complete([first[0]])
        try store.fail(first[1], error: "HTTP 500", outcomeUnknown: false)
        for n in 2...3 {
            let later = try store.beginRun(mode: "sync", at: epoch)
            let ids = try store.journal(run: later, entity: "contact", operations: [Plan.Operation(action: .link, ghlId: "g\(n)", espoId: "e\(n)")])
            try store.complete(ids)
        }
        #expect(try store.pruneJournal(keepingRuns: 2) == 1)
        #expect(try store.unfinished(entity: "contact").map(\.id) == [first[1]])
        #expect(try store.pruneJournal(keepingRuns: 2) == 0)
        #expect(try store.pruneJournal(keepingRuns: 100) == 0)
        // Pruning the journal leaves links alone.
        #expect(try store.linkCount(entity: "contact") == 3)
    }

    @Test func linkCreatesTheLinkWithItsBase() throws {
        try store.apply(Plan.Operation(action: .link, ghlId: "g1", espoId: "e1", base: ["email": .string("a@x.com")]), run: run)
        #expect(try link() == Link(ghlId: "g1", espoId: "e1", base: ["email": .string("a@x.com")]))
        #expect(try store.linkCount(entity: "contact") == 1)
        #expect(try store.linkCount(entity: "task") == 0)
    }

    @Test func updateAndRebaseMergeIntoTheBase() throws {
        try store.apply(Plan.Operation(action: .link, ghlId: "g1", espoId: "e1",
                                  base: ["email": .string("a@x.com"), "city": .string("Oslo")]), run: run)
        try store.apply(Plan.Operation(action: .update, target: .espo, ghlId: "g1", espoId: "e1",
                                  fields: [FieldChange(field: "city", from: .string("Oslo"), to: .string("Lima"))],
                                  base: ["city": .string("Lima")]), run: run)
        try store.apply(Plan.Operation(action: .rebase, ghlId: "g1", espoId: "e1", base: ["tags": .list(["crm"])]), run: run)
        #expect(try link()?.base == ["email": .string("a@x.com"), "city": .string("Lima"), "tags": .list(["crm"])])
    }

    @Test func aReplacingRebaseDropsWhatTheMappingNoLongerHas() throws {
        try store.apply(Plan.Operation(action: .link, ghlId: "g1", espoId: "e1",
                                  base: ["email": .string("a@x.com"), "city": .string("Oslo")]), run: run)
        let rebase = Plan.Operation(action: .rebase, ghlId: "g1", espoId: "e1", base: ["email": .string("a@x.com")],
                               replacesBase: true, reason: "the mapping no longer has city")
        try store.apply(rebase, run: run)
        #expect(try link()?.base == ["email": .string("a@x.com")])
        let entry = try store.journal(run: run, entity: "contact", operations: [rebase])[0]
        #expect(try store.unfinished(entity: "contact").first { $0.id == entry }?.operation == rebase)
    }

    @Test func unlinkPausesAndLinkResumes() throws {
        try store.apply(Plan.Operation(action: .link, ghlId: "g1", espoId: "e1", base: ["email": .string("a@x.com")]), run: run)
        try store.apply(Plan.Operation(action: .unlink, target: .ghl, ghlId: "g1", espoId: "e1", reason: "left the filter"), run: run)
        #expect(try link()?.paused == true)
        try store.apply(Plan.Operation(action: .link, ghlId: "g1", espoId: "e1", base: ["city": .string("Oslo")]), run: run)
        #expect(try link() == Link(ghlId: "g1", espoId: "e1", base: ["email": .string("a@x.com"), "city": .string("Oslo")]))
    }

    @Test func createLinksTheNewRecordAndReplacesTheOldLink() throws {
        try store.apply(Plan.Operation(action: .create, target: .espo, ghlId: "g1", base: ["email": .string("a@x.com")]),
                        run: run, createdId: "e-new")
        #expect(try link() == Link(ghlId: "g1", espoId: "e-new", base: ["email": .string("a@x.com")]))
        let entry = try store.apply(
            Plan.Operation(action: .create, target: .ghl, espoId: "e2", base: ["lastName": .string("Hopper")]), run: run, createdId: "g-new")
        #expect(try link("g-new", "e2")?.base == ["lastName": .string("Hopper")])
        // The record deleted in EspoCRM and edited in GHL is created again: the new link replaces the old.
        try store.apply(Plan.Operation(action: .create, target: .espo, ghlId: "g1", base: ["email": .string("b@x.com")],
                                  replacing: LinkKey(ghlId: "g1", espoId: "e-new")), run: run, createdId: "e-newer")
        #expect(try store.links(entity: "contact") == [
            Link(ghlId: "g-new", espoId: "e2", base: ["lastName": .string("Hopper")]),
            Link(ghlId: "g1", espoId: "e-newer", base: ["email": .string("b@x.com")]),
        ])
        // Completing again changes nothing.
        try store.complete(entry, createdId: "g-new")
        #expect(try store.linkCount(entity: "contact") == 2)
    }

    @Test func createWithoutTheCreatedIdIsRefusedAndChangesNothing() throws {
        let entry = try store.journal(run: run, entity: "contact", operations: [
            Plan.Operation(action: .create, target: .espo, ghlId: "g1", base: ["email": .string("a@x.com")]),
        ])[0]
        try store.markStarted(entry)
        let error = stateError { () throws(StateStoreError) in try store.complete(entry, createdId: nil) }
        guard case .invalidOperation? = error?.kind else {
            Issue.record("expected .invalidOperation, got \(String(describing: error))")
            return
        }
        #expect(try store.linkCount(entity: "contact") == 0)
        #expect(try store.unfinished(entity: "contact").map(\.status) == [.inFlight])
    }

    @Test(arguments: [Plan.Operation.Action.forget, .delete])
    func forgetAndDeleteDropTheLink(action: Plan.Operation.Action) throws {
        try store.apply(Plan.Operation(action: .link, ghlId: "g1", espoId: "e1", base: [:]), run: run)
        try store.apply(Plan.Operation(action: .link, ghlId: "g2", espoId: "e2", base: [:]), run: run)
        try store.apply(Plan.Operation(action: action, target: action == .delete ? .espo : nil, ghlId: "g1", espoId: "e1"), run: run)
        #expect(try store.links(entity: "contact").map(\.key) == [LinkKey(ghlId: "g2", espoId: "e2")])
    }

    @Test func brokenRulesAreTypedErrors() throws {
        try store.apply(Plan.Operation(action: .link, ghlId: "g1", espoId: "e1", base: [:]), run: run)
        for operation in [
            Plan.Operation(action: .update, target: .ghl, ghlId: "g9", espoId: "e9", base: ["a": .empty]),
            Plan.Operation(action: .link, ghlId: "g1", espoId: "e2", base: [:]),
            Plan.Operation(action: .link, ghlId: "g2", espoId: "e1", base: [:]),
            Plan.Operation(action: .unlink, ghlId: "g9", espoId: "e9"),
        ] {
            let entry = try store.journal(run: run, entity: "contact", operations: [operation])[0]
            let error = stateError { () throws(StateStoreError) in try store.complete(entry, createdId: nil) }
            guard case .invalidOperation? = error?.kind else {
                Issue.record("expected .invalidOperation for \(operation.action), got \(String(describing: error))")
                continue
            }
            #expect(error?.description.contains(store.path) == true)
        }
        #expect(try store.links(entity: "contact") == [Link(ghlId: "g1", espoId: "e1", base: [:])])
        #expect(stateError { () throws(StateStoreError) in try store.complete(999, createdId: nil) }?.kind == .unknownJournalEntry(id: 999))
        #expect(stateError { () throws(StateStoreError) in try store.markStarted(999) }?.kind == .unknownJournalEntry(id: 999))
        #expect(stateError { () throws(StateStoreError) in
            try store.fail(999, error: "x", outcomeUnknown: false)
        }?.kind == .unknownJournalEntry(id: 999))
        let applied = try store.apply(Plan.Operation(action: .rebase, ghlId: "g1", espoId: "e1", base: ["a": .empty]), run: run)
        guard case .invalidOperation? = stateError({ () throws(StateStoreError) in try store.markStarted(applied) })?.kind else {
            Issue.record("starting an applied entry must be refused")
            return
        }
    }
}
