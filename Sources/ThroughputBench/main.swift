import CLI
import Connectors
import Engine
import EspoClient
import Foundation
import GHLClient
import Synchronization
import SyncCore
import Transport

/// `make bench`, second part: 5 000 contacts created in GoHighLevel through the emulator, whose
/// location allows 100 requests a second (the real 100 per 10 s, ten times faster). Prints the
/// achieved request rate as a share of the limit, 429s as a share of requests, and API calls against
/// the minimum (listing pages plus one write per change).
///
///     throughput-bench [--contacts 5000] [--mappings mappings]
///     throughput-bench --record [--contacts 2000] [--businesses 200] [--mappings mappings]
///     throughput-bench --children [--contacts 10000] [--businesses 1000] [--calendars 10] [--overlap 300] [--mappings mappings]
///     throughput-bench --serve [--contacts 2000] [--rate 10] [--seconds 60] [--mappings mappings]
///
/// `--record` measures a contact's whole record instead (see `RecordBench.swift`); `--children` its
/// tasks, notes and appointments, first run and nightly (see `ChildrenBench.swift`); `--serve` the time
/// from a webhook to the write on the other side under `serve` (see `ServeBench.swift`).

var contacts = 5000
var businesses = 200
var record = false
var children = false
var calendars = 10
var overlap: Double?
var serve = false
var serveRate = 10.0
var serveSeconds = 60.0
var mappingsFolder = "mappings"
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--contacts": contacts = Int(arguments.popFirst() ?? "") ?? contacts
    case "--mappings": mappingsFolder = arguments.popFirst() ?? mappingsFolder
    case "--businesses": businesses = Int(arguments.popFirst() ?? "") ?? businesses
    case "--calendars": calendars = Int(arguments.popFirst() ?? "") ?? calendars
    case "--overlap": overlap = Double(arguments.popFirst() ?? "")
    case "--rate": serveRate = Double(arguments.popFirst() ?? "") ?? serveRate
    case "--seconds": serveSeconds = Double(arguments.popFirst() ?? "") ?? serveSeconds
    case "--serve":
        serve = true
        if !CommandLine.arguments.contains("--contacts") { contacts = 2000 }
    case "--record":
        record = true
        if !CommandLine.arguments.contains("--contacts") { contacts = 2000 }
    case "--children":
        children = true
        if !CommandLine.arguments.contains("--contacts") { contacts = 10_000 }
        if !CommandLine.arguments.contains("--businesses") { businesses = 1000 }
    default:
        FileHandle.standardError.write(Data("throughput-bench: unknown argument \(argument)\n".utf8))
        exit(1)
    }
}

if serve {
    exit(try await ServeBench(contacts: contacts, rate: serveRate, seconds: serveSeconds, mappings: mappingsFolder).run() ? 0 : 1)
}

if children {
    var bench = ChildrenBench(
        contacts: contacts, businesses: businesses, calendars: calendars, mappings: try Mapping.loadAll(directory: mappingsFolder))
    if let overlap { bench.settings.overlapSeconds = overlap }
    exit(try await bench.run() ? 0 : 1)
}

if record {
    try await RecordBench(contacts: contacts, businesses: businesses, mappings: try Mapping.loadAll(directory: mappingsFolder)).run()
    exit(0)
}

let limit = RateLimit(requests: 100, interval: .seconds(1), daily: 200_000, concurrency: 8)
let sandbox = try await Sandbox.start(people: 0, ghlLimit: limit)
for n in 0..<contacts {
    sandbox.espo.insert("Contact", [
        "firstName": "Bench", "lastName": .string("Person\(n)"),
        "emailAddress": .string("bench.\(n)+load@example.com"),
        "phoneNumber": .string("+1512\(String(format: "%07d", n))"), "addressCity": "Austin",
    ])
}
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("throughput-bench-\(getpid())").path
try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: folder) }

let ghl = GHLClient(
    .init(locationId: sandbox.locationId, baseURL: sandbox.ghlServer.baseURL, limit: limit),
    credentials: PrivateToken(sandbox.ghlToken))
// EspoCRM is only listed here (25 pages); its pace does not limit the measurement.
let espo = Espo.Client(
    siteURL: sandbox.espoServer.baseURL, credentials: Espo.APIKey(sandbox.espoAPIKey),
    rateLimit: RateLimit(requests: 1000, interval: .seconds(1), concurrency: 4))
let (lock, store) = try Engine.open(statePath: folder + "/state.sqlite")

/// When applying started and ended, from the engine's progress events.
struct Phase {
    var applyStart: ContinuousClock.Instant?
    var applyEnd: ContinuousClock.Instant?
    var requestsBeforeApply = 0
}
let phase = Mutex(Phase())
let engine = Engine(
    lock: lock, store: store, mappings: try Mapping.loadAll(directory: mappingsFolder),
    connectors: PerSide(ghl: GHLConnector(client: ghl), espo: EspoConnector(client: espo)),
    progress: { event in
        switch event {
        case .planned:
            let sent = ghl.counts.requests
            phase.withLock { $0.applyStart = .now; $0.requestsBeforeApply = sent }
        case .applied(_, let done, let total) where done == total:
            phase.withLock { $0.applyEnd = .now }
        default: break
        }
    })
let started = ContinuousClock.now
let summary = try await engine.run(RunOptions(mode: .sync, full: true))
let elapsed = ContinuousClock.now - started
await sandbox.ghlServer.stop()
await sandbox.espoServer.stop()

let created = summary.entities.first { $0.plan.entity == "contact" }?.plan.count(.create, on: .ghl) ?? 0
guard created == contacts, summary.failureCount == 0 else {
    FileHandle.standardError.write(Data("throughput-bench: planned \(created) creates, \(summary.failureCount) failed\n".utf8))
    exit(1)
}
let seconds = { (d: Duration) in Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
let (applyStart, applyEnd, before) = phase.withLock { ($0.applyStart!, $0.applyEnd!, $0.requestsBeforeApply) }
let ghlCounts = ghl.counts
let applyRequests = ghlCounts.requests - before
let applySeconds = seconds(applyEnd - applyStart)
let rate = Double(applyRequests) / applySeconds
let pages = (ghlCounts.byEndpoint["POST /contacts/search"] ?? 0) + espo.counts.requests
let minimum = pages + contacts
let calls = ghlCounts.requests + espo.counts.requests
let result: JSON = [
    "contacts": .number(Double(contacts)), "limitPerSecond": 100,
    "applySeconds": .number(applySeconds), "requestsWhileApplying": .number(Double(applyRequests)),
    "achievedRatePerSecond": .number(rate), "rateShareOfLimit": .number(rate / 100),
    "throttled": .number(Double(ghlCounts.throttled)), "throttledShare": .number(Double(ghlCounts.throttled) / Double(ghlCounts.requests)),
    "apiCalls": .number(Double(calls)), "minimumCalls": .number(Double(minimum)),
    "callsOverMinimum": .number(Double(calls) / Double(minimum)), "runSeconds": .number(seconds(elapsed)),
]
print(result.serialized(pretty: true))
