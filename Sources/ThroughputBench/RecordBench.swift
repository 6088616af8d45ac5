import CLI
import Connectors
import Engine
import EspoClient
import Foundation
import GHLClient
import SyncCore
import Transport

/// `throughput-bench --record`: a contact's whole record, businesses and company links included.
///
/// Half of the contacts and businesses live only in GoHighLevel, half only in EspoCRM, every contact
/// in a business of its own side. A first sync creates everything on the other side; then 1 % of the
/// contacts on each side are edited (half of those edits are clears) and a second sync carries them.
/// Both sides are paced at 100 requests a second (the GHL emulator enforces it, the EspoCRM client
/// keeps to it). Prints, per run, the API calls against the minimum — list pages plus one write per
/// changed record, GHL's bulk company calls counted as the batches they are — and, for the first run,
/// the wall time against the slower side's own time at its limit (its calls ÷ 100 per second).
struct RecordBench {
    let contacts: Int
    let businesses: Int
    let mappings: [Mapping]

    static let perSecond = 100

    func run() async throws {
        let limit = RateLimit(requests: Self.perSecond, interval: .seconds(1), daily: 200_000, concurrency: 8)
        let sandbox = try await Sandbox.start(people: 0, ghlLimit: limit)
        let location = sandbox.locationId
        // Seeding: businesses and contacts split over the sides, each contact in a business of its side.
        var ghlBusinesses: [String] = []
        var espoAccounts: [String] = []
        for b in 0..<businesses {
            let fields: JSONObject = ["name": .string("Company \(b)"), "city": "Austin", "country": "US"]
            if b % 2 == 0 {
                ghlBusinesses.append(await sandbox.ghl.seedBusiness(location: location, fields))
            } else if let id = sandbox.espo.seedAccount(name: "Company \(b)", ["billingAddressCity": "Austin"]) {
                espoAccounts.append(id)
            }
        }
        var ghlContacts: [String] = []
        var espoContacts: [String] = []
        for n in 0..<contacts {
            let email = "record.\(n)+bench@example.com"
            let phone = "+1512\(String(format: "%07d", n))"
            if n % 2 == 0 {
                let id = await sandbox.ghl.insertContact(location: location, [
                    "firstName": "Bench", "lastName": .string("Person\(n)"), "email": .string(email), "phone": .string(phone),
                    "city": "Austin", "tags": ["bench"],
                ])
                if !ghlBusinesses.isEmpty {
                    await sandbox.ghl.setBusiness(ghlBusinesses[(n / 2) % ghlBusinesses.count], contact: id, location: location)
                }
                ghlContacts.append(id)
            } else {
                var fields: JSONObject = [
                    "firstName": "Bench", "lastName": .string("Person\(n)"), "emailAddress": .string(email),
                    "phoneNumber": .string(phone), "addressCity": "Austin", "cTags": ["bench"],
                ]
                if !espoAccounts.isEmpty { fields["accountId"] = .string(espoAccounts[(n / 2) % espoAccounts.count]) }
                if let id = sandbox.espo.insert("Contact", fields) { espoContacts.append(id) }
            }
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("record-bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }

        /// One `sync`, with fresh clients (so their counts are this run's); the engine and its lock
        /// are gone when it returns.
        func sync() async throws -> (Report, seconds: Double) {
            let ghl = GHLClient(
                .init(locationId: location, baseURL: sandbox.ghlServer.baseURL, limit: limit), credentials: PrivateToken(sandbox.ghlToken))
            let espo = Espo.Client(
                siteURL: sandbox.espoServer.baseURL, credentials: Espo.APIKey(sandbox.espoAPIKey),
                rateLimit: RateLimit(requests: Self.perSecond, interval: .seconds(1), concurrency: 4))
            let engine = try Engine.open(
                statePath: folder + "/state.sqlite", mappings: mappings, settings: Engine.Settings(),
                connectors: { _ in PerSide(ghl: GHLConnector(client: ghl), espo: EspoConnector(client: espo)) })
            let started = ContinuousClock.now
            let summary = try await engine.run(RunOptions(mode: .sync))
            let seconds = Self.seconds(ContinuousClock.now - started)
            guard summary.failureCount == 0 else { throw BenchError("a run had \(summary.failureCount) failures") }
            return (Report(summary: summary, ghl: ghl.counts, espo: espo.counts), seconds)
        }

        let (firstRun, firstSeconds) = try await sync()
        let ghlCompanies = Set(espoContacts.indices.map { $0 % max(1, espoAccounts.count) }).count
        // EspoCRM's attribute check: one `GET Metadata` per entity type mapped.
        let checks = Set(mappings.map(\.sides.espo.object)).count
        // Creates both ways (contacts and businesses), and the company of every contact created in GHL
        // in batches of one business each (≤ 100 contacts a call).
        let firstWrites = contacts + businesses
            + (espoAccounts.isEmpty ? 0 : Self.batches(espoContacts.count, groups: ghlCompanies)) + checks

        // 1 % edited per side, half of them clears.
        let edits = max(1, contacts / 100)
        let editor = GHLClient(
            .init(locationId: location, baseURL: sandbox.ghlServer.baseURL, limit: limit), credentials: PrivateToken(sandbox.ghlToken))
        for (k, id) in ghlContacts.prefix(edits).enumerated() {
            _ = try await editor.updateContact(id, ["city": k % 2 == 0 ? .null : .string("Boston")])
        }
        for (k, id) in espoContacts.prefix(edits).enumerated() {
            sandbox.espo.edit("Contact", id: id, ["addressCity": k % 2 == 0 ? .null : .string("Denver")])
        }
        let (secondRun, _) = try await sync()
        await sandbox.ghlServer.stop()
        await sandbox.espoServer.stop()

        let slower = Double(max(firstRun.calls.ghl, firstRun.calls.espo)) / Double(Self.perSecond)
        let result: JSON = [
            "contacts": .number(Double(contacts)), "businesses": .number(Double(businesses)),
            "limitPerSecondEachSide": .number(Double(Self.perSecond)),
            "firstRun": firstRun.json(minimumWrites: firstWrites, extra: [
                "seconds": .number(firstSeconds), "slowerSideSecondsAtItsLimit": .number(slower),
                "wallOverSlowerSide": .number(firstSeconds / slower),
            ]),
            "secondRun": secondRun.json(minimumWrites: 2 * edits + checks, extra: [
                "editsPerSide": .number(Double(edits)), "clearsPerSide": .number(Double((edits + 1) / 2)),
            ]),
        ]
        print(result.serialized(pretty: true))
    }

    /// Calls for `count` records spread evenly over `groups` batches of at most 100.
    static func batches(_ count: Int, groups: Int) -> Int {
        guard groups > 0 else { return 0 }
        let per = (count + groups - 1) / groups
        return groups * ((per + GHLClient.maxContactsPerBusinessCall - 1) / GHLClient.maxContactsPerBusinessCall)
    }

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

    /// One run's calls.
    struct Report {
        let summary: RunSummary
        let ghl: CallCounts
        let espo: CallCounts

        var calls: PerSide<Int> { PerSide(ghl: ghl.requests, espo: espo.requests) }

        /// List pages: what any run must read.
        var pages: Int {
            let listing = ["POST /contacts/search", "GET /businesses/"]
            return listing.reduce(0) { $0 + (ghl.byEndpoint[$1] ?? 0) }
                + ["GET /Contact", "GET /Account"].reduce(0) { $0 + (espo.byEndpoint[$1] ?? 0) }
        }

        func json(minimumWrites: Int, extra: JSONObject) -> JSON {
            let minimum = pages + minimumWrites
            var object: JSONObject = [
                "apiCalls": .object(["ghl": .number(Double(ghl.requests)), "espo": .number(Double(espo.requests))]),
                "listPages": .number(Double(pages)), "minimumCalls": .number(Double(minimum)),
                "callsOverMinimum": .number(Double(ghl.requests + espo.requests) / Double(minimum)),
                "wholeRecordReads": .number(Double(ghl.byEndpoint["GET /contacts/{contactId}"] ?? 0)),
                "bulkBusinessCalls": .number(Double(ghl.byEndpoint["POST /contacts/bulk/business"] ?? 0)),
                "byEndpoint": .object(JSONObject(uniqueKeysWithValues: ghl.byEndpoint.merging(espo.byEndpoint) { $0 + $1 }
                    .sorted { $0.key < $1.key }.map { ($0.key, JSON.number(Double($0.value))) })),
            ]
            for (key, value) in extra { object[key] = value }
            return .object(object)
        }
    }
}

/// Why the benchmark could not measure.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
