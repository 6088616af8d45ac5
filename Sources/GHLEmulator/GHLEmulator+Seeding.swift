import SyncCore

extension GHLEmulator {
    /// What `seed` created.
    public struct SeedSummary: Sendable {
        public var contacts = 0
        public var tasks = 0
        public var notes = 0
        public var appointments = 0
    }

    /// Adds `count` generated contacts to `location` (created and updated over the past year, before
    /// now), each with up to `perContact` tasks, notes and appointments: realistic names, emails with a
    /// `+` tag, E.164 phones, a `contact.pincode` custom value. The same seed gives the same data.
    @discardableResult
    public func seed(location: String, contacts count: Int, perContact: Int = 2, seed: UInt64 = 42) -> SeedSummary {
        if locations[location] == nil { addLocation(location) }
        var generator = SeededGenerator(seed: seed)
        var summary = SeedSummary()
        let now = tick()
        let year: Int64 = 365 * 86_400_000
        let pincode = locations[location]!.customFields.first { $0["fieldKey"]?.stringValue == "contact.pincode" }?["id"]?.stringValue
        let base = locations[location]!.contacts.count
        let calendar = defaultCalendar(location: location)
        for index in 0..<count {
            let n = base + index
            let first = Names.first[Int(generator.next() % UInt64(Names.first.count))]
            let last = Names.last[Int(generator.next() % UInt64(Names.last.count))]
            let added = now - year + Int64(generator.next() % UInt64(year / 2))
            let updated = added + Int64(generator.next() % UInt64(year / 2 - 1_000))
            let area = Names.areaCodes[Int(generator.next() % UInt64(Names.areaCodes.count))]
            var fields: JSONObject = [
                "firstName": .string(first), "lastName": .string(last),
                "email": .string("\(first.lowercased()).\(last.lowercased())+\(n)@example.com"),
                "phone": .string("+1\(area)555\(String(format: "%04d", n % 10_000))"),
                "tags": n % 3 == 0 ? ["customer"] : ["lead"], "source": "seed",
                "city": .string(Names.cities[n % Names.cities.count]), "country": "US",
            ]
            if let pincode { fields["customFields"] = [["id": .string(pincode), "value": .string(String(10_000 + n % 89_999))]] }
            let id = newId()
            locations[location]!.put(
                StoredContact(id: id, locationId: location, fields: fields, dateAdded: added, dateUpdated: updated), lag: .zero)
            summary.contacts += 1
            for t in 0..<Int(generator.next() % UInt64(perContact + 1)) {
                let task = makeTask(id: newId(), contactId: id, [
                    "title": .string("Follow up #\(t + 1) with \(first)"), "body": "Call back about the offer",
                    "dueDate": .string(GHLTime.iso(updated + Int64(t + 1) * 86_400_000)), "completed": .bool(t % 2 == 1),
                ])
                locations[location]!.putTask(task, contact: id)
                summary.tasks += 1
            }
            for k in 0..<Int(generator.next() % UInt64(perContact + 1)) {
                let note = makeNote(id: newId(), contactId: id, ["body": .string("Met \(first) \(last) (note \(k + 1))")], at: added + Int64(k) * 3_600_000)
                locations[location]!.putNote(note, contact: id)
                summary.notes += 1
            }
            if generator.next() % 4 == 0 {
                let start = (updated / 3_600_000 + 48) * 3_600_000
                let appointment = StoredAppointment(
                    id: newId(), locationId: location, calendarId: calendar, contactId: id, start: start, end: start + 1_800_000,
                    status: "confirmed", fields: ["title": .string("Intro call with \(first)")], dateAdded: start - 86_400_000,
                    dateUpdated: start - 86_400_000)
                locations[location]!.putAppointment(appointment)
                summary.appointments += 1
            }
        }
        return summary
    }
}

/// Name and place lists for generated contacts.
enum Names {
    static let first = [
        "Olivia", "Liam", "Emma", "Noah", "Amelia", "Oliver", "Sophia", "Elijah", "Charlotte", "James", "Ava", "William",
        "Isabella", "Benjamin", "Mia", "Lucas", "Evelyn", "Henry", "Harper", "Theodore", "Luna", "Jack", "Camila", "Levi",
        "Gianna", "Alexander", "Elizabeth", "Jackson", "Eleanor", "Mateo", "Ella", "Daniel", "Abigail", "Michael",
        "Sofia", "Mason", "Avery", "Sebastian", "Scarlett", "Ethan", "José", "Zoë", "Renée", "Søren",
    ]
    static let last = [
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
        "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee",
        "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "O'Brien", "Nguyen",
        "Müller", "Kowalski",
    ]
    static let areaCodes = ["212", "305", "312", "415", "503", "617", "702", "713", "808", "917"]
    static let cities = ["New York", "Miami", "Chicago", "San Francisco", "Portland", "Boston", "Las Vegas", "Houston", "Honolulu"]
}

extension GHLEmulator {
    /// Puts one contact with the given `CreateContactDto` members into `location`, as if someone had
    /// created it in GHL's web app (no request, no duplicate rule); returns its id. For demos and tests
    /// that need the same people on both sides.
    @discardableResult
    public func insertContact(location: String, _ fields: JSONObject) -> String {
        if locations[location] == nil { addLocation(location) }
        let now = tick()
        let id = newId()
        locations[location]!.put(
            StoredContact(id: id, locationId: location, fields: fields, dateAdded: now, dateUpdated: now), lag: .zero)
        return id
    }
}
