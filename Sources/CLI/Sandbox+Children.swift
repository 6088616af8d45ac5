import EspoEmulator
import Foundation
import GHLEmulator
import SyncCore

extension Sandbox {
    /// A seeded person: where their contact lives (the ids on each side).
    struct SeededPerson {
        var index: Int
        var given: String
        var ghl: String?
        var espo: String?
    }

    /// Where a seeded child lives: alike on both sides (the first run matches it by identity), or on one.
    enum Placement { case both, ghlOnly, espoOnly }

    /// Seeds the people's tasks, notes and appointments, on contacts that exist on both sides and on
    /// one side only: some alike on both sides (task: contact + title + due minute; note: contact +
    /// body; appointment: contact + start minute), most on one side; some tasks completed, one
    /// EspoCRM task without a due date, some EspoCRM notes by a person instead of the API user, and
    /// one appointment a few days in the past (the rest in the weeks ahead). The choices follow the
    /// seed; the dates are counted from the current hour.
    static func seedChildren(
        of people: [SeededPerson], seed: UInt64, ghl: GHLEmulator, location: String, espo: EspoEmulator, into world: inout World
    ) async {
        // A generator of its own, so that the people seeded before are the same as without children.
        var generator = SeededGenerator(seed: seed ^ 0x6368_696C_6472_656E)
        let hour: Int64 = 3_600
        let day: Int64 = 86_400
        let base = Int64(Date().timeIntervalSince1970) / hour * hour
        func pick(_ n: Int) -> Int { Int(generator.next() % UInt64(n)) }
        /// Where a child of `person` goes: on both sides ~30 % of the time when the contact is on both.
        func placement(_ person: SeededPerson) -> Placement? {
            switch (person.ghl, person.espo) {
            case (.some, .some): [Placement.both, .both, .both, .ghlOnly, .ghlOnly, .ghlOnly, .ghlOnly, .espoOnly, .espoOnly, .espoOnly][pick(10)]
            case (.some, nil): .ghlOnly
            case (nil, .some): .espoOnly
            case (nil, nil): nil
            }
        }
        func count(_ placement: Placement, in counts: inout PerSideCount) {
            switch placement {
            case .both: counts.both += 1
            case .ghlOnly: counts.ghlOnly += 1
            case .espoOnly: counts.espoOnly += 1
            }
        }
        let taskTitles = ["Call back", "Send the quote", "Book a demo", "Follow up on the invoice", "Check in"]
        let noteTopics = ["asked about pricing", "prefers e-mail", "wants a call next week", "met at the fair", "renewal in spring"]
        let meetingTitles = ["Intro call", "Product demo", "Quarterly review", "Contract signing"]
        var undatedLeft = 1
        var pastLeft = 1
        for person in people {
            let name = "\(person.given) (#\(person.index))"
            // Tasks: none to two; a quarter completed; due in the next weeks, on the hour.
            for t in 0..<pick(3) {
                guard let placement = placement(person) else { break }
                let title = "\(taskTitles[(person.index + t) % taskTitles.count]) \(name)"
                let due = base + Int64(1 + pick(28)) * day + Int64(pick(9)) * hour
                let completed = pick(4) == 0
                let body = "Seeded task \(t + 1) of \(name)"
                if placement != .espoOnly, let contact = person.ghl {
                    await ghl.seedTask(contact: contact, title: title, body: body, dueDate: due * 1000, completed: completed, location: location)
                }
                if placement != .ghlOnly, let contact = person.espo {
                    var attributes: JSONObject = [
                        "description": .string(body),
                        "status": .string(completed ? "Completed" : ["Not Started", "Started"][pick(2)]),
                    ]
                    if placement == .espoOnly, undatedLeft > 0 {
                        undatedLeft -= 1
                        world.undatedTasks += 1
                    } else {
                        attributes["dateEnd"] = .string(Timestamp.naive(due))
                    }
                    espo.seedTask(name: title, contactId: contact, attributes)
                }
                count(placement, in: &world.tasks)
                if completed { world.completedTasks += 1 }
            }
            // Notes: none to two; in EspoCRM mostly by the API user, every fifth by a person.
            for k in 0..<pick(3) {
                guard let placement = placement(person) else { break }
                let body = "Call with \(name): \(noteTopics[(person.index + k) % noteTopics.count])."
                if placement != .espoOnly, let contact = person.ghl {
                    await ghl.seedNote(contact: contact, body: body, location: location)
                }
                if placement != .ghlOnly, let contact = person.espo {
                    let byPerson = (world.notes.both + world.notes.espoOnly) % 5 == 0
                    espo.seedNote(id: contact, post: body, author: byPerson ? EspoEmulator.humanUserId : EspoEmulator.apiUserId)
                    if byPerson { world.notesByPerson += 1 }
                }
                count(placement, in: &world.notes)
            }
            // Appointments: one for about a third of the people, half an hour long; the first one
            // seeded was three days ago (and the person showed), the others are in the next two months.
            if pick(3) == 0, let placement = placement(person) {
                let past = pastLeft > 0
                if past { pastLeft -= 1; world.pastAppointments += 1 }
                let start = past ? base - 3 * day : base + Int64(1 + pick(60)) * day + Int64(pick(8)) * hour
                let title = "\(meetingTitles[person.index % meetingTitles.count]) with \(name)"
                if placement != .espoOnly, let contact = person.ghl {
                    await ghl.seedAppointment(
                        contact: contact, calendar: ghl.defaultCalendar(location: location), title: title, start: start * 1000,
                        end: (start + 30 * 60) * 1000, status: past ? "showed" : "confirmed", location: location)
                }
                if placement != .ghlOnly, let contact = person.espo {
                    espo.seedMeeting(
                        name: title, dateStart: Timestamp.naive(start), dateEnd: Timestamp.naive(start + 30 * 60), contactId: contact,
                        ["status": past ? "Held" : "Planned"])
                }
                count(placement, in: &world.appointments)
            }
        }
    }
}
