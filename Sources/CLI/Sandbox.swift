import Emulation
import EspoEmulator
import Foundation
import GHLEmulator
import SyncCore
import Transport

/// Both emulators, running and seeded with one world of people: some on both sides alike, some on
/// both sides with differing fields (some of them conflicting), some on one side only; and their
/// tasks, notes and appointments (`Sandbox+Children.swift`). For `demo`, `emulate` and the end-to-end
/// tests.
public struct Sandbox: Sendable {
    public let ghl: GHLEmulator
    public let ghlServer: EmulatorServer
    public let espo: EspoEmulator
    public let espoServer: EmulatorServer
    public let locationId: String
    /// The Private Integration Token the GHL emulator issued for the location.
    public let ghlToken: String
    /// The EspoCRM API user's key.
    public let espoAPIKey: String
    /// The location's one calendar: GHL appointments are seeded in it, and those made in EspoCRM go to it.
    public let calendarId: String
    /// How the seeded people are spread.
    public let world: World
    /// The GHL emulator's rate limit per location, which `config` paces the client to.
    public let ghlLimit: RateLimit

    /// Counts of the seeded world.
    public struct World: Sendable, Equatable {
        public var same = 0
        public var differing = 0
        public var conflicting = 0
        public var ghlOnly = 0
        public var espoOnly = 0
        /// Businesses (Accounts) seeded, and on which sides.
        public var businesses = PerSideCount()
        /// People seeded with a company and with tags.
        public var withCompany = 0
        public var tagged = 0
        /// Tasks, notes and appointments seeded, and on which sides ("both": alike on both, as the
        /// first run matches them by identity).
        public var tasks = PerSideCount()
        public var notes = PerSideCount()
        public var appointments = PerSideCount()
        /// Tasks seeded completed (on both sides, or on the one side they are on).
        public var completedTasks = 0
        /// EspoCRM tasks seeded without a due date.
        public var undatedTasks = 0
        /// EspoCRM notes written by a person rather than the API user: only that person may change them.
        public var notesByPerson = 0
        /// Appointments seeded in the past (inside the sync's window).
        public var pastAppointments = 0
    }

    /// A count per side, and of records on both.
    public struct PerSideCount: Sendable, Equatable {
        public var both = 0
        public var ghlOnly = 0
        public var espoOnly = 0
        /// All records, counting those on both sides once.
        public var total: Int { both + ghlOnly + espoOnly }
    }

    /// Starts both emulators on `host` (ports 0 pick free ones), injecting `ghlFaults` and
    /// `espoFaults` from their first request, and seeds `people` people.
    public static func start(
        people: Int, seed: UInt64 = 1, host: String = "127.0.0.1", ghlPort: Int = 0, espoPort: Int = 0,
        ghlLimit: RateLimit = .ghl, ghlFaults: Faults = .none, espoFaults: Faults = .none, exchanges: ExchangeLog? = nil
    ) async throws -> Sandbox {
        let locationId = "demoLocation0000001"
        let espoAPIKey = "demo-espo-api-key-0000000000000001"
        let (ghl, ghlServer) = try await GHLEmulator.start(
            settings: .init(rateLimit: ghlLimit, seed: seed), locations: [locationId], host: host, port: ghlPort,
            faults: ghlFaults, exchanges: exchanges)
        let espo = EspoEmulator(.init(apiKeys: [espoAPIKey], seed: seed))
        let espoServer = try await espo.serve(host: host, port: espoPort, faults: espoFaults, exchanges: exchanges)
        let token = await ghl.issuePrivateToken(location: locationId)
        let calendarId = await ghl.defaultCalendar(location: locationId)
        let world = await seedWorld(people: people, seed: seed, ghl: ghl, location: locationId, espo: espo)
        return Sandbox(
            ghl: ghl, ghlServer: ghlServer, espo: espo, espoServer: espoServer, locationId: locationId,
            ghlToken: token, espoAPIKey: espoAPIKey, calendarId: calendarId, world: world, ghlLimit: ghlLimit)
    }

    /// Stops both servers.
    public func stop() async {
        await ghlServer.stop()
        await espoServer.stop()
    }

    /// A config for this sandbox, secrets named by `GHL_TOKEN` and `ESPO_API_KEY`, the GHL client
    /// paced to the emulator's rate limit; appointments made in EspoCRM go to the sandbox's calendar.
    public func config(state: String, mappings: String) -> String {
        let interval = Double(ghlLimit.interval.components.seconds) + Double(ghlLimit.interval.components.attoseconds) / 1e18
        let seconds = interval == interval.rounded() ? String(Int(interval)) : String(interval)
        return """
        {
          "ghl": { "baseURL": "\(ghlServer.baseURL)", "locationId": "\(locationId)", "calendarId": "\(calendarId)",
                   "rateLimit": { "requests": \(ghlLimit.requests), "intervalSeconds": \(seconds) },
                   "auth": { "type": "privateToken", "tokenEnv": "GHL_TOKEN" } },
          "espo": { "baseURL": "\(espoServer.baseURL)",
                    "auth": { "type": "apiKey", "apiKeyEnv": "ESPO_API_KEY" } },
          "state": "\(state)",
          "mappings": "\(mappings)"
        }

        """
    }

    /// Seeds the world: per person, a deterministic choice of where they live and how they differ;
    /// then their tasks, notes and appointments.
    static func seedWorld(people: Int, seed: UInt64, ghl: GHLEmulator, location: String, espo: EspoEmulator) async -> World {
        var generator = SeededGenerator(seed: seed)
        var world = World()
        let first = ["Ann", "Ben", "Chloé", "Dmitri", "Eve", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemi", "Luis"]
        let last = ["Okafor", "Smith", "Müller", "Nakamura", "García", "Dubois", "Kowalski", "Rossi", "Nguyen", "Olsen"]
        let cities = ["Austin", "Boston", "Denver", "Miami", "Seattle", "Chicago"]
        // Companies: some in both systems (their names spelled a little differently), some in one.
        let companies = ["Acme Corp", "Globex", "Initech", "Umbrella Co", "Hooli", "Stark Industries"]
        var ghlBusiness: [String: String] = [:]
        var espoAccount: [String: String] = [:]
        var seeded: [SeededPerson] = []
        for (k, name) in companies.enumerated() where people > 0 {
            let city = cities[k % cities.count]
            if k % 3 != 1 {
                ghlBusiness[name] = await ghl.seedBusiness(location: location, [
                    "name": .string(k % 3 == 2 ? name.uppercased() : name), "city": .string(city), "country": "US",
                    "website": .string("https://\(name.lowercased().filter(\.isLetter)).example.com"),
                ])
            }
            if k % 3 != 0 {
                espoAccount[name] = espo.seedAccount(name: name, [
                    "billingAddressCity": .string(city), "billingAddressCountry": "US", "phoneNumber": .string("+1512666\(1000 + k)"),
                ])
            }
            switch k % 3 {
            case 0: world.businesses.ghlOnly += 1
            case 1: world.businesses.espoOnly += 1
            default: world.businesses.both += 1
            }
        }
        for n in 0..<people {
            let given = first[Int(generator.next() % UInt64(first.count))]
            let family = last[Int(generator.next() % UInt64(last.count))]
            let email = "\(given.lowercased()).\(n)+crm@example.com"
            let phone = "+1512555\(String(format: "%04d", n % 10_000))"
            let city = cities[n % cities.count]
            var ghlFields: JSONObject = [
                "firstName": .string(given), "lastName": .string(family), "email": .string(email), "phone": .string(phone),
                "city": .string(city), "country": "US",
            ]
            var espoFields: JSONObject = [
                "firstName": .string(given), "lastName": .string(family), "emailAddress": .string(email),
                "phoneNumber": .string(phone), "addressCity": .string(city), "addressCountry": "US",
            ]
            let company = n % 4 == 0 ? companies[(n / 4) % companies.count] : nil
            if let company, let account = espoAccount[company] { espoFields["accountId"] = .string(account) }
            if n % 5 == 0 { ghlFields["tags"] = ["customer"] }
            if n % 7 == 0 { espoFields["cTags"] = ["vip"] }
            if company != nil { world.withCompany += 1 }
            if n % 5 == 0 || n % 7 == 0 { world.tagged += 1 }
            var person = SeededPerson(index: n, given: given)
            /// Puts the contact in GHL, in its company there when that exists.
            func insertGHL(_ fields: JSONObject) async {
                let id = await ghl.insertContact(location: location, fields)
                if let company, let business = ghlBusiness[company] { await ghl.setBusiness(business, contact: id, location: location) }
                person.ghl = id
            }
            switch generator.next() % 10 {
            case 0, 1, 2, 3:  // the same on both sides; the email's case differs now and then
                var espoSide = espoFields
                if n % 3 == 0 { espoSide["emailAddress"] = .string(email.uppercased()) }
                await insertGHL(ghlFields)
                person.espo = espo.insert("Contact", espoSide)
                world.same += 1
            case 4, 5:  // on both sides; each knows something the other does not
                var ghlSide = ghlFields
                ghlSide["postalCode"] = .string(String(78_700 + n % 90))
                var espoSide = espoFields
                espoSide["addressStreet"] = .string("\(100 + n) Main St")
                espoSide["addressState"] = "TX"
                await insertGHL(ghlSide)
                person.espo = espo.insert("Contact", espoSide)
                world.differing += 1
            case 6:  // on both sides with different values for the same field: a conflict
                var espoSide = espoFields
                espoSide["addressCity"] = .string(cities[(n + 1) % cities.count])
                await insertGHL(ghlFields)
                person.espo = espo.insert("Contact", espoSide)
                world.conflicting += 1
            case 7, 8:
                await insertGHL(ghlFields)
                world.ghlOnly += 1
            default:
                person.espo = espo.insert("Contact", espoFields)
                world.espoOnly += 1
            }
            seeded.append(person)
        }
        await seedChildren(of: seeded, seed: seed, ghl: ghl, location: location, espo: espo, into: &world)
        return world
    }
}
