import ArgumentParser
import Engine
import Foundation
import GHLEmulator
import Logging
import SyncCore
import Transport

/// `emulate`: both emulators, seeded, on given ports: a sandbox for trying mappings, misbehaving on demand.
struct EmulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulate",
        abstract: "Run the GoHighLevel and EspoCRM emulators, seeded, until interrupted: a sandbox for trying mappings.",
        discussion: """
            With --faults (or --ghl-faults, --espo-faults), --latency and --rate-limit the emulators misbehave as the real \
            services can; each injected fault is printed on stderr as it happens and counted at /__emulator/log. \
            --seed seeds the data and the fault rolls, so a run repeats.
            """)

    @Option(help: "Port of the GoHighLevel emulator (0: a free one).") var ghlPort = 8081
    @Option(help: "Port of the EspoCRM emulator (0: a free one).") var espoPort = 8082
    @Option(help: "People to seed, spread over both sides.") var people = 300
    @Option(help: "Seed of the generated data and of the fault rolls.") var seed: UInt64 = 1
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Post the GoHighLevel emulator's signed webhooks to this URL (a running serve's, e.g. http://127.0.0.1:8787/webhooks/ghl).")
    var webhooks: String?
    @OptionGroup var misbehaviour: FaultOptions

    func run() async throws {
        let faults = try misbehaviour.resolved()
        let burst = try misbehaviour.burstLimit(default: .ghl)
        let sandbox = try await Sandbox.start(
            people: people, seed: seed, host: host, ghlPort: ghlPort, espoPort: espoPort, ghlLimit: burst.rateLimit,
            ghlFaults: faults.ghlFaults(seed: seed), espoFaults: faults.espoFaults(seed: seed))
        await FaultLines.watch(sandbox.ghlServer, side: "ghl", limit: burst)
        await FaultLines.watch(sandbox.espoServer, side: "espo", limit: nil)
        if let webhooks { await sandbox.ghl.deliverWebhooks(to: webhooks) }
        // The config names the emulator's webhook key, so that `serve` accepts what it signs.
        let config = sandbox.config(state: "state.sqlite", mappings: "mappings").replacingOccurrences(
            of: "\"auth\": { \"type\": \"privateToken\"",
            with: "\"webhooks\": { \"publicKey\": \"\(GHLWebhookKeys.test.publicKeyBase64)\" },\n           \"auth\": { \"type\": \"privateToken\"")
        Console.out("""
            GoHighLevel emulator: \(sandbox.ghlServer.baseURL) (location \(sandbox.locationId), calendar \(sandbox.calendarId))
            EspoCRM emulator:     \(sandbox.espoServer.baseURL)
            Seeded \(people) people: \(describe(sandbox.world))

            \(describe(faults, burst: burst, seed: seed, watched: true))

            Save this as espo-ghl-sync.json next to a mappings/ folder (`espo-ghl-sync init` writes the default one); \
            its ghl.rateLimit paces the client to the emulator's:
            \(config)
            and export the credentials:
              export GHL_TOKEN=\(sandbox.ghlToken)
              export ESPO_API_KEY=\(sandbox.espoAPIKey)
            Request and fault counts: GET \(sandbox.ghlServer.baseURL)/__emulator/log (and the same on the EspoCRM port).
            \(webhooks.map { "GoHighLevel webhooks go to \($0), signed with the emulator's key (ghl.webhooks.publicKey above)." }
                ?? "Webhooks: pass --webhooks URL to post the GoHighLevel emulator's to a running serve.")
            Stop with Ctrl-C.

            """)
        let interruption = Interruption(stopping: "stopping the emulators (their data is not kept)")
        while !interruption.stop.isSet { try await Task.sleep(for: .milliseconds(200)) }
        await sandbox.stop()
    }
}

/// `demo`: a sandbox in a temporary folder, then plan → sync → plan; with faults, sync again until a
/// plan has nothing left.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Show a whole sync against both emulators: plan, sync, then plan again with nothing left to do.",
        discussion: """
            With --faults (or --ghl-faults, --espo-faults) the emulators misbehave; a sync may then end with failed \
            operations, and the demo syncs again (at most \(DemoCommand.maxSyncs) times) until a plan has nothing left, \
            or fails saying it did not converge.
            """)

    @Option(help: "People to seed, spread over both sides.") var people = 300
    @Option(help: "The mappings folder to sync with (default: the default mappings built into the binary).") var mappings: String?
    @Option(help: "Seed of the generated data and of the fault rolls.") var seed: UInt64 = 1
    @OptionGroup var misbehaviour: FaultOptions

    /// Syncs the demo runs at most before it says it did not converge.
    static let maxSyncs = 8

    func run() async throws {
        let faults = try misbehaviour.resolved()
        // The demo's location allows 100 requests a second: the real limit's shape, ten times faster.
        let burst = try misbehaviour.burstLimit(default: BurstLimit(requests: 100, seconds: 1))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("espo-ghl-sync-demo-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let mappingsFolder: String
        if let mappings {
            mappingsFolder = URL(fileURLWithPath: mappings).standardizedFileURL.path
        } else {
            mappingsFolder = folder + "/mappings"
            try InitCommand.writeMappings(into: mappingsFolder)
        }
        let sandbox = try await Sandbox.start(
            people: people, seed: seed, ghlLimit: burst.rateLimit, ghlFaults: faults.ghlFaults(seed: seed),
            espoFaults: faults.espoFaults(seed: seed))
        defer { Task { await sandbox.stop() } }
        let configFile = folder + "/espo-ghl-sync.json"
        var text = sandbox.config(state: folder + "/state.sqlite", mappings: mappingsFolder)
        text = text.replacingOccurrences(
            of: "\"auth\": { \"type\": \"privateToken\"",
            with: "\"webhooks\": { \"publicKey\": \"\(GHLWebhookKeys.test.publicKeyBase64)\" }, \"auth\": { \"type\": \"privateToken\"")
        // `serve` at the end polls every second, so that an EspoCRM edit shows within the demo.
        text = text.replacingOccurrences(of: "\"state\":", with: "\"serve\": { \"pollSeconds\": 1 },\n  \"state\":")
        try text.write(toFile: configFile, atomically: true, encoding: .utf8)
        let config = try GlobalOptions.parse(["--config", configFile]).loadConfig()
        let environment = ["GHL_TOKEN": sandbox.ghlToken, "ESPO_API_KEY": sandbox.espoAPIKey]
        let faulty = !faults.isNone

        let limitLine = burst == BurstLimit(requests: 100, seconds: 1)
            ? "The emulated GoHighLevel location allows 100 requests a second (the real 100 per 10 s, ten times faster)."
            : "The emulated GoHighLevel location allows \(burst) (the real one 100 per 10 s)."
        Console.out("""
            espo-ghl-sync demo — two emulators on 127.0.0.1, state in \(folder)
            Seeded \(people) people: \(describe(sandbox.world))
            \(limitLine)
            \(faulty ? "\n" + describe(faults, burst: burst, seed: seed, watched: false) + "\nA sync may then end with failed "
                + "operations (exit 3: retried next run), so the demo syncs again until a plan has nothing left, at most "
                + "\(Self.maxSyncs) times.\n" : "")
            ── 1. espo-ghl-sync plan ─────────────────────────────────────────────

            """)
        func execute(_ mode: RunSummary.Mode) async throws -> RunSummary? {
            do {
                return try await Run.execute(mode, config: config, json: false, options: try RunOptionsGroup.parse([]), environment: environment)
            } catch {
                // Without faults a failed run is the demo's failure; with them, an API that kept
                // failing past the retries stops this run, and the next one starts over.
                guard faulty else { throw error }
                Console.out("\nThis \(mode.rawValue) stopped: \(error)\nThe faults outlasted the retries of one request; the next run starts over.\n")
                return nil
            }
        }
        let first = try await execute(.plan)
        var syncs: [RunSummary] = []
        var attempts = 0
        var last: RunSummary?
        while attempts < Self.maxSyncs, last == nil {
            attempts += 1
            Console.out(attempts == 1
                ? "\n── 2. espo-ghl-sync sync ─────────────────────────────────────────────\n\n"
                : "\n── 2. espo-ghl-sync sync, run \(attempts) of at most \(Self.maxSyncs): what failed is retried ──────\n\n")
            guard let applied = try await execute(.sync) else { continue }
            syncs.append(applied)
            if applied.failureCount > 0 {
                Console.out("\n" + failures(of: applied, run: attempts))
                continue
            }
            Console.out("\n── 3. espo-ghl-sync plan, again ──────────────────────────────────────\n\n")
            guard let after = try await execute(.plan) else { continue }
            if after.hasPendingChanges {
                Console.out("\nThe plan still has \(after.entities.reduce(0) { $0 + $1.plan.operations.count }) operations: syncing again.\n")
            } else {
                last = after
            }
        }
        try await report(first: first, syncs: syncs, last: last, sandbox: sandbox, faulty: faulty)
        guard last != nil else {
            throw CommandError("the demo did not converge: after \(attempts) syncs a plan still has work or a run still fails (see above)")
        }
        if faulty {
            await sandbox.ghlServer.setFaults(.none)
            await sandbox.espoServer.setFaults(.none)
            Console.out("""
                Faults are turned off for step 4: serve's edits below are timed, and under faults those times would \
                show the retries' waits rather than how fast serve carries a change.

                """)
        }
        try await serve(sandbox, config: config, environment: environment)
    }

    /// One line per distinct reason a sync's operations failed, most frequent first.
    private func failures(of summary: RunSummary, run: Int) -> String {
        var reasons: [String: Int] = [:]
        for failure in summary.entities.flatMap(\.failures) {
            // The trace id differs for every answer; the rest says why.
            var reason = failure.message
            if let range = reason.range(of: #" \(traceId [^)]*\)"#, options: .regularExpression) { reason.removeSubrange(range) }
            reasons["\(failure.operation.action.rawValue) in \(failure.operation.target == .ghl ? "GoHighLevel" : "EspoCRM"): \(reason)", default: 0] += 1
        }
        let sorted = reasons.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        var lines = sorted.prefix(6).map { "  \($0.value) × \($0.key)" }
        if sorted.count > 6 { lines.append("  and \(sorted.dropFirst(6).reduce(0) { $0 + $1.value }) more, for other reasons") }
        return """
            Sync run \(run): \(summary.failureCount) operation\(summary.failureCount == 1 ? "" : "s") failed \
            (exit 3: kept and retried next run):
            \(lines.joined(separator: "\n"))

            """
    }

    /// What travelled, what each side holds, and with faults what each emulator injected; throws
    /// when the plan came out empty but the sides do not hold the same records.
    private func report(first: RunSummary?, syncs: [RunSummary], last: RunSummary?, sandbox: Sandbox, faulty: Bool) async throws {
        let ghl = sandbox.ghl, location = sandbox.locationId, espo = sandbox.espo
        let posts = espo.records("Note").count { $0["type"]?.stringValue == "Post" }
        let planned = (first ?? syncs.first)?.entities.reduce(0) { $0 + $1.plan.writes.count } ?? 0
        let applied = syncs.reduce(0) { total, sync in
            total + sync.entities.reduce(0) { $0 + $1.plan.writes.count } - sync.failureCount
        }
        let failed = syncs.reduce(0) { $0 + $1.failureCount }
        let lastOperations = last.map { $0.entities.reduce(0) { $0 + $1.plan.operations.count } }
        let tally: String
        if syncs.count == 1, last != nil, let lastOperations {
            tally = "Planned \(planned) writes, applied \(applied), \(syncs[0].failureCount) failed; the second plan has \(lastOperations) operations."
        } else {
            tally = "Planned \(planned) writes; \(syncs.count) syncs applied \(applied) and met \(failed) failure\(failed == 1 ? "" : "s") on the way, "
                + "each retried by the next run; " + (lastOperations.map { "the last plan has \($0) operations." } ?? "no plan came out empty.")
        }
        let counts = (
            contacts: (await ghl.contactCount(location: location), espo.count("Contact")),
            businesses: (await ghl.businessIds(location: location).count, espo.count("Account")),
            tasks: (await ghl.tasks(location: location).count, espo.count("Task")),
            notes: (await ghl.notes(location: location).count, posts),
            appointments: (await ghl.appointments(location: location).count, espo.count("Meeting")))
        Console.out("""

            ── What travelled ────────────────────────────────────────────────────

            \(travelled(syncs).joined(separator: "\n"))

            \(tally)
            GoHighLevel now holds \(counts.contacts.0) contacts, \(counts.businesses.0) businesses, \(counts.tasks.0) tasks, \
            \(counts.notes.0) notes and \(counts.appointments.0) appointments; EspoCRM \(counts.contacts.1) contacts, \
            \(counts.businesses.1) accounts, \(counts.tasks.1) tasks, \(counts.notes.1) notes (Post) and \(counts.appointments.1) meetings.
            \(sandbox.world.notesByPerson) of EspoCRM's notes were written by a person, not the API user: they travel to \
            GoHighLevel, but a later change to one made in GoHighLevel is skipped (only a note's author may change it in EspoCRM).

            """)
        let agree = counts.contacts.0 == counts.contacts.1 && counts.businesses.0 == counts.businesses.1
            && counts.tasks.0 == counts.tasks.1 && counts.notes.0 == counts.notes.1 && counts.appointments.0 == counts.appointments.1
        guard faulty else { return }
        let ghlTotals = await FaultLines.totals(sandbox.ghlServer.log)
        let espoTotals = await FaultLines.totals(sandbox.espoServer.log)
        Console.out("""
            ── What the emulators did ────────────────────────────────────────────

            GoHighLevel emulator: \(ghlTotals.text).
            EspoCRM emulator:     \(espoTotals.text).
            Reads, 5xx answers and dropped connections were retried by each request (up to 4 attempts) and 429s waited \
            out; writes whose outcome a fault left unknown failed and were retried by the next sync.
            \(last == nil ? "The demo did not converge." : agree
                ? "Converged after \(syncs.count) syncs: the last plan is empty and both sides agree, record for record."
                : "The last plan is empty, but the two sides do not hold the same numbers of records (see above).")

            """)
        if last != nil, !agree {
            throw CommandError("the plan came out empty, but GoHighLevel and EspoCRM hold different numbers of records (see above)")
        }
    }

    /// Step 4: `serve` for a few seconds, while one contact is edited in each emulator.
    private func serve(_ sandbox: Sandbox, config: Config, environment: [String: String]) async throws {
        Console.out("── 4. espo-ghl-sync serve, for a few seconds ─────────────────────────\n\n")
        var quiet = Logger(label: "espo-ghl-sync.demo")
        quiet.logLevel = .warning
        let serving = try await Serving.start(
            config: config, environment: environment, host: "127.0.0.1", port: 0, signals: [], logger: quiet)
        let url = "http://127.0.0.1:\(serving.server.port)"
        await sandbox.ghl.deliverWebhooks(to: url + "/webhooks/ghl")
        Console.out("serve listens on \(url); the GoHighLevel emulator posts its signed webhooks to \(url)/webhooks/ghl.\n")
        let ghl = sandbox.ghl, location = sandbox.locationId, espo = sandbox.espo
        var pair: (ghl: String, espo: String, name: String)?
        for id in await ghl.contactIds(location: location).sorted() {
            guard let email = await ghl.contactJSON(id, location: location)?["email"]?.stringValue,
                  let match = espo.records("Contact").first(where: { $0["emailAddress"]?.stringValue == email }),
                  let espoId = match["id"]?.stringValue
            else { continue }
            pair = (id, espoId, [match["firstName"]?.stringValue, match["lastName"]?.stringValue].compactMap { $0 }.joined(separator: " "))
            break
        }
        guard let pair else {
            await serving.stop()
            return
        }
        func waited(_ condition: () async -> Bool) async -> Double? {
            let start = Date()
            while Date().timeIntervalSince(start) < 20 {
                if await condition() { return Date().timeIntervalSince(start) }
                try? await Task.sleep(for: .milliseconds(50))
            }
            return nil
        }
        _ = await ghl.editContact(pair.ghl, location: location, ["city": "Reykjavik"])
        let toEspo = await waited { espo.record("Contact", id: pair.espo)?["addressCity"]?.stringValue == "Reykjavik" }
        Console.out("\(pair.name)'s city set to Reykjavik in GoHighLevel: "
            + (toEspo.map { String(format: "in EspoCRM %.1f s later (its webhook).", $0) } ?? "not in EspoCRM after 20 s.") + "\n")
        _ = espo.edit("Contact", id: pair.espo, ["addressCity": "Tromsø"])
        let toGHL = await waited { await ghl.contactJSON(pair.ghl, location: location)?["city"]?.stringValue == "Tromsø" }
        Console.out("\(pair.name)'s city set to Tromsø in EspoCRM: "
            + (toGHL.map { String(format: "in GoHighLevel %.1f s later (the poll).", $0) } ?? "not in GoHighLevel after 20 s.") + "\n")
        await serving.stop()
        Console.out("serve stopped.\n")
        guard toEspo != nil, toGHL != nil else { throw CommandError("serve did not carry the demo's edits (see above)") }
    }
}

/// The faults in force, per side, and the GHL emulator's rate limit; `watched`: each is printed on
/// stderr as it happens (`emulate`).
private func describe(_ faults: SandboxFaults, burst: BurstLimit, seed: UInt64, watched: Bool) -> String {
    var text = """
        Faults in force (rolls seeded by --seed \(seed), so the same flags and requests meet the same faults):
          GoHighLevel: \(faults.ghl), latency \(faults.ghlLatency) ms; rate limit \(burst) per location (429 with X-RateLimit-* beyond it)
          EspoCRM:     \(faults.espo), latency \(faults.espoLatency) ms; no rate limit (EspoCRM has none of its own)
        """
    if watched { text += "\nEach injected fault, and each 429 of the rate limit, is printed on stderr as it happens." }
    if faults.ghl.rates.isEmpty && faults.espo.rates.isEmpty {
        text += "\nPass --faults 500=0.1,drop=0.05,429=0.02 (or --ghl-faults, --espo-faults) to make them misbehave."
    }
    return text
}

/// The seeded world, one line per entity.
private func describe(_ world: Sandbox.World) -> String {
    func sides(_ count: Sandbox.PerSideCount, both: String = "alike on both sides") -> String {
        "\(count.both) \(both), \(count.ghlOnly) only in GoHighLevel, \(count.espoOnly) only in EspoCRM"
    }
    return """
        \(world.same) alike on both sides, \(world.differing) on both with different fields, \(world.conflicting) conflicting, \
        \(world.ghlOnly) only in GoHighLevel, \(world.espoOnly) only in EspoCRM; \(world.withCompany) of them in a company, \(world.tagged) tagged.
          businesses:   \(sides(world.businesses, both: "on both sides (spelled differently)"))
          tasks:        \(sides(world.tasks)) (\(world.completedTasks) completed, \(world.undatedTasks) without a due date)
          notes:        \(sides(world.notes)) (\(world.notesByPerson) in EspoCRM by a person, not the API user)
          appointments: \(sides(world.appointments)) (\(world.pastAppointments) three days ago, the rest ahead)
        """
}

/// One line per entity of what the syncs did: records created on each side, updated, deleted, and
/// paired as they were, counting each operation once however many runs it took.
private func travelled(_ syncs: [RunSummary]) -> [String] {
    var names: [String] = []
    var applied: [String: [Plan.Operation]] = [:]
    var skipped: [String: Int] = [:]
    var failed: [String: Int] = [:]
    for sync in syncs {
        for entity in sync.entities {
            let name = entity.plan.entity
            if applied[name] == nil { names.append(name) }
            let failures = Set(entity.failures.map(\.operation))
            applied[name, default: []] += entity.plan.operations.filter { !failures.contains($0) }
            skipped[name] = entity.plan.skipped.count
            failed[name, default: 0] += entity.failures.count
        }
    }
    return names.map { name in
        let operations = applied[name] ?? []
        func count(_ action: Plan.Operation.Action, _ target: Side? = nil) -> Int {
            operations.count { $0.action == action && (target == nil || $0.target == target) }
        }
        var parts = [
            "\(count(.create, .ghl)) created in GoHighLevel", "\(count(.create, .espo)) in EspoCRM",
            "\(count(.update)) updated", "\(count(.link)) found alike on both sides and paired",
        ]
        if count(.delete) > 0 { parts.append("\(count(.delete)) deleted") }
        if let n = skipped[name], n > 0 { parts.append("\(n) skipped") }
        if let n = failed[name], n > 0 { parts.append(syncs.count > 1 ? "\(n) failed on the way and retried" : "\(n) failed") }
        return "  \(name.padding(toLength: 12, withPad: " ", startingAt: 0)) " + parts.joined(separator: ", ")
    }
}
