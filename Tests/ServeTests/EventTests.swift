import Foundation
import SyncCore
import Testing
import Webhooks

@Suite struct EventTests {
    typealias F = WebhookFixtures

    /// The verdict on a signed GHL delivery of `type` with `fields`.
    func hints(_ type: String, id: String = "r1", fields: JSONObject = [:]) -> [Hint]? {
        let body = F.ghlBody(type, id: id, fields: fields)
        guard case .accepted(let events) = F.webhook.verdict(
            body: body, ed25519Signature: F.ed25519Signature(body), rsaSignature: nil, now: Date())
        else { return nil }
        return events.map(\.hint)
    }

    @Test func contactEventsNameTheContact() {
        for type in ["ContactCreate", "ContactUpdate", "ContactTagUpdate", "ContactDndUpdate"] {
            #expect(hints(type, id: "c1") == [Hint(side: .ghl, object: "contact", id: "c1", event: type)])
        }
        #expect(hints("ContactDelete", id: "c1") == [Hint(side: .ghl, object: "contact", id: "c1", deleted: true, event: "ContactDelete")])
    }

    @Test func noteEventsNameTheNoteAndItsContact() {
        #expect(hints("NoteCreate", id: "n1", fields: ["contactId": "c7", "body": "hi"])
            == [Hint(side: .ghl, object: "note", id: "n1", parentId: "c7", event: "NoteCreate")])
        #expect(hints("NoteDelete", id: "n1", fields: ["contactId": "c7"])
            == [Hint(side: .ghl, object: "note", id: "n1", parentId: "c7", deleted: true, event: "NoteDelete")])
    }

    @Test func aTaskCreateWithoutContactIdIsStillAHint() {
        // Real TaskCreate deliveries lack contactId (#332): the worker finds the contact by reading the task.
        #expect(hints("TaskCreate", id: "t1", fields: ["title": "Call"]) == [Hint(side: .ghl, object: "task", id: "t1", event: "TaskCreate")])
        #expect(hints("TaskComplete", id: "t1", fields: ["contactId": "c2"])
            == [Hint(side: .ghl, object: "task", id: "t1", parentId: "c2", event: "TaskComplete")])
        #expect(hints("TaskDelete", id: "t1")?.first?.deleted == true)
    }

    @Test func appointmentEventsReadTheNestedAppointment() {
        let appointment: JSON = ["id": "a5", "contactId": "c3", "title": "Visit"]
        #expect(hints("AppointmentUpdate", fields: ["appointment": appointment])
            == [Hint(side: .ghl, object: "appointment", id: "a5", parentId: "c3", event: "AppointmentUpdate")])
        #expect(hints("AppointmentDelete", fields: ["appointment": appointment])?.first?.deleted == true)
        // GHL's own Update and Delete examples say "AppointmentCreate": then it is only "read a5 again".
        #expect(hints("AppointmentCreate", fields: ["appointment": appointment])?.first?.deleted == false)
        // Without the nested object there is nothing to name.
        let body = F.ghlBody("AppointmentUpdate")
        #expect(F.webhook.verdict(body: body, ed25519Signature: F.ed25519Signature(body), rsaSignature: nil, now: Date())
            == .malformed(reason: "AppointmentUpdate has no `appointment`"))
    }

    @Test func typesTheSyncDoesNotUseAreAcknowledgedAndIgnored() {
        for type in ["AppInstall", "LocationUpdate", "OpportunityCreate", "InboundMessage"] {
            let body = F.ghlBody(type)
            let verdict = F.webhook.verdict(body: body, ed25519Signature: F.ed25519Signature(body), rsaSignature: nil, now: Date())
            #expect(verdict == .ignored(reason: "\(type) is not an event the sync uses"))
        }
    }

    @Test func espoSubscriptionsAreTwelveNamedByEntityAndAction() {
        #expect(EspoSubscription.all.count == 12)
        #expect(EspoSubscription(name: "contact-update") == EspoSubscription(entity: "Contact", action: .update))
        #expect(EspoSubscription(event: "Meeting.delete")?.name == "meeting-delete")
        #expect(EspoSubscription(name: "note-create") == nil)
        #expect(EspoSubscription(entity: "Account", action: .create).path == "/webhooks/espo/account-create")
    }

    @Test func espoItemsBecomeHintsDeletedOnlyForDeleteWithTheirContactParent() {
        let registration = F.registration("task-delete")
        let body = JSON.array([["id": "t1"], ["id": "t2", "parentType": "Contact", "parentId": "c9"], ["name": "no id"], "junk"])
            .serializedBytes()
        let header = EspoSignature.value(body: body, webhookId: registration.webhookId, secretKey: registration.secretKey)
        guard case .accepted(let events) = EspoWebhook.verdict(
            body: body, signature: header, subscriptionName: "task-delete", registration: registration)
        else { Issue.record("not accepted"); return }
        #expect(events.map(\.hint) == [
            Hint(side: .espo, object: "Task", id: "t1", deleted: true, event: "Task.delete"),
            Hint(side: .espo, object: "Task", id: "t2", parentId: "c9", deleted: true, event: "Task.delete"),
        ])
    }

    @Test func espoDedupeKeysAreEqualForEqualItemsOnlyAndASignedNonArrayIsMalformed() {
        let registration = F.registration()
        let body = JSON.array([["id": "e1", "a": 1, "b": 2], ["b": 2, "a": 1, "id": "e1"], ["id": "e1", "a": 3]]).serializedBytes()
        let header = EspoSignature.value(body: body, webhookId: registration.webhookId, secretKey: registration.secretKey)
        guard case .accepted(let events) = EspoWebhook.verdict(
            body: body, signature: header, subscriptionName: "contact-update", registration: registration)
        else { Issue.record("not accepted"); return }
        #expect(events[0].dedupeKey == events[1].dedupeKey)
        #expect(events[0].dedupeKey != events[2].dedupeKey)
        #expect(events[0].dedupeKey.hasPrefix("espo:contact-update:e1:"))

        let object = Array(#"{"id":"e1"}"#.utf8)
        let signed = EspoSignature.value(body: object, webhookId: registration.webhookId, secretKey: registration.secretKey)
        #expect(EspoWebhook.verdict(body: object, signature: signed, subscriptionName: "contact-update", registration: registration)
            == .malformed(reason: "the body is not a JSON array"))
    }

    @Test func registrationsSealAndOpenOnlyWithTheirKeyAndSlot() throws {
        let sealer = try RegistrationSealer(key: Array(repeating: 7, count: 32))
        let registration = F.registration("account-update")
        let sealed = try sealer.seal(registration)
        #expect(try sealer.open(sealed, name: "espo.webhook.account-update") == registration)
        #expect(!String(decoding: sealed, as: UTF8.self).contains(registration.secretKey))
        #expect(throws: SealError.self) { try sealer.open(sealed, name: "espo.webhook.contact-update") }
        let other = try RegistrationSealer(key: Array(repeating: 8, count: 32))
        #expect(throws: SealError.self) { try other.open(sealed, name: "espo.webhook.account-update") }
        let fromHex = try RegistrationSealer(environmentVariable: "K", environment: ["K": String(repeating: "07", count: 32)])
        #expect(try fromHex.open(sealed, name: "espo.webhook.account-update") == registration)
        #expect(throws: SealError.self) { try RegistrationSealer(environmentVariable: "K", environment: [:]) }
    }
}
