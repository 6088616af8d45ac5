import Foundation
import Testing
import TestSupport
@testable import StateStore
import SyncCore

/// What `store-crash-probe` commits; keep in step with Sources/StoreCrashProbe/main.swift.
enum CrashProbeData {
    static func values(batch: Int, row: Int) -> FieldValues {
        ["email": .string("b\(batch)-r\(row)+probe@example.com"), "batch": .number(Double(batch)), "row": .number(Double(row))]
    }
}

/// Kills a process with SIGKILL in the middle of a transaction, then expects exactly the last commit.
@Suite struct CrashTests {
    /// `store-crash-probe`, built beside the test bundle.
    static func probeExecutable() throws -> String { try BuiltProduct.path("store-crash-probe") }

    @Test func aKillMidTransactionLeavesExactlyTheLastCommit() throws {
        let probe = try Self.probeExecutable()
        let folder = try TemporaryFolder()
        let path = folder.file()
        let batches = 4, rows = 2000

        let process = Process()
        process.executableURL = URL(fileURLWithPath: probe)
        process.arguments = [path, String(batches), String(rows)]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let pid = process.processIdentifier
        // Should the probe hang, kill it anyway so the test fails instead of waiting forever.
        let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + 120, execute: watchdog)

        var lines: [String] = []
        var buffer = Data()
        while !lines.contains("in-transaction") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            while let newline = buffer.firstIndex(of: 10) {
                lines.append(String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self))
                buffer.removeSubrange(buffer.startIndex...newline)
            }
        }
        kill(pid, SIGKILL)
        process.waitUntilExit()
        watchdog.cancel()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        try #require(lines.contains("in-transaction"), "the probe never got into its last transaction: \(lines) \(stderr)")
        #expect(lines.filter { $0.hasPrefix("committed ") } == (1...batches).map { "committed \($0)" })
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL)
        // The killed transaction reached the file (spilled to the WAL), so recovery had something to discard.
        #expect(bytes(path + "-wal").count > 1 << 20, "the uncommitted rows should have spilled into the WAL")

        let store = try StateStore(path: path)
        try store.verify()
        #expect(try store.snapshotCount(entity: "contact", side: .ghl) == batches * rows + 1)
        for (batch, row) in [(1, 0), (1, 1), (1, rows - 1), (2, 17), (batches, 0), (batches, rows - 1)] {
            let record = try store.snapshotRecord(entity: "contact", side: .ghl, id: "g-\(batch)-\(row)")
            #expect(record == SideRecord(id: "g-\(batch)-\(row)", values: CrashProbeData.values(batch: batch, row: row)))
        }
        #expect(try store.snapshotRecord(entity: "contact", side: .ghl, id: "shared")?.values == ["batch": .number(Double(batches))])
        #expect(try store.snapshotRecord(entity: "contact", side: .ghl, id: "big-\(rows + 1)") == nil)

        var expectedLinks = (1...batches).map { batch in
            Link(ghlId: "g-\(batch)-0", espoId: "e-\(batch)-0", base: CrashProbeData.values(batch: batch, row: 0))
        }
        expectedLinks[0].base["batch"] = .number(Double(batches))
        #expect(try store.links(entity: "contact") == expectedLinks)
        #expect(try store.unfinished(entity: nil).isEmpty)
        #expect(try store.recentRuns(limit: 5).map(\.status) == ["running"])
    }
}
