import CLI
import Connectors
import Engine
import EspoClient
import Foundation
import GHLClient
import Synchronization
import SyncCore
import Transport

/// `throughput-bench --children`: a contact's activity — tasks, notes, appointments — with all five
/// default mappings, through both emulators over loopback HTTP.
///
/// Half of the contacts and businesses live only in GoHighLevel, half only in EspoCRM; each contact has
/// 2 tasks, 3 notes and, every other one, an appointment, on its own side. The runs:
///
/// 1. **first**: creates everything on the other side;
/// 2. **second**: right after 1 % of every entity was changed on each side;
/// 3. **quiet**: nothing changed; must write nothing;
/// 4. **nightly**: 1 % changed again, once the first run's writes are behind the listings, a night
///    after the last (so the notes sweep reads that night's seventh of the contacts);
/// 5. **quiet**: must write nothing.
///
/// Each run's GHL calls are counted per entity against the strategy's minimum (issue 10, item 3), and
/// timed at the real limit (100 per 10 s). The emulator allows 100 requests a second, ten times the
/// real pace, to keep the bench short. After every run the children are counted and compared on both
/// sides; a difference, a failure or a quiet run that writes exits non-zero.
struct ChildrenBench {
    let contacts: Int
    let businesses: Int
    let calendars: Int
    let mappings: [Mapping]
    /// The engine's settings (`--overlap` sets `overlapSeconds`; the defaults otherwise).
    var settings = Engine.Settings()

    static let perSecond = 100
    /// GHL's real limit: 100 requests per 10 s.
    static let realPerSecond = 10.0
    static let tasksPerContact = 2
    static let notesPerContact = 3

    func run() async throws -> Bool {
        let limit = RateLimit(requests: Self.perSecond, interval: .seconds(1), daily: 200_000, concurrency: 8)
        let sandbox = try await Sandbox.start(people: 0, ghlLimit: limit)
        let seedingStarted = ContinuousClock.now
        let world = await seed(sandbox)
        let seedingSeconds = RecordBench.seconds(ContinuousClock.now - seedingStarted)
        let calendarId = await sandbox.ghl.defaultCalendar(location: sandbox.locationId)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("children-bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }

        /// One `sync` with fresh clients, so that their counts are this run's.
        func sync() async throws -> Measured {
            let ghl = GHLClient(
                .init(locationId: sandbox.locationId, baseURL: sandbox.ghlServer.baseURL, limit: limit),
                credentials: PrivateToken(sandbox.ghlToken))
            // EspoCRM has no rate limit (EF §10): paced well above GHL so it never sets the pace.
            let espo = Espo.Client(
                siteURL: sandbox.espoServer.baseURL, credentials: Espo.APIKey(sandbox.espoAPIKey),
                rateLimit: RateLimit(requests: 1000, interval: .seconds(1), concurrency: 4))
            let scopes = ProgressNotes()
            let engine = try Engine.open(
                statePath: folder + "/state.sqlite", mappings: mappings, settings: settings,
                connectors: { _ in
                    PerSide(ghl: GHLConnector(client: ghl, calendars: .init(calendarId: calendarId)), espo: EspoConnector(client: espo))
                },
                progress: { event in
                    if case .note(let text) = event, text.contains("note: reading those of") { scopes.append(text) }
                })
            let started = ContinuousClock.now
            let summary = try await engine.run(RunOptions(mode: .sync))
            return Measured(
                summary: summary, ghl: ghl.counts, espo: espo.counts,
                seconds: RecordBench.seconds(ContinuousClock.now - started), scopes: scopes.all)
        }

        var runs: [JSON] = []
        var problems: [String] = []
        /// Runs a sync, checks both sides, and keeps its report.
        func measure(_ name: String, minimum: (Measured) -> [String: Int], quiet: Bool, noteEditsPending: [String: String] = [:]) async throws {
            let measured = try await sync()
            var found = await check(sandbox, world: world, measured: measured, quiet: quiet)
            let lagging = await laggingNotes(sandbox, expected: noteEditsPending)
            found = found.map { "\(name) run: \($0)" }
            problems += found
            runs.append(measured.json(name: name, minimum: minimum(measured), extra: [
                "problems": .array(found.map(JSON.string)),
                "noteEditsNotYetRead": .number(Double(lagging)),
            ]))
            FileHandle.standardError.write(Data("children-bench: \(name) run done: \(measured.ghl.requests) GHL calls in \(Int(measured.seconds)) s\(found.isEmpty ? "" : ", \(found.count) problems")\n".utf8))
        }

        /// The next run comes a night later: the notes sweep reads that night's share of the contacts.
        func nightPasses() throws {
            let (lock, store) = try Engine.open(statePath: folder + "/state.sqlite")
            try Engine.rewindSweep(of: "note", in: store, days: 1)
            _ = lock
        }

        FileHandle.standardError.write(Data("children-bench: seeded in \(Int(seedingSeconds)) s; first run…\n".utf8))
        try await measure("first", minimum: { firstMinimum($0, world: world) }, quiet: false)
        let firstEdits = try await edit(sandbox, world: world, limit: limit, round: 1)
        try nightPasses()
        try await measure("second", minimum: { nightlyMinimum($0, edits: firstEdits, nightPassed: true) }, quiet: false)
        try await measure("quiet", minimum: { nightlyMinimum($0, edits: .none, nightPassed: false) }, quiet: true)
        let nightlyEdits = try await edit(sandbox, world: world, limit: limit, round: 2)
        try nightPasses()
        try await measure(
            "nightly", minimum: { nightlyMinimum($0, edits: nightlyEdits, nightPassed: true) }, quiet: false, noteEditsPending: nightlyEdits.noteBodies)
        try await measure("quiet-after-nightly", minimum: { nightlyMinimum($0, edits: .none, nightPassed: false) }, quiet: true, noteEditsPending: nightlyEdits.noteBodies)
        await sandbox.stop()

        let result: JSON = [
            "contacts": .number(Double(contacts)), "businesses": .number(Double(businesses)),
            "tasks": .number(Double(world.tasks)), "notes": .number(Double(world.notes)),
            "appointments": .number(Double(world.appointments)), "calendars": .number(Double(calendars)),
            "emulatorLimitPerSecond": .number(Double(Self.perSecond)), "realLimitPerSecond": .number(Self.realPerSecond),
            "seedingSeconds": .number(seedingSeconds),
            "runs": .array(runs),
            "problems": .array(problems.map(JSON.string)),
        ]
        print(result.serialized(pretty: true))
        return problems.isEmpty
    }
}

/// The engine's progress notes of one run, kept from its progress closure.
final class ProgressNotes: Sendable {
    private let texts = Mutex<[String]>([])

    func append(_ text: String) { texts.withLock { $0.append(text) } }

    var all: [String] { texts.withLock { $0 } }
}
