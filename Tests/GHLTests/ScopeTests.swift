import Emulation
import Foundation
import GHLClient
import GHLEmulator
import SyncCore
import Testing
import Transport

/// Scopes as the emulator enforces them (401 "The token is not authorized for this scope." before any
/// handler, as live GHL answers) and as the client probes them; `GET /locations/{locationId}`.
@Suite struct ScopeTests {
    func client(_ h: Harness, token: String) -> GHLClient {
        GHLClient(.init(locationId: Harness.location, baseURL: h.server.baseURL, retry: RetryPolicy(maxAttempts: 1)),
                  credentials: PrivateToken(token))
    }

    @Test func aCallOutsideTheTokensScopesIsRefusedBeforeItsHandler() async throws {
        let h = try await Harness.start()
        let token = await h.emulator.issuePrivateToken(location: Harness.location, scopes: ["contacts.readonly"])
        let narrow = client(h, token: token)
        let contact = try await h.client.createContact(["firstName": "Ann", "email": "ann@example.com"])
        _ = try await narrow.contact(contact.id)
        do {
            _ = try await narrow.updateContact(contact.id, ["firstName": "Anna"])
            Issue.record("a write without contacts.write must be refused")
        } catch {
            #expect(error.status == 401)
            #expect(error.message == "The token is not authorized for this scope.")
        }
        #expect(await h.emulator.contactJSON(contact.id, location: Harness.location)?["firstName"]?.stringValue == "Ann")
        await h.stop()
    }

    @Test func probesTellGrantedFromRefusedAndWriteNothing() async throws {
        let h = try await Harness.start()
        let token = await h.emulator.issuePrivateToken(
            location: Harness.location, scopes: ["contacts.readonly", "contacts.write", "businesses.readonly"])
        let narrow = client(h, token: token)
        for scope in GHLScope.allCases {
            let probe = await narrow.probe(scope)
            switch probe {
            case .granted: #expect(["contacts.readonly", "contacts.write", "businesses.readonly"].contains(scope.rawValue), "\(scope)")
            case .refused(let message):
                #expect(!["contacts.readonly", "contacts.write", "businesses.readonly"].contains(scope.rawValue), "\(scope)")
                #expect(message.contains("scope"))
            case .failed(let error): Issue.record("\(scope): \(error)")
            }
        }
        #expect(await h.emulator.contactCount(location: Harness.location) == 0)
        // A token the server does not know is not a scope refusal.
        guard case .failed(let error) = await client(h, token: "pit-unknown").probe(.contactsReadonly) else {
            Issue.record("an unknown token must fail the probe"); return
        }
        #expect(error.status == 401)
        await h.stop()
    }

    @Test func theLocationIsReadableOnlyWithItsOwnToken() async throws {
        let h = try await Harness.start()
        await h.emulator.addLocation("otherLocation000002", name: "Other office")
        let (location, date) = try await h.client.location()
        #expect(location.id == Harness.location)
        #expect(location.name == "Sub-account \(Harness.location)")
        #expect(date != nil, "GHL sends a Date header")
        let other = GHLClient(.init(locationId: "otherLocation000002", baseURL: h.server.baseURL, retry: RetryPolicy(maxAttempts: 1)),
                              credentials: PrivateToken(await h.emulator.issuePrivateToken(location: Harness.location)))
        do {
            _ = try await other.location()
            Issue.record("another location's token must be refused")
        } catch {
            #expect(error.status == 403)
            #expect(error.message == "The token does not have access to this location.")
        }
        await h.stop()
    }

    @Test func theServersClockShowsInItsDateHeader() async throws {
        let h = try await Harness.start()
        h.emulator.clock.set(offset: 3_600)
        let (_, date) = try await h.client.location()
        let ahead = try #require(date).timeIntervalSinceNow
        #expect(ahead > 3_590 && ahead < 3_610, "\(ahead)")
        #expect(GHLScope.parse("contacts.readonly contacts.write,locations.readonly unknown.scope")
            == [.contactsReadonly, .contactsWrite, .locationsReadonly])
        await h.stop()
    }
}
