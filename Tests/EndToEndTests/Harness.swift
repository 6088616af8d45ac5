import CLI
import EspoClient
import EspoEmulator
import Foundation
import GHLClient
import GHLEmulator
import SyncCore
import Testing
import TestSupport
import Transport

/// Both emulators, empty or seeded, a config and a mappings folder in a temporary folder, and the
/// built `espo-ghl-sync` binary run against them as a child process: real processes, real HTTP.
final class Harness: Sendable {
    let sandbox: Sandbox
    let folder: TemporaryFolder
    let binary: String
    /// The repository's default mappings.
    static let repositoryMappings = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("mappings").path

    /// The emulated location allows 100 requests a second (the real 100 per 10 s, ten times faster);
    /// the config paces the client the same way.
    static let ghlLimit = RateLimit(requests: 100, interval: .seconds(1), daily: 200_000, concurrency: 8)

    /// The GHL calendar appointments made in EspoCRM go to, when `children` (nil: none configured).
    let calendarId: String?

    /// `children` adds the task, note and appointment mappings (and, with `calendar`, a GHL calendar
    /// in the config) to the contact and business ones.
    init(people: Int = 0, seed: UInt64 = 1, conflict: String? = nil, children: Bool = false, calendar: Bool = true) async throws {
        binary = try BuiltProduct.path("espo-ghl-sync")
        folder = try TemporaryFolder(prefix: "e2e")
        sandbox = try await Sandbox.start(people: people, seed: seed, ghlLimit: Self.ghlLimit)
        calendarId = children && calendar
            ? await sandbox.ghl.defaultCalendar(location: sandbox.locationId) : nil
        try FileManager.default.createDirectory(atPath: folder.file("mappings"), withIntermediateDirectories: true)
        let files = ["contacts.json", "businesses.json"] + (children ? ["tasks.json", "notes.json", "appointments.json"] : [])
        for file in files {
            var mapping = try String(contentsOfFile: Self.repositoryMappings + "/" + file, encoding: .utf8)
            if let conflict { mapping = mapping.replacingOccurrences(of: "\"newest-wins\"", with: "\"\(conflict)\"") }
            try mapping.write(toFile: folder.file("mappings/" + file), atomically: true, encoding: .utf8)
        }
        try config().write(toFile: folder.file("espo-ghl-sync.json"), atomically: true, encoding: .utf8)
    }

    func config() -> String {
        """
        { "ghl": { "baseURL": "\(sandbox.ghlServer.baseURL)", "locationId": "\(sandbox.locationId)",\(calendarId.map { " \"calendarId\": \"\($0)\"," } ?? "")
                   "auth": { "type": "privateToken", "tokenEnv": "GHL_TOKEN" },
                   "rateLimit": { "requests": 100, "intervalSeconds": 1 } },
          "espo": { "baseURL": "\(sandbox.espoServer.baseURL)", "auth": { "type": "apiKey", "apiKeyEnv": "ESPO_API_KEY" },
                    "rateLimit": { "requests": 100, "intervalSeconds": 1 } },
          "state": "state.sqlite", "mappings": "mappings" }
        """
    }

    func stop() async { await sandbox.stop() }

    // MARK: Running the binary

    struct Result: CustomStringConvertible {
        var code: Int32
        var stdout: String
        var stderr: String
        var json: JSON? { try? JSON(parsing: stdout) }
        var description: String { "exit \(code)\nstdout: \(stdout.prefix(3000))\nstderr: \(stderr.prefix(3000))" }
    }

    /// The environment the binary runs with: the two secrets, and the contract log folder if set.
    var environment: [String: String] {
        var environment = ["GHL_TOKEN": sandbox.ghlToken, "ESPO_API_KEY": sandbox.espoAPIKey,
                           "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        if let contract = ProcessInfo.processInfo.environment["CONTRACT_LOG_DIR"] { environment["CONTRACT_LOG_DIR"] = contract }
        return environment
    }

    /// Starts `espo-ghl-sync ARGUMENTS --config …`; output goes to files in the folder.
    func start(_ arguments: [String], environment extra: [String: String] = [:]) throws -> (Process, String) {
        let name = UUID().uuidString
        FileManager.default.createFile(atPath: folder.file(name + ".out"), contents: nil)
        FileManager.default.createFile(atPath: folder.file(name + ".err"), contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments + ["--config", folder.file("espo-ghl-sync.json")]
        process.environment = environment.merging(extra) { $1 }
        process.currentDirectoryURL = URL(fileURLWithPath: folder.path)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: folder.file(name + ".out")))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: folder.file(name + ".err")))
        try process.run()
        return (process, name)
    }

    /// Runs `espo-ghl-sync ARGUMENTS` to its end (killed after 180 s so a hang fails the test).
    @discardableResult
    func run(_ arguments: [String], environment extra: [String: String] = [:]) async throws -> Result {
        let (process, name) = try start(arguments, environment: extra)
        let pid = process.processIdentifier
        let watchdog = Task {
            try await Task.sleep(for: .seconds(180))
            kill(pid, SIGKILL)
        }
        while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        watchdog.cancel()
        return output(of: process, name: name)
    }

    func output(of process: Process, name: String) -> Result {
        Result(
            code: process.terminationStatus,
            stdout: (try? String(contentsOfFile: folder.file(name + ".out"), encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: folder.file(name + ".err"), encoding: .utf8)) ?? "")
    }

    // MARK: The two systems, as other users see them

    var ghlClient: GHLClient {
        GHLClient(.init(locationId: sandbox.locationId, baseURL: sandbox.ghlServer.baseURL, limit: Self.ghlLimit),
                  credentials: PrivateToken(sandbox.ghlToken))
    }

    var espoClient: Espo.Client {
        Espo.Client(siteURL: sandbox.espoServer.baseURL, credentials: Espo.APIKey(sandbox.espoAPIKey),
                    rateLimit: RateLimit(requests: 100, interval: .seconds(1), concurrency: 4))
    }

    /// Every GHL contact of the location, as `GET /contacts/{id}` shows it.
    func ghlContacts() async -> [JSONObject] {
        var contacts: [JSONObject] = []
        for id in await sandbox.ghl.contactIds(location: sandbox.locationId) {
            if let json = await sandbox.ghl.contactJSON(id, location: sandbox.locationId)?.objectValue { contacts.append(json) }
        }
        return contacts
    }

    /// Every live EspoCRM contact, as a single read shows it.
    func espoContacts() -> [JSONObject] {
        sandbox.espo.ids("Contact").compactMap { sandbox.espo.record("Contact", id: $0) }
    }

    func ghlContact(email: String) async -> JSONObject? {
        await ghlContacts().first { $0["email"]?.stringValue?.lowercased() == email.lowercased() }
    }

    func espoContact(email: String) -> JSONObject? {
        espoContacts().first { $0["emailAddress"]?.stringValue?.lowercased() == email.lowercased() }
    }

    /// Writes both request logs' counts off, so a test can count what one run sends.
    func resetRequestLogs() async {
        await sandbox.ghlServer.log.reset()
        await sandbox.espoServer.log.reset()
    }

    /// Writes (POST, PUT, PATCH, DELETE, except searches and token calls) each emulator received.
    func writes() async -> (ghl: Int, espo: Int) {
        (await sandbox.ghlServer.log.writes, await sandbox.espoServer.log.writes)
    }

    /// Puts the same person on both sides; returns (GHL id, EspoCRM id).
    @discardableResult
    func person(_ n: Int, ghl: JSONObject = [:], espo: JSONObject = [:], on sides: Set<Side> = [.ghl, .espo]) async -> (String?, String?) {
        let email = "person.\(n)+e2e@example.com"
        var ghlFields: JSONObject = ["firstName": "Pat", "lastName": .string("Number\(n)"), "email": .string(email),
                                     "phone": .string("+1512555\(String(format: "%04d", n))"), "city": "Austin"]
        for (key, value) in ghl { ghlFields[key] = value }
        var espoFields: JSONObject = ["firstName": "Pat", "lastName": .string("Number\(n)"), "emailAddress": .string(email),
                                      "phoneNumber": .string("+1512555\(String(format: "%04d", n))"), "addressCity": "Austin"]
        for (key, value) in espo { espoFields[key] = value }
        let ghlId = sides.contains(.ghl) ? await sandbox.ghl.insertContact(location: sandbox.locationId, ghlFields) : nil
        let espoId = sides.contains(.espo) ? sandbox.espo.insert("Contact", espoFields) : nil
        return (ghlId, espoId)
    }
}

/// The numbers of a `--json` document: `counts(json, "create", .ghl)`, of `entity` (default: contacts).
func count(_ json: JSON?, _ key: String, _ side: Side? = nil, entity: String = "contact") -> Int {
    var value = json?["entities"]?[entity]?[key]
    if let side { value = value?[side.rawValue] }
    return Int(value?.numberValue ?? -1)
}

// MARK: Lifecycle helpers (several nights in a row)

extension Harness {
    /// The e-mail `person(n)` gets.
    static func email(_ n: Int) -> String { "person.\(n)+e2e@example.com" }

    /// Puts people `range` on both sides (not yet linked: run a `sync`); returns their (GHL id, EspoCRM id).
    func pairs(_ range: Range<Int>, ghl: JSONObject = [:], espo: JSONObject = [:]) async throws -> [(ghl: String, espo: String)] {
        var pairs: [(ghl: String, espo: String)] = []
        for n in range {
            let (ghlId, espoId) = await person(n, ghl: ghl, espo: espo)
            pairs.append((try #require(ghlId), try #require(espoId)))
        }
        return pairs
    }

    /// A GHL contact by id, as `GET /contacts/{id}` shows it.
    func ghlContact(id: String) async -> JSONObject? {
        await sandbox.ghl.contactJSON(id, location: sandbox.locationId)?.objectValue
    }

    /// The next night, with nothing changed anywhere: a `sync` sends no write to either side and a
    /// `plan` exits 0 (the sync recognises its own writes and does not loop).
    func expectQuietNight(_ when: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        await resetRequestLogs()
        let again = try await run(["sync", "--json"])
        #expect(again.code == 0, "\(when): \(again)", sourceLocation: sourceLocation)
        let writes = await writes()
        #expect(writes == (0, 0), "\(when): the next sync wrote \(writes) (GHL, EspoCRM)\n\(again)", sourceLocation: sourceLocation)
        let plan = try await run(["plan"])
        #expect(plan.code == 0, "\(when): plan after the quiet sync\n\(plan)", sourceLocation: sourceLocation)
    }
}

/// A value that is absent, `null` or "".
func isBlank(_ value: JSON?) -> Bool {
    guard let value else { return true }
    return value.isNull || value.stringValue == ""
}
