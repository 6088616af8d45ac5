import ArgumentParser
import Engine
import Foundation
import GHLEmulator
import Logging
import SyncCore
import Transport

/// `emulate`: both emulators, seeded, on given ports: a sandbox for trying mappings.
struct EmulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulate",
        abstract: "Run the GoHighLevel and EspoCRM emulators, seeded, until interrupted: a sandbox for trying mappings.")

    @Option(help: "Port of the GoHighLevel emulator.") var ghlPort = 8081
    @Option(help: "Port of the EspoCRM emulator.") var espoPort = 8082
    @Option(help: "People to seed, spread over both sides.") var people = 300
    @Option(help: "Seed of the generated data.") var seed: UInt64 = 1
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Post the GoHighLevel emulator's signed webhooks to this URL (a running serve's, e.g. http://127.0.0.1:8787/webhooks/ghl).")
    var webhooks: String?

    func run() async throws {
        let sandbox = try await Sandbox.start(people: people, seed: seed, host: host, ghlPort: ghlPort, espoPort: espoPort)
        if let webhooks { await sandbox.ghl.deliverWebhooks(to: webhooks) }
        // The config names the emulator's webhook key, so that `serve` accepts what it signs.
        let config = sandbox.config(state: "state.sqlite", mappings: "mappings").replacingOccurrences(
            of: "\"auth\": { \"type\": \"privateToken\"",
            with: "\"webhooks\": { \"publicKey\": \"\(GHLWebhookKeys.test.publicKeyBase64)\" },\n           \"auth\": { \"type\": \"privateToken\"")
        Console.out("""
            GoHighLevel emulator: \(sandbox.ghlServer.baseURL) (location \(sandbox.locationId), calendar \(sandbox.calendarId))
            EspoCRM emulator:     \(sandbox.espoServer.baseURL)
            Seeded \(people) people: \(describe(sandbox.world))

            Save this as espo-ghl-sync.json next to a mappings/ folder (`espo-ghl-sync init` writes the default one):
            \(config)
            and export the credentials:
              export GHL_TOKEN=\(sandbox.ghlToken)
              export ESPO_API_KEY=\(sandbox.espoAPIKey)
            Request counts: GET \(sandbox.ghlServer.baseURL)/__emulator/log (and the same on the EspoCRM port).
            \(webhooks.map { "GoHighLevel webhooks go to \($0), signed with the emulator's key (ghl.webhooks.publicKey above)." }
                ?? "Webhooks: pass --webhooks URL to post the GoHighLevel emulator's to a running serve.")
            Stop with Ctrl-C.

            """)
        let interruption = Interruption()
        while !interruption.stop.isSet { try await Task.sleep(for: .milliseconds(200)) }
        await sandbox.stop()
    }
}

/// `demo`: a sandbox in a temporary folder, then plan → sync → plan.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Show a whole sync against both emulators: plan, sync, then plan again with nothing left to do.")

    @Option(help: "People to seed, spread over both sides.") var people = 300
    @Option(help: "The mappings folder to sync with (default: the default mappings built into the binary).") var mappings: String?
    @Option(help: "Seed of the generated data.") var seed: UInt64 = 1

    func run() async throws {
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
        // The demo's location allows 100 requests a second: the real limit's shape, ten times faster.
        let limit = RateLimit(requests: 100, interval: .seconds(1), daily: 200_000, concurrency: 8)
        let sandbox = try await Sandbox.start(people: people, seed: seed, ghlLimit: limit)
        defer { Task { await sandbox.stop() } }
        let configFile = folder + "/espo-ghl-sync.json"
        var text = sandbox.config(state: folder + "/state.sqlite", mappings: mappingsFolder)
        text = text.replacingOccurrences(
            of: "\"locationId\": \"\(sandbox.locationId)\",",
            with: "\"locationId\": \"\(sandbox.locationId)\", \"rateLimit\": { \"requests\": 100, \"intervalSeconds\": 1 }, "
                + "\"webhooks\": { \"publicKey\": \"\(GHLWebhookKeys.test.publicKeyBase64)\" },")
        // `serve` at the end polls every second, so that an EspoCRM edit shows within the demo.
        text = text.replacingOccurrences(of: "\"state\":", with: "\"serve\": { \"pollSeconds\": 1 },\n  \"state\":")
        try text.write(toFile: configFile, atomically: true, encoding: .utf8)
        let config = try GlobalOptions.parse(["--config", configFile]).loadConfig()
        let environment = ["GHL_TOKEN": sandbox.ghlToken, "ESPO_API_KEY": sandbox.espoAPIKey]

        Console.out("""
            espo-ghl-sync demo — two emulators on 127.0.0.1, state in \(folder)
            Seeded \(people) people: \(describe(sandbox.world))
            The emulated GoHighLevel location allows 100 requests a second (the real 100 per 10 s, ten times faster).

            ── 1. espo-ghl-sync plan ─────────────────────────────────────────────

            """)
        let first = try await Run.execute(.plan, config: config, json: false, options: try RunOptionsGroup.parse([]), environment: environment)
        Console.out("\n── 2. espo-ghl-sync sync ─────────────────────────────────────────────\n\n")
        let applied = try await Run.execute(.sync, config: config, json: false, options: try RunOptionsGroup.parse([]), environment: environment)
        Console.out("\n── 3. espo-ghl-sync plan, again ──────────────────────────────────────\n\n")
        let after = try await Run.execute(.plan, config: config, json: false, options: try RunOptionsGroup.parse([]), environment: environment)
        let ghlWrites = applied.entities.reduce(0) { $0 + $1.plan.writes.count }
        let ghl = sandbox.ghl, location = sandbox.locationId, espo = sandbox.espo
        let posts = espo.records("Note").count { $0["type"]?.stringValue == "Post" }
        Console.out("""

            ── What travelled ────────────────────────────────────────────────────

            \(applied.entities.map(travelled).joined(separator: "\n"))

            Planned \(first.entities.reduce(0) { $0 + $1.plan.writes.count }) writes, applied \(ghlWrites - applied.failureCount), \
            \(applied.failureCount) failed; the second plan has \(after.entities.reduce(0) { $0 + $1.plan.operations.count }) operations.
            GoHighLevel now holds \(await ghl.contactCount(location: location)) contacts, \
            \(await ghl.businessIds(location: location).count) businesses, \(await ghl.tasks(location: location).count) tasks, \
            \(await ghl.notes(location: location).count) notes and \(await ghl.appointments(location: location).count) appointments; \
            EspoCRM \(espo.count("Contact")) contacts, \(espo.count("Account")) accounts, \(espo.count("Task")) tasks, \
            \(posts) notes (Post) and \(espo.count("Meeting")) meetings.
            \(sandbox.world.notesByPerson) of EspoCRM's notes were written by a person, not the API user: they travel to \
            GoHighLevel, but a later change to one made in GoHighLevel is skipped (only a note's author may change it in EspoCRM).

            """)
        guard !after.hasPendingChanges, applied.failureCount == 0 else {
            throw CommandError("the demo did not converge: the second plan still has work (see above)")
        }
        try await serve(sandbox, config: config, environment: environment)
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

/// One entity's line of what a sync did: records created on each side, updated, deleted, and paired
/// as they were.
private func travelled(_ entity: RunSummary.Entity) -> String {
    let operations = entity.plan.operations
    func count(_ action: Plan.Operation.Action, _ target: Side? = nil) -> Int {
        operations.count { $0.action == action && (target == nil || $0.target == target) }
    }
    let name = entity.plan.entity.padding(toLength: 12, withPad: " ", startingAt: 0)
    var parts = [
        "\(count(.create, .ghl)) created in GoHighLevel", "\(count(.create, .espo)) in EspoCRM",
        "\(count(.update)) updated", "\(count(.link)) found alike on both sides and paired",
    ]
    if count(.delete) > 0 { parts.append("\(count(.delete)) deleted") }
    if !entity.plan.skipped.isEmpty { parts.append("\(entity.plan.skipped.count) skipped") }
    if !entity.failures.isEmpty { parts.append("\(entity.failures.count) failed") }
    return "  \(name) " + parts.joined(separator: ", ")
}
