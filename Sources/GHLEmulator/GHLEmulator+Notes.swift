import Emulation
import SyncCore

extension GHLEmulator {
    func listNotes(_ contactId: String, location: String, trace: String) -> ServedResponse {
        guard locations[location]?.contacts[contactId] != nil else { return Answer.badRequest("Contact not found", trace: trace) }
        let notes = (locations[location]!.notes[contactId] ?? [:]).values.sorted {
            ($0["dateAdded"]?.stringValue ?? "", $0["id"]?.stringValue ?? "") > ($1["dateAdded"]?.stringValue ?? "", $1["id"]?.stringValue ?? "")
        }
        return Answer.ok(["notes": .array(notes.map { .object($0) })])
    }

    func getNote(_ contactId: String, _ noteId: String, location: String, trace: String) -> ServedResponse {
        guard let note = locations[location]?.notes[contactId]?[noteId] else { return Answer.badRequest("Note not found", trace: trace) }
        return Answer.ok(["note": .object(note)])
    }

    func createNote(_ contactId: String, _ body: JSONObject, location: String, trace: String) -> ServedResponse {
        let problems = DTO.problems(body, allowed: DTO.note) + DTO.strings(body, ["userId", "color"]) + DTO.missing(body, ["body"])
        guard problems.isEmpty else { return Answer.unprocessable(problems, trace: trace) }
        guard locations[location]?.contacts[contactId] != nil else { return Answer.badRequest("Contact not found", trace: trace) }
        let note = makeNote(id: newId(), contactId: contactId, body, at: tick())
        locations[location]!.putNote(note, contact: contactId)
        return Answer.ok(["note": .object(note)], status: 201)
    }

    func updateNote(_ contactId: String, _ noteId: String, _ body: JSONObject, location: String, trace: String) -> ServedResponse {
        let problems = DTO.problems(body, allowed: DTO.note) + DTO.strings(body, ["userId", "color"])
        guard problems.isEmpty else { return Answer.unprocessable(problems, trace: trace) }
        guard var note = locations[location]?.notes[contactId]?[noteId] else { return Answer.badRequest("Note not found", trace: trace) }
        for (key, value) in body { note[key] = StoredContact.clears(value) && key != "body" ? JSON?.none : value }
        locations[location]!.putNote(note, contact: contactId)
        return Answer.ok(["note": .object(note)])
    }

    func deleteNote(_ contactId: String, _ noteId: String, location: String, trace: String) -> ServedResponse {
        guard locations[location]?.notes[contactId]?[noteId] != nil else { return Answer.badRequest("Note not found", trace: trace) }
        locations[location]!.removeNote(noteId, contact: contactId)
        return Answer.ok(["succeded": true])
    }

    /// `contacts:GetNoteSchema`: id, body, dateAdded, contactId; userId, title, color, pinned only when set.
    func makeNote(id: String, contactId: String, _ body: JSONObject, at time: Int64) -> JSONObject {
        var note: JSONObject = ["id": .string(id), "body": body["body"] ?? ""]
        if let user = body["userId"]?.stringValue, !user.isEmpty { note["userId"] = .string(user) }
        note["dateAdded"] = .string(GHLTime.iso(time))
        note["contactId"] = .string(contactId)
        for key in ["title", "color", "pinned"] {
            if let value = body[key], !StoredContact.clears(value) { note[key] = value }
        }
        return note
    }
}
