import Foundation
import StateStore
import SyncCore

/// `make bench`: snapshot ingest against the bare SQLite insert rate, then plan time and peak RSS for
/// 100 000 and 1 000 000 linked contacts (10 % changed per side, 1 % conflicting).
///
///     sync-bench [--sizes 100000,1000000] [--dir DIR] [--mapping mappings/contacts.json] [--newcomers PERCENT] [--keep]
///
/// `--newcomers 1` adds 1 % unlinked records per side, to be created on the other side, as a nightly run
/// has; `--keep` leaves the state files in DIR.
///     sync-bench plan STATE_FILE MAPPING      (the planning step, run as its own process)


func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
func seconds(since start: UInt64) -> Double { Double(now() - start) / 1e9 }

/// Peak resident set size of this process, in bytes.
///
/// On Linux this is `VmHWM` of /proc/self/status: `getrusage` would also count the memory of the parent
/// this process was spawned from, before it started running this program.
func peakRSS() -> Int {
    #if os(Linux)
    if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
       let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
       let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) {
        return kilobytes * 1024
    }
    return 0
    #else
    var usage = rusage()
    getrusage(RUSAGE_SELF, &usage)
    return usage.ru_maxrss
    #endif
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("sync-bench: \(message)\n".utf8))
    exit(1)
}

/// The planning step in its own process, so its peak RSS is the planner's alone.
func planChild(stateFile: String, mappingFile: String) throws {
    let mapping = try Mapping.load(file: mappingFile)
    let store = try StateStore(path: stateFile)
    let start = now()
    let ghl = try store.snapshotCount(entity: mapping.entity, side: .ghl)
    let espo = try store.snapshotCount(entity: mapping.entity, side: .espo)
    let plan = try store.plan(mapping: mapping, options: PlanOptions(),
                              listings: PerSide(ghl: .full(count: ghl), espo: .full(count: espo)))
    let elapsed = seconds(since: start)
    let result: JSON = [
        "seconds": .number(elapsed), "peakRSS": .number(Double(peakRSS())),
        "toGHL": .number(Double(plan.count(.update, on: .ghl))), "toEspo": .number(Double(plan.count(.update, on: .espo))),
        "conflicts": .number(Double(plan.conflictingRecords)), "unchanged": .number(Double(plan.unchanged)),
        "operations": .number(Double(plan.operations.count)),
        "creates": .number(Double(plan.operations.count { $0.action == .create })),
    ]
    print(result.serialized())
}

struct Figures {
    var count: Int
    var newcomers: Int
    var rawRate: Double
    var ingestRate: Double
    var linkRate: Double
    var planSeconds: Double
    var planPeakRSS: Int
    var operations: Int
}

func run(count: Int, newcomers: Int, dir: String, mappingFile: String, keep: Bool) throws -> Figures {
    let mapping = try Mapping.load(file: mappingFile)
    let statePath = "\(dir)/bench-\(count).sqlite"
    let rawPath = "\(dir)/raw-\(count).sqlite"
    for path in [statePath, rawPath] {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
    let batch = 5_000
    let total = count + newcomers
    func record(_ n: Int, _ side: Side) -> SideRecord {
        n < count ? SyntheticContacts.record(n, side: side) : SyntheticContacts.newcomer(n - count, of: count, side: side)
    }
    FileHandle.standardError.write(Data("[\(count)] ingesting \(2 * (count + newcomers)) snapshot rows…\n".utf8))

    // Ingest through the store: canonical encoding, content hash, identity values, GRDB upsert.
    let store = try StateStore(path: statePath)
    let run = try store.beginRun(mode: "bench", at: Date())
    var ingestSeconds = 0.0
    for side in Side.allCases {
        var i = 0
        while i < total {
            let records = (i..<min(i + batch, total)).map { n -> (record: SideRecord, identity: [String]) in
                let r = record(n, side)
                return (r, mapping.identityValues(of: r.values))
            }
            let start = now()
            try store.saveSnapshot(entity: mapping.entity, side: side, records: records, run: run)
            ingestSeconds += seconds(since: start)
            i += batch
        }
    }
    var linkSeconds = 0.0
    var i = 0
    while i < count {
        let links = (i..<min(i + batch, count)).map(SyntheticContacts.link)
        let start = now()
        try store.insertLinks(links, entity: mapping.entity)
        linkSeconds += seconds(since: start)
        i += batch
    }

    // The same rows, in the same order and batches, through the bare C API into an identical, fresh table.
    FileHandle.standardError.write(Data("[\(count)] inserting the same rows through the SQLite C API…\n".utf8))
    _ = try StateStore(path: rawPath)
    let raw = try RawInsert(path: rawPath)
    for side in Side.allCases {
        var i = 0
        while i < total {
            let rows = (i..<min(i + batch, total)).map { n -> SnapshotRow in
                let r = record(n, side)
                let (payload, hash) = CanonicalEncoding.encode(r.values)
                return SnapshotRow(
                    side: side.rawValue, id: r.id, updatedAt: Int64((r.updatedAt?.timeIntervalSince1970 ?? 0) * 1000),
                    hash: Int64(bitPattern: hash), payload: payload,
                    identity: mapping.identityValues(of: r.values).joined(separator: "\u{1F}"))
            }
            try raw.insert(rows)
            i += batch
        }
    }
    let rawRate = Double(raw.rows) / raw.seconds

    // Planning, in a process of its own.
    FileHandle.standardError.write(Data("[\(count)] planning…\n".utf8))
    let child = Process()
    child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    child.arguments = ["plan", statePath, mappingFile]
    let pipe = Pipe()
    child.standardOutput = pipe
    try child.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    child.waitUntilExit()
    guard child.terminationStatus == 0, let result = try? JSON(parsing: Array(output)) else {
        fail("the planning step failed (status \(child.terminationStatus)): \(String(decoding: output, as: UTF8.self))")
    }
    let expected = SyntheticContacts(count: count).expected()
    let got = (result["toGHL"]?.numberValue.map(Int.init), result["toEspo"]?.numberValue.map(Int.init),
               result["conflicts"]?.numberValue.map(Int.init), result["creates"]?.numberValue.map(Int.init))
    guard got.0 == expected.toGHL, got.1 == expected.toEspo, got.2 == expected.conflicts, got.3 == 2 * newcomers else {
        fail("the plan is wrong: updates to GHL/EspoCRM, conflicts and creates \(got), expected \(expected) and \(2 * newcomers) creates")
    }
    for path in keep ? [rawPath] : [statePath, rawPath] {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
    return Figures(
        count: count, newcomers: newcomers, rawRate: rawRate, ingestRate: Double(2 * total) / ingestSeconds,
        linkRate: Double(count) / linkSeconds, planSeconds: result["seconds"]?.numberValue ?? 0,
        planPeakRSS: Int(result["peakRSS"]?.numberValue ?? 0), operations: Int(result["operations"]?.numberValue ?? 0))
}

func format(_ n: Double) -> String {
    let rounded = Int(n.rounded())
    var s = String(rounded)
    var i = s.count - 3
    while i > 0 {
        s.insert(" ", at: s.index(s.startIndex, offsetBy: i))
        i -= 3
    }
    return s
}

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    if arguments.first == "plan" {
        guard arguments.count == 3 else { fail("usage: sync-bench plan STATE_FILE MAPPING") }
        try planChild(stateFile: arguments[1], mappingFile: arguments[2])
        exit(0)
    }
    var sizes = [100_000, 1_000_000]
    var dir = FileManager.default.temporaryDirectory.path
    var mappingFile = "mappings/contacts.json"
    var keep = false
    var newcomerPercent = 0.0
    var index = 0
    while index < arguments.count {
        let value = index + 1 < arguments.count ? arguments[index + 1] : nil
        if arguments[index] == "--keep" {
            keep = true
            index += 1
            continue
        }
        switch (arguments[index], value) {
        case ("--sizes", let v?): sizes = v.split(separator: ",").compactMap { Int($0) }
        case ("--dir", let v?): dir = v
        case ("--newcomers", let v?): newcomerPercent = Double(v) ?? 0
        case ("--mapping", let v?): mappingFile = v
        default: fail("usage: sync-bench [--sizes 100000,1000000] [--dir DIR] [--mapping FILE] [--newcomers PERCENT] [--keep]")
        }
        index += 2
    }
    var results: [Figures] = []
    for size in sizes {
        let newcomers = Int(Double(size) * newcomerPercent / 100)
        results.append(try run(count: size, newcomers: newcomers, dir: dir, mappingFile: mappingFile, keep: keep))
    }

    print("| linked contacts | new per side | raw SQLite insert (rows/s) | snapshot ingest (rows/s) | ingest / raw | link import (rows/s) | plan time (s) | plan peak RSS (MiB) | operations planned |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for f in results {
        let share = Int((f.ingestRate / f.rawRate * 100).rounded())
        print("| \(format(Double(f.count))) | \(format(Double(f.newcomers))) | \(format(f.rawRate)) | \(format(f.ingestRate)) | \(share) % | \(format(f.linkRate)) | \(String(format: "%.2f", f.planSeconds)) | \(f.planPeakRSS / 1_048_576) | \(format(Double(f.operations))) |")
    }
} catch {
    fail("\(error)")
}
