import Foundation
import Testing
import TestSupport
@testable import StateStore
import SyncCore

/// The conflict queue: queued, refreshed, resolved, fed back, applied.
@Suite struct ConflictTests {
    let folder: TemporaryFolder
    let store: StateStore

    init() throws {
        folder = try TemporaryFolder()
        store = try StateStore(path: folder.file())
    }

    static let link = LinkKey(ghlId: "g1", espoId: "e1")

    static func conflict(field: String = "city", ghl: FieldValue? = .string("Lima"), resolution: Conflict.Resolution = .queued) -> Conflict {
        Conflict(link: link, field: field, base: .string("Oslo"), ghl: ghl, espo: .empty, policy: .manual, resolution: resolution)
    }

    @Test func onlyQueuedConflictsAreQueuedOncePerField() throws {
        let first = try store.beginRun(mode: "sync", at: epoch)
        let deleted = Conflict(link: Self.link, field: "*", kind: .deleteVersusEdit(deletedOn: .espo), base: nil,
                               ghl: nil, espo: nil, policy: .manual, resolution: .queued)
        try store.queueConflicts([Self.conflict(), Self.conflict(field: "phone", resolution: .took(.ghl)), deleted],
                                 entity: "contact", run: first)
        var open = try store.openConflicts(entity: "contact")
        #expect(open.map(\.conflict) == [Self.conflict(), deleted])
        #expect(open.allSatisfy { $0.status == .open && $0.detectedRun == first && $0.entity == "contact" })

        // Queued again by a later run: the same row, refreshed values, first run kept.
        let second = try store.beginRun(mode: "sync", at: epoch)
        try store.queueConflicts([Self.conflict(ghl: nil)], entity: "contact", run: second)
        open = try store.openConflicts(entity: nil)
        #expect(open.count == 2)
        #expect(open[0].conflict.ghl == nil)
        #expect(open[0].detectedRun == first)
        #expect(try store.openConflicts(entity: "task").isEmpty)
    }

    @Test func resolutionsFlowIntoThePlanUntilApplied() throws {
        let run = try store.beginRun(mode: "sync", at: epoch)
        try store.queueConflicts([Self.conflict(), Self.conflict(field: "phone")], entity: "contact", run: run)
        let open = try store.openConflicts(entity: "contact")
        try store.resolveConflict(id: open[0].id, take: .espo)
        try store.resolveConflict(id: open[0].id, take: .ghl)   // changed their mind
        #expect(try store.openConflicts(entity: "contact").map(\.id) == [open[1].id])
        let key = ConflictKey(link: Self.link, field: "city")
        #expect(try store.resolutions(entity: "contact") == [key: .ghl])
        #expect(try store.resolutions(entity: "task").isEmpty)

        try store.markResolutionsApplied([key], entity: "contact")
        #expect(try store.resolutions(entity: "contact").isEmpty)
        guard case .invalidOperation? = stateError({ () throws(StateStoreError) in
            try store.resolveConflict(id: open[0].id, take: .espo)
        })?.kind else {
            Issue.record("an applied resolution must not change")
            return
        }
        // A new conflict on the same field opens a new row.
        try store.queueConflicts([Self.conflict()], entity: "contact", run: run)
        #expect(try store.openConflicts(entity: "contact").count == 2)
    }

    @Test func anUnknownConflictIsNamed() throws {
        let error = stateError { () throws(StateStoreError) in try store.resolveConflict(id: 42, take: .ghl) }
        #expect(error?.kind == .unknownConflict(id: 42))
        #expect(error?.description.contains(store.path) == true)
    }
}
