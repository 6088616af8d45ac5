import Crypto
import Emulation
import Foundation
import GHLClient
import GHLEmulator
import Synchronization
import SyncCore
import Testing
import Transport
import _CryptoExtras

/// A webhook receiver on a loopback port: keeps every request as received and answers the statuses
/// it is told, in order (200 once they run out).
final class WebhookReceiver: EmulatedAPI {
    let contractName = "receiver"
    private let state = Mutex<(requests: [ServedRequest], statuses: [Int])>(([], []))

    /// The next answers, in order.
    func answer(_ statuses: [Int]) { state.withLock { $0.statuses += statuses } }

    var requests: [ServedRequest] { state.withLock { $0.requests } }

    /// Each request's body as JSON.
    var bodies: [JSON] { requests.compactMap { try? JSON(parsing: $0.body) } }

    func route(_ request: ServedRequest) -> Route? { Route("\(request.method) \(request.path)", isWrite: true) }

    func respond(to request: ServedRequest) async -> ServedResponse {
        let status = state.withLock { state -> Int in
            state.requests.append(request)
            return state.statuses.isEmpty ? 200 : state.statuses.removeFirst()
        }
        return ServedResponse(status: status)
    }
}

@Suite("GHL emulator webhook delivery")
struct WebhookDeliveryTests {
    let location = Harness.location

    /// A harness whose emulator posts its webhooks to a fresh receiver.
    func start(_ configure: (String) -> GHLWebhookConfiguration = { GHLWebhookConfiguration(url: $0) })
        async throws -> (Harness, WebhookReceiver, EmulatorServer)
    {
        let harness = try await Harness.start(record: false)
        let receiver = WebhookReceiver()
        let server = try await EmulatorServer.start(receiver)
        await harness.emulator.deliverWebhooks(configure(server.baseURL + "/webhooks/ghl"))
        return (harness, receiver, server)
    }

    @Test("contact updates made through the API and in the web app both arrive, signed with Ed25519 and RSA")
    func contactUpdatesArriveSigned() async throws {
        let (h, receiver, server) = try await start()
        let id = await h.emulator.insertContact(location: location, ["firstName": "Grace", "email": "grace@example.com"])
        _ = try await h.client.updateContact(id, ["firstName": "Ada"])
        #expect(await h.emulator.editContact(id, location: location, ["lastName": "Lovelace"]))
        await h.emulator.webhooksDrained()

        let keys = GHLWebhookKeys.test
        #expect(keys.publicKeyBase64.hasPrefix("MCowBQYDK2VwAyEA"))
        let spki = try #require(Data(base64Encoded: keys.publicKeyBase64))
        let ed25519 = try Curve25519.Signing.PublicKey(rawRepresentation: spki.dropFirst(12))
        let rsa = try _RSA.Signing.PublicKey(derRepresentation: try #require(Data(base64Encoded: keys.rsaPublicKeyBase64)))
        #expect(try _RSA.Signing.PublicKey(pemRepresentation: keys.rsaPublicKeyPEM).derRepresentation == rsa.derRepresentation)

        let requests = receiver.requests
        #expect(requests.map { $0.header("Content-Type") } == Array(repeating: "application/json", count: 3))
        for request in requests {
            let edSignature = try #require(request.header("x-ghl-signature").flatMap { Data(base64Encoded: $0) })
            let rsaSignature = try #require(request.header("x-wh-signature").flatMap { Data(base64Encoded: $0) })
            #expect(ed25519.isValidSignature(edSignature, for: request.body))
            #expect(rsa.isValidSignature(.init(rawRepresentation: rsaSignature), for: request.body, padding: .insecurePKCS1v1_5))
            var tampered = request.body
            tampered[tampered.count / 2] ^= 0x01
            #expect(!ed25519.isValidSignature(edSignature, for: tampered))
            #expect(!rsa.isValidSignature(.init(rawRepresentation: rsaSignature), for: tampered, padding: .insecurePKCS1v1_5))
        }

        let bodies = receiver.bodies
        #expect(bodies.map { $0["type"]?.stringValue } == ["ContactCreate", "ContactUpdate", "ContactUpdate"])
        #expect(bodies[1]["firstName"] == "Ada" && bodies[1]["lastName"] == nil)
        #expect(bodies[2]["firstName"] == "Ada" && bodies[2]["lastName"] == "Lovelace")
        for body in bodies {
            #expect(body["id"]?.stringValue == id)
            #expect(body["locationId"]?.stringValue == location)
            #expect(body["dateUpdated"] == nil && body["businessId"] == nil)
            let stamp = try #require(body["timestamp"]?.stringValue.flatMap { Timestamp.parse($0) })
            #expect(abs(stamp - Int64(Date().timeIntervalSince1970)) < 60)
        }
        #expect(Set(bodies.compactMap { $0["webhookId"]?.stringValue }).count == 3)
        await server.stop()
        await h.stop()
    }

    @Test("TaskCreate comes without contactId and body; a title edit sends nothing; completion and delete do")
    func taskEvents() async throws {
        let (h, receiver, server) = try await start()
        let contact = await h.emulator.insertContact(location: location, ["firstName": "Lin"])
        let task = try await h.client.createTask(
            ["title": "Call Lin", "body": "about the offer", "dueDate": "2026-12-01T10:00:00Z", "completed": false], for: contact)
        _ = try await h.client.updateTask(task.id, of: contact, ["title": "Call Lin back"])
        _ = try await h.client.completeTask(task.id, of: contact)
        _ = try await h.client.completeTask(task.id, of: contact, completed: false)
        #expect(await h.emulator.editTask(task.id, location: location, ["completed": true]))
        #expect(await h.emulator.deleteTask(task.id, location: location))
        await h.emulator.webhooksDrained()

        let bodies = receiver.bodies
        #expect(bodies.map { $0["type"]?.stringValue } == ["ContactCreate", "TaskCreate", "TaskComplete", "TaskComplete", "TaskDelete"])
        #expect(bodies[1]["id"]?.stringValue == task.id && bodies[1]["title"] == "Call Lin")
        #expect(bodies[1]["contactId"] == nil && bodies[1]["body"] == nil)
        #expect(bodies[2]["contactId"]?.stringValue == contact && bodies[2]["title"] == "Call Lin back")
        #expect(bodies[4]["id"]?.stringValue == task.id)
        await server.stop()
        await h.stop()
    }

    @Test("TaskCreate carries the contact when configured to, as the docs say it does")
    func taskCreateAsDocumented() async throws {
        let (h, receiver, server) = try await start { GHLWebhookConfiguration(url: $0, taskCreateCarriesContact: true) }
        let contact = await h.emulator.insertContact(location: location, ["firstName": "Lin"])
        await h.emulator.seedTask(contact: contact, title: "Write", body: "the letter", dueDate: 1_800_000_000_000, location: location)
        await h.emulator.webhooksDrained()
        let created = try #require(receiver.bodies.last)
        #expect(created["type"] == "TaskCreate" && created["contactId"]?.stringValue == contact && created["body"] == "the letter")
        await server.stop()
        await h.stop()
    }

    @Test("notes send Create, Update and Delete; every appointment event says AppointmentCreate")
    func noteAndAppointmentEvents() async throws {
        let (h, receiver, server) = try await start()
        let contact = await h.emulator.insertContact(location: location, ["firstName": "Mo"])
        let note = await h.emulator.seedNote(contact: contact, body: "first", location: location)
        #expect(await h.emulator.editNote(note, location: location, ["body": "second"]))
        #expect(await h.emulator.deleteNote(note, location: location))
        let appointment = await h.emulator.seedAppointment(contact: contact, title: "Intro", start: 1_800_000_000_000, location: location)
        #expect(await h.emulator.editAppointment(appointment, location: location, ["title": "Intro call"]))
        #expect(await h.emulator.deleteAppointment(appointment, location: location))
        await h.emulator.webhooksDrained()

        let bodies = receiver.bodies
        #expect(bodies.map { $0["type"]?.stringValue } == [
            "ContactCreate", "NoteCreate", "NoteUpdate", "NoteDelete", "AppointmentCreate", "AppointmentCreate", "AppointmentCreate",
        ])
        #expect(await h.emulator.webhookDeliveries.map(\.event).suffix(3) == ["AppointmentCreate", "AppointmentUpdate", "AppointmentDelete"])
        #expect(bodies[2]["body"] == "second" && bodies[2]["contactId"]?.stringValue == contact)
        #expect(bodies.suffix(3).map { $0["appointment"]?["id"]?.stringValue } == [appointment, appointment, appointment])
        #expect(bodies[5]["appointment"]?["title"] == "Intro call")
        #expect(bodies[5]["appointment"]?["contactId"]?.stringValue == contact)
        await server.stop()
        await h.stop()
    }

    @Test("a 429 is sent again until it goes through or the retries run out; a 500 is dropped at once")
    func onlyThrottlingIsRetried() async throws {
        let (h, receiver, server) = try await start {
            GHLWebhookConfiguration(url: $0, retryDelay: .milliseconds(200), maxRetries: 2)
        }
        receiver.answer([429, 429, 200])
        let first = await h.emulator.insertContact(location: location, ["firstName": "Retried"])
        await h.emulator.webhooksDrained()
        receiver.answer([500])
        _ = await h.emulator.insertContact(location: location, ["firstName": "Dropped"])
        await h.emulator.webhooksDrained()
        receiver.answer([429, 429, 429])
        _ = await h.emulator.insertContact(location: location, ["firstName": "Exhausted"])
        await h.emulator.webhooksDrained()

        let log = await h.emulator.webhookDeliveries
        #expect(log.map(\.status) == [429, 429, 200, 500, 429, 429, 429])
        #expect(log.map(\.attempt) == [1, 2, 3, 1, 1, 2, 3])
        #expect(log.map(\.result) == [.willRetry, .willRetry, .delivered, .dropped, .willRetry, .willRetry, .dropped])
        // A retry is the same event: the same bytes, the same webhookId.
        let requests = receiver.requests
        #expect(requests[0].body == requests[2].body)
        #expect(Set(log.prefix(3).map(\.id)).count == 1)
        #expect(receiver.bodies[0]["id"]?.stringValue == first)
        await server.stop()
        await h.stop()
    }

    @Test("older deliveries carry only x-wh-signature; a paused emulator holds its webhooks until resumed")
    func rsaOnlyAndPause() async throws {
        let (h, receiver, server) = try await start { GHLWebhookConfiguration(url: $0, signatures: .rsaOnly) }
        await h.emulator.pauseWebhooks()
        _ = await h.emulator.insertContact(location: location, ["firstName": "Held"])
        #expect(await h.emulator.webhookDeliveries.isEmpty)
        await h.emulator.resumeWebhooks()
        await h.emulator.webhooksDrained()
        let request = try #require(receiver.requests.first)
        #expect(request.header("x-ghl-signature") == nil && request.header("x-wh-signature") != nil)
        #expect(receiver.requests.count == 1)
        await server.stop()
        await h.stop()
    }

    @Test("no webhooks are posted unless configured")
    func offByDefault() async throws {
        let h = try await Harness.start(record: false)
        _ = await h.emulator.insertContact(location: location, ["firstName": "Quiet"])
        await h.emulator.webhooksDrained()
        #expect(await h.emulator.webhookDeliveries.isEmpty)
        await h.stop()
    }
}
