import SyncCore

/// How much seeded data to put into an emulator, and when it was last modified.
public struct SeedPlan: Sendable {
    public var contacts: Int
    public var accounts: Int
    public var tasks: Int
    public var meetings: Int
    public var seed: UInt64
    /// `createdAt`/`modifiedAt` of the first record, in seconds since 1970 UTC.
    public var start: Int64
    /// Records that share one second of `modifiedAt` (a bulk import puts hundreds in one second).
    public var perSecond: Int

    public init(
        contacts: Int = 0, accounts: Int = 0, tasks: Int = 0, meetings: Int = 0, seed: UInt64 = 42,
        start: Int64 = 1_767_225_600, perSecond: Int = 10
    ) {
        self.contacts = contacts
        self.accounts = accounts
        self.tasks = tasks
        self.meetings = meetings
        self.seed = seed
        self.start = start
        self.perSecond = max(1, perSecond)
    }
}

extension EspoEmulator {
    /// Fills the emulator with realistic records, the same for the same plan: people's names, e-mail
    /// addresses (some with a `+tag`), E.164 phones, accounts linked to contacts, tasks on contacts,
    /// meetings with attendees. Returns the new ids per entity type, oldest first.
    @discardableResult
    public func seed(_ plan: SeedPlan) -> [String: [String]] {
        store.withLock { store in
            var random = SeededGenerator(seed: plan.seed)
            var made: [String: [String]] = [:]
            var index: Int64 = 0
            func stamp() -> String {
                defer { index += 1 }
                return Timestamp.naive(plan.start + index / Int64(plan.perSecond))
            }
            func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
            func insert(_ entity: String, _ attributes: JSONObject, emails: [JSONObject] = [], phones: [JSONObject] = []) -> String {
                let id = store.newId()
                let time = stamp()
                var record = StoredRecord(attributes: ["id": .string(id)], emails: emails, phones: phones)
                for (key, value) in attributes { record.attributes[key] = value }
                record.attributes["createdAt"] = .string(time)
                record.attributes["modifiedAt"] = .string(time)
                record.attributes["createdById"] = .string(store.userId)
                record.attributes["modifiedById"] = .string(store.userId)
                if store.definitions[entity]?.optimisticConcurrency == true { record.attributes["versionNumber"] = 1 }
                store.records[entity, default: [:]][id] = record
                store.remember(emails)
                made[entity, default: []].append(id)
                return id
            }
            for number in 0..<plan.accounts {
                let name = "\(pick(SeedNames.companies)) \(pick(SeedNames.companySuffixes)) \(number + 1)"
                let domain = name.lowercased().filter { $0.isLetter || $0.isNumber }
                _ = insert("Account", ["name": .string(name), "website": .string("https://\(domain).example.com"),
                                       "type": .string(pick(["Customer", "Partner", "Reseller", "Investor"]))],
                           emails: [SeedNames.email("info@\(domain).example.com")],
                           phones: [SeedNames.phone(SeedNames.e164(&random), type: "Office")])
            }
            let accounts = made["Account"] ?? []
            for number in 0..<plan.contacts {
                let first = pick(SeedNames.firstNames), last = pick(SeedNames.lastNames)
                let local = "\(first).\(last)".lowercased().filter { $0.isLetter || $0 == "." }
                let address = number % 3 == 0 ? "\(local)+\(number)@example.com" : "\(local)\(number)@example.org"
                var attributes: JSONObject = ["firstName": .string(first), "lastName": .string(last), "cGhlId": .null]
                if !accounts.isEmpty, number % 4 == 0 { attributes["accountId"] = .string(accounts[number % accounts.count]) }
                if number % 5 == 0 { attributes["addressCity"] = .string(pick(SeedNames.cities)) }
                let id = insert("Contact", attributes, emails: [SeedNames.email(address)],
                                phones: [SeedNames.phone(SeedNames.e164(&random), type: "Mobile")])
                if let accountId = attributes["accountId"]?.stringValue {
                    store.relations["AccountContact", default: []].insert(.init(left: accountId, right: id))
                }
            }
            let contacts = made["Contact"] ?? []
            for number in 0..<plan.tasks {
                var attributes: JSONObject = [
                    "name": .string("\(pick(SeedNames.taskVerbs)) \(pick(SeedNames.taskObjects))"),
                    "status": .string(pick(["Not Started", "Started", "Completed", "Deferred"])),
                    "priority": .string(pick(["Low", "Normal", "High", "Urgent"])), "assignedUserId": .string(store.userId),
                    "dateEnd": .string(Timestamp.naive(plan.start + 86_400 * Int64(number % 30 + 1))),
                ]
                if !contacts.isEmpty {
                    attributes["parentType"] = "Contact"
                    attributes["parentId"] = .string(contacts[number % contacts.count])
                }
                _ = insert("Task", attributes)
            }
            for number in 0..<plan.meetings {
                let start = plan.start + 3_600 * Int64(number + 24)
                let id = insert("Meeting", [
                    "name": .string("\(pick(SeedNames.meetingKinds)) with \(pick(SeedNames.lastNames))"), "status": "Planned",
                    "dateStart": .string(Timestamp.naive(start)), "dateEnd": .string(Timestamp.naive(start + 1_800)),
                    "isAllDay": false, "assignedUserId": .string(store.userId),
                ])
                for offset in 0..<min(2, contacts.count) {
                    store.relations["ContactMeeting", default: []].insert(
                        .init(left: contacts[(number * 2 + offset) % contacts.count], right: id))
                }
            }
            return made
        }
    }
}

/// Word lists for seeded records.
enum SeedNames {
    static let firstNames = [
        "Olivia", "Liam", "Emma", "Noah", "Amelia", "Oliver", "Sophia", "Elijah", "Isabella", "Lucas", "Mia", "Mateo",
        "Chloé", "José", "Zoë", "Søren", "Aoife", "Priya", "Wei", "Fatima", "Hiroshi", "Ana", "Mohammed", "Ingrid",
    ]
    static let lastNames = [
        "Smith", "Johnson", "Williams", "Brown", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Müller",
        "O'Brien", "Nguyen", "Kowalski", "Rossi", "Dubois", "Andersson", "Tanaka", "Singh", "Haddad", "da Silva",
    ]
    static let companies = ["Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay", "Soylent", "Tyrell"]
    static let companySuffixes = ["Corp", "GmbH", "Ltd", "LLC", "SA", "Group"]
    static let cities = ["Boston", "London", "Berlin", "Paris", "Toronto", "Sydney", "Dublin", "Lisbon"]
    static let taskVerbs = ["Call", "Email", "Send quote to", "Follow up with", "Prepare demo for"]
    static let taskObjects = ["the buyer", "procurement", "the CFO", "the new lead", "support"]
    static let meetingKinds = ["Demo", "Kick-off", "Quarterly review", "Lunch", "Onboarding"]

    /// A plausible E.164 number: NANP 555-01xx, or a UK or German one.
    static func e164(_ random: inout SeededGenerator) -> String {
        let pick = random.next()
        switch pick % 3 {
        case 0: return "+1\(["415", "212", "617", "303"][Int(pick / 3 % 4)])55501\(String(format2(Int(pick / 12 % 100))))"
        case 1: return "+4420794600\(format2(Int(pick / 3 % 100)))"
        default: return "+4930\(1_000_000 + Int(pick / 3 % 8_999_999))"
        }
    }

    private static func format2(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    static func email(_ address: String) -> JSONObject {
        ["emailAddress": .string(address), "lower": .string(address.lowercased()), "primary": true, "optOut": false, "invalid": false]
    }

    static func phone(_ number: String, type: String) -> JSONObject {
        ["phoneNumber": .string(number), "type": .string(type), "primary": true, "optOut": false, "invalid": false]
    }
}
