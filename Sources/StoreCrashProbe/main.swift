import Foundation
import StateStore
import SyncCore

// store-crash-probe STATE_FILE [BATCHES] [ROWS]
//
// The child process of the state store's crash test. It commits BATCHES batches, each one transaction of
// ROWS snapshot rows plus journal completions that add links and move a base, printing "committed N"
// after each. Then it starts one transaction that overwrites those rows and adds new ones without end,
// prints "in-transaction" once it is well inside (rows spilled to the WAL), and keeps writing until the
// test kills it with SIGKILL. The test then expects exactly the state after the last "committed".
//
// Keep the data in step with `CrashProbeData` in Tests/StateStoreTests/CrashTests.swift.

let entity = "contact"

func values(batch: Int, row: Int) -> FieldValues {
    ["email": .string("b\(batch)-r\(row)+probe@example.com"), "batch": .number(Double(batch)), "row": .number(Double(row))]
}

/// Writes a line to stdout unbuffered: the test reads it while this process runs.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("store-crash-probe: \(message)\n".utf8))
    exit(1)
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else { fail("usage: store-crash-probe STATE_FILE [BATCHES] [ROWS]") }
let batches = arguments.count > 2 ? Int(arguments[2]) ?? 3 : 3
let rows = arguments.count > 3 ? Int(arguments[3]) ?? 1000 : 1000

do {
    let store = try StateStore(path: arguments[1])
    let run = try store.beginRun(mode: "crash-probe", at: Date(timeIntervalSince1970: 1_700_000_000))
    for batch in 1...batches {
        // One transaction: this batch's rows, and "shared" rewritten with the batch number.
        var records = (0..<rows).map { row in
            (record: SideRecord(id: "g-\(batch)-\(row)", values: values(batch: batch, row: row)), identity: ["b\(batch)-r\(row)+probe@example.com"])
        }
        records.append((SideRecord(id: "shared", values: ["batch": .number(Double(batch))]), [""]))
        try store.saveSnapshot(entity: entity, side: .ghl, records: records, run: run)
        // Journal completions, each its own transaction: a new link per batch, and the first link's base moved.
        var operations = [Plan.Operation(
            action: .link, ghlId: "g-\(batch)-0", espoId: "e-\(batch)-0", base: values(batch: batch, row: 0))]
        if batch > 1 {
            operations.append(Plan.Operation(
                action: .update, target: .espo, ghlId: "g-1-0", espoId: "e-1-0",
                fields: [FieldChange(field: "batch", from: .number(Double(batch - 1)), to: .number(Double(batch)))],
                base: ["batch": .number(Double(batch))]))
        }
        for entry in try store.journal(run: run, entity: entity, operations: operations) {
            try store.markStarted(entry)
            try store.complete(entry, createdId: nil)
        }
        say("committed \(batch)")
    }
    // The transaction that never commits: every row rewritten, then new rows without end.
    let start = Date()
    let endless = (0...).lazy.map { n -> (record: SideRecord, identity: [String]) in
        let id = n < rows ? "g-1-\(n)" : n == rows ? "shared" : "big-\(n)"
        return (SideRecord(id: id, values: values(batch: 999, row: n)), ["big"])
    }
    try store.saveSnapshot(entity: entity, side: .ghl, records: endless, run: run) { count in
        if count == 50_000 { say("in-transaction") }
        // A safety net should the test never kill us: exiting mid-transaction commits nothing either.
        if count % 10_000 == 0, Date().timeIntervalSince(start) > 120 { fail("not killed within 120 s") }
    }
    fail("the endless transaction ended")
} catch {
    fail("\(error)")
}
