import EspoEmulator
import Foundation
import GHLClient
import GHLEmulator
import StateStore
import SyncCore
import Testing
import TestSupport

/// `doctor` against both emulators over real HTTP: everything passes without a single write reaching
/// either system or the state file; then each check is made to fail once, and the ✗ line, its fix, the
/// exit code and the `--json` shape are checked.
@Suite struct DoctorTests {
    /// Runs `doctor` as text and as `--json`; both must exit alike.
    func doctor(_ h: Harness, environment: [String: String] = [:]) async throws -> (text: Harness.Result, json: JSON) {
        let text = try await h.run(["doctor"], environment: environment)
        let json = try await h.run(["doctor", "--json"], environment: environment)
        #expect(json.code == text.code, "\(text)\n\(json)")
        let document = try #require(json.json, "\(json)")
        #expect(document["ok"]?.boolValue == (text.code == 0), "\(json)")
        for check in document["checks"]?.arrayValue ?? [] {
            #expect(check["id"]?.stringValue != nil && check["name"]?.stringValue != nil && check["detail"]?.stringValue != nil)
            let status = check["status"]?.stringValue
            #expect(["pass", "fail", "skip"].contains(status ?? ""), "\(check)")
            #expect((status == "fail") == (check["fix"]?.stringValue != nil), "a fix exactly under each failure: \(check)")
        }
        return (text, document)
    }

    /// The check `id` of a `--json` document.
    func check(_ json: JSON, _ id: String) -> JSON? {
        json["checks"]?.arrayValue?.first { $0["id"]?.stringValue == id }
    }

    /// `doctor` exits 1; `id` fails with a detail and fix containing the given texts (text and JSON
    /// alike), and the checks in `skipped` are reported as skipped, not passed.
    func expectFailure(
        _ h: Harness, _ id: String, detail: String, fix: String, skipped: [String] = [], environment: [String: String] = [:],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let (text, json) = try await doctor(h, environment: environment)
        #expect(text.code == 1, "\(text)", sourceLocation: sourceLocation)
        let failed = try #require(check(json, id), "no check \(id): \(json.serialized())", sourceLocation: sourceLocation)
        #expect(failed["status"]?.stringValue == "fail", "\(failed)", sourceLocation: sourceLocation)
        #expect(failed["detail"]?.stringValue?.contains(detail) == true, "\(failed)", sourceLocation: sourceLocation)
        #expect(failed["fix"]?.stringValue?.contains(fix) == true, "\(failed)", sourceLocation: sourceLocation)
        let name = failed["name"]?.stringValue ?? id
        let line = text.stdout.split(separator: "\n").firstIndex { $0.hasPrefix("✗ \(name): ") }
        #expect(line != nil, "a ✗ line for \(name)\n\(text)", sourceLocation: sourceLocation)
        if let line {
            let lines = text.stdout.split(separator: "\n").map(String.init)
            let below = lines[(line + 1)...].prefix { $0.hasPrefix("    ") }.joined(separator: "\n")
            #expect(below.contains("fix: ") && below.contains(fix.prefix(40)), "the fix under the ✗ line\n\(text)", sourceLocation: sourceLocation)
        }
        for id in skipped {
            #expect(check(json, id)?["status"]?.stringValue == "skip", "\(id) must be skipped: \(check(json, id).map { "\($0)" } ?? "absent")",
                    sourceLocation: sourceLocation)
        }
        #expect(!(text.stdout + text.stderr).contains(h.sandbox.ghlToken), "no secret in the output", sourceLocation: sourceLocation)
        #expect(!(text.stdout + text.stderr).contains(h.sandbox.espoAPIKey), "no secret in the output", sourceLocation: sourceLocation)
    }

    /// Rewrites the config with `change` applied to its text.
    func editConfig(_ h: Harness, _ change: (String) -> String) throws {
        try change(h.config()).write(toFile: h.folder.file("espo-ghl-sync.json"), atomically: true, encoding: .utf8)
    }

    // MARK: Everything passes, nothing is written

    @Test func allPassesWithAPrivateTokenAndWritesNothing() async throws {
        let h = try await Harness(people: 3, children: true)
        let contacts = await h.sandbox.ghl.contactCount(location: h.sandbox.locationId)
        let (text, json) = try await doctor(h)
        #expect(text.code == 0, "\(text)")
        #expect(json["checks"]?.arrayValue?.allSatisfy { $0["status"]?.stringValue == "pass" } == true, "\(text)")
        #expect(text.stdout.contains("✓ GoHighLevel scopes for appointment: calendars.readonly, calendars/events.readonly, calendars/events.write"))
        #expect(text.stdout.contains("✓ EspoCRM access for task: Task read, Task create, Task edit, Task delete"))
        #expect(text.stdout.contains("state file: none at"), "\(text)")
        // No state file, no lock file: doctor creates nothing.
        #expect(!h.folder.names().contains { $0.hasPrefix("state.sqlite") }, "\(h.folder.names())")
        // EspoCRM got reads only; GHL only the write probes, each to an id no record has, none applied.
        #expect(await h.sandbox.espoServer.log.writes == 0)
        let ghlWrites = await h.sandbox.ghlServer.log.entries.filter(\.isWrite)
        #expect(Set(ghlWrites.map(\.endpoint)) == [
            "PUT /contacts/{contactId}", "PUT /businesses/{businessId}", "PUT /calendars/events/appointments/{eventId}",
        ], "\(ghlWrites.map(\.endpoint))")
        #expect(ghlWrites.allSatisfy { (400..<500).contains($0.status) && $0.status != 401 && $0.status != 403 }, "\(ghlWrites.map(\.status))")
        #expect(await h.sandbox.ghl.contactCount(location: h.sandbox.locationId) == contacts)
        await h.stop()
    }

    @Test func withAStateFileAndOAuthTokensNothingIsWrittenAnywhere() async throws {
        let h = try await Harness(people: 3, children: true)
        let key = Data((0..<32).map { UInt8($0 * 7 % 256) }).base64EncodedString()
        let environment = ["GHL_CLIENT_ID": "app-doctor", "GHL_CLIENT_SECRET": "app-secret-doctor-0001", "ESPO_GHL_SYNC_TOKEN_KEY": key, "GHL_TOKEN": ""]
        await h.sandbox.ghl.registerApp(clientId: "app-doctor", clientSecret: "app-secret-doctor-0001")
        try editConfig(h) {
            $0.replacingOccurrences(
                of: "\"auth\": { \"type\": \"privateToken\", \"tokenEnv\": \"GHL_TOKEN\" }",
                with: "\"auth\": { \"type\": \"oauth\", \"clientIdEnv\": \"GHL_CLIENT_ID\", \"clientSecretEnv\": \"GHL_CLIENT_SECRET\" }")
        }
        let code = await h.sandbox.ghl.authorizationCode(clientId: "app-doctor", location: h.sandbox.locationId)
        #expect(try await h.run(["auth", "login", "--code", code], environment: environment).code == 0)
        #expect(try await h.run(["sync"], environment: environment).code == 0)
        let state = h.folder.file("state.sqlite")
        let before = try Data(contentsOf: URL(fileURLWithPath: state))
        let modified = try FileManager.default.attributesOfItem(atPath: state)[.modificationDate] as? Date
        let grants = await h.sandbox.ghl.tokenGrants
        await h.resetRequestLogs()

        let (text, json) = try await doctor(h, environment: environment)
        #expect(text.code == 0, "\(text)")
        #expect(json["checks"]?.arrayValue?.allSatisfy { $0["status"]?.stringValue == "pass" } == true, "\(text)")
        #expect(check(json, "ghl.scopes.contact")?["detail"]?.stringValue?.contains("granted to the app") == true)
        #expect(check(json, "state")?["detail"]?.stringValue?.contains("schema version \(StateStore.schemaVersion)") == true)
        #expect(await h.writes() == (0, 0), "OAuth scopes come from the stored pair: no probe, no write")
        #expect(try Data(contentsOf: URL(fileURLWithPath: state)) == before, "the state file's bytes are unchanged")
        #expect(try FileManager.default.attributesOfItem(atPath: state)[.modificationDate] as? Date == modified)
        #expect(await h.sandbox.ghl.tokenGrants == grants, "no token was refreshed")
        #expect(!(text.stdout + text.stderr).contains("app-secret-doctor-0001"))

        // An expired access token is not a failure: the next sync refreshes it; doctor does not.
        await h.sandbox.ghl.expireAccessTokens()
        do {
            let store = try StateStore(path: state)
            let slot = TokenKeeper.slot(location: h.sandbox.locationId)
            let sealer = try TokenSealer(key: Array(try #require(Data(base64Encoded: key))))
            var pair = try sealer.open(try #require(try store.token(name: slot)), name: slot)
            pair.expiresAt = Int64(Date().timeIntervalSince1970 * 1000) - 60_000
            try store.saveToken(try sealer.seal(pair, name: slot), name: slot, keyId: sealer.keyId)
        }
        let expiredBytes = try Data(contentsOf: URL(fileURLWithPath: state))
        let (expired, expiredJSON) = try await doctor(h, environment: environment)
        #expect(expired.code == 0, "\(expired)")
        #expect(check(expiredJSON, "ghl.token")?["detail"]?.stringValue?.contains("the next sync refreshes it") == true, "\(expired)")
        #expect(check(expiredJSON, "ghl.location")?["status"]?.stringValue == "skip")
        #expect(await h.sandbox.ghl.tokenGrants == grants, "still no refresh")
        #expect(try Data(contentsOf: URL(fileURLWithPath: state)) == expiredBytes)
        await h.stop()
    }

    // MARK: Each check fails once

    @Test func aBrokenConfig() async throws {
        let h = try await Harness()
        try "{ \"ghl\": { \"locationId\": 3 ".write(toFile: h.folder.file("espo-ghl-sync.json"), atomically: true, encoding: .utf8)
        try await expectFailure(h, "config", detail: "espo-ghl-sync.json", fix: "correct the JSON syntax",
                                skipped: ["mappings", "secrets", "state", "ghl.reachable", "espo.reachable", "clock.ghl", "clock.espo"])
        await h.stop()
    }

    @Test func aBrokenMapping() async throws {
        let h = try await Harness()
        let file = h.folder.file("mappings/contacts.json")
        let text = try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "\"conflict\": \"newest-wins\"", with: "\"conflict\": \"loudest-wins\"")
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        try await expectFailure(h, "mappings", detail: "contacts.json: $.conflict", fix: "newest-wins",
                                skipped: ["ghl.scopes", "espo.access", "espo.attributes"])
        await h.stop()
    }

    @Test func aMissingSecret() async throws {
        let h = try await Harness()
        try await expectFailure(h, "secrets", detail: "$GHL_TOKEN is not set ($.ghl.auth.tokenEnv names it)", fix: "export GHL_TOKEN=",
                                skipped: ["ghl.reachable", "ghl.token", "ghl.location", "ghl.scopes.contact", "clock.ghl"],
                                environment: ["GHL_TOKEN": ""])
        let (_, json) = try await doctor(h, environment: ["GHL_TOKEN": ""])
        #expect(check(json, "espo.user")?["status"]?.stringValue == "pass", "EspoCRM is still checked")
        await h.stop()
    }

    @Test func aStateFileOfANewerSchemaOrNotAStateFile() async throws {
        let h = try await Harness(people: 1)
        #expect(try await h.run(["sync"]).code == 0)
        let state = h.folder.file("state.sqlite")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: state))
        bytes[60] = 0; bytes[61] = 0; bytes[62] = 0; bytes[63] = 99  // PRAGMA user_version, big-endian at offset 60
        try bytes.write(to: URL(fileURLWithPath: state))
        try await expectFailure(h, "state", detail: "newer espo-ghl-sync (schema 99", fix: "upgrade espo-ghl-sync")
        #expect(try Data(contentsOf: URL(fileURLWithPath: state)) == bytes, "the newer file is left as it was")

        try "not a database".write(toFile: state, atomically: true, encoding: .utf8)
        try await expectFailure(h, "state", detail: "is not an espo-ghl-sync state file", fix: "point \"state\" in the config at the state file")
        await h.stop()
    }

    @Test func gohighlevelUnreachable() async throws {
        let h = try await Harness()
        try editConfig(h) { $0.replacingOccurrences(of: h.sandbox.ghlServer.baseURL, with: "http://127.0.0.1:1") }
        try await expectFailure(h, "ghl.reachable", detail: "GHL", fix: "$.ghl.baseURL",
                                skipped: ["ghl.token", "ghl.location", "ghl.scopes.contact", "clock.ghl"])
        await h.stop()
    }

    @Test func aRejectedToken() async throws {
        let h = try await Harness()
        try await expectFailure(h, "ghl.token", detail: "GoHighLevel refused the token", fix: "Private Integration Token",
                                skipped: ["ghl.location", "ghl.scopes.contact"], environment: ["GHL_TOKEN": "pit-not-issued-by-ghl"])
        await h.stop()
    }

    @Test func theWrongLocation() async throws {
        let h = try await Harness()
        await h.sandbox.ghl.addLocation("otherLocation000002")
        try editConfig(h) { $0.replacingOccurrences(of: h.sandbox.locationId, with: "otherLocation000002") }
        try await expectFailure(h, "ghl.location", detail: "no access to location otherLocation000002",
                                fix: "use a token of sub-account otherLocation000002", skipped: ["ghl.scopes.contact"])
        await h.stop()
    }

    @Test func aMissingScopeOfAPrivateToken() async throws {
        let h = try await Harness()
        let token = await h.sandbox.ghl.issuePrivateToken(
            location: h.sandbox.locationId, scopes: GHLEmulator.defaultScopes.filter { $0 != "businesses.write" && $0 != "locations.readonly" })
        try await expectFailure(h, "ghl.scopes.business", detail: "missing businesses.write", fix: "grant businesses.write to the Private Integration",
                                environment: ["GHL_TOKEN": token])
        let (_, json) = try await doctor(h, environment: ["GHL_TOKEN": token])
        #expect(check(json, "ghl.scopes.contact")?["status"]?.stringValue == "pass")
        #expect(check(json, "ghl.token")?["status"]?.stringValue == "pass", "a scope refusal is not a rejected token")
        #expect(check(json, "ghl.location")?["fix"]?.stringValue?.contains("grant locations.readonly") == true, "\(json.serialized())")
        await h.stop()
    }

    @Test func aMissingScopeOfAnOAuthApp() async throws {
        let h = try await Harness(children: true)
        let key = Data((0..<32).map { UInt8($0 * 5 % 256) }).base64EncodedString()
        let environment = ["GHL_CLIENT_ID": "app-narrow", "GHL_CLIENT_SECRET": "app-secret-narrow-01", "ESPO_GHL_SYNC_TOKEN_KEY": key]
        await h.sandbox.ghl.registerApp(
            clientId: "app-narrow", clientSecret: "app-secret-narrow-01", scopes: GHLEmulator.defaultScopes.filter { $0 != "calendars/events.write" })
        try editConfig(h) {
            $0.replacingOccurrences(
                of: "\"auth\": { \"type\": \"privateToken\", \"tokenEnv\": \"GHL_TOKEN\" }",
                with: "\"auth\": { \"type\": \"oauth\", \"clientIdEnv\": \"GHL_CLIENT_ID\", \"clientSecretEnv\": \"GHL_CLIENT_SECRET\" }")
        }
        // Before the login: the tokens are missing.
        try await expectFailure(h, "ghl.token", detail: "no OAuth tokens are stored", fix: "auth login", environment: environment)
        let code = await h.sandbox.ghl.authorizationCode(clientId: "app-narrow", location: h.sandbox.locationId)
        #expect(try await h.run(["auth", "login", "--code", code], environment: environment).code == 0)
        try await expectFailure(h, "ghl.scopes.appointment", detail: "missing calendars/events.write", fix: "auth login", environment: environment)
        await h.stop()
    }

    @Test func espocrmUnreachable() async throws {
        let h = try await Harness()
        try editConfig(h) { $0.replacingOccurrences(of: h.sandbox.espoServer.baseURL, with: "http://127.0.0.1:1") }
        try await expectFailure(h, "espo.reachable", detail: "EspoCRM", fix: "$.espo.baseURL",
                                skipped: ["espo.user", "espo.access.contact", "espo.attributes", "clock.espo"])
        await h.stop()
    }

    @Test func anUnknownAPIUser() async throws {
        let h = try await Harness()
        try await expectFailure(h, "espo.user", detail: "401", fix: "Administration → API Users",
                                skipped: ["espo.access.contact", "espo.attributes"], environment: ["ESPO_API_KEY": "not-an-api-key"])
        await h.stop()
    }

    @Test func missingEntityAccess() async throws {
        let h = try await Harness(children: true)
        h.sandbox.espo.setAccess("Task", ["create": "yes", "read": "all", "edit": "all", "delete": "no"])
        h.sandbox.espo.setAccess("Meeting", false)
        try await expectFailure(h, "espo.access.task", detail: "Task delete is \"no\"", fix: "set Task delete: all")
        let (_, json) = try await doctor(h)
        #expect(check(json, "espo.access.appointment")?["detail"]?.stringValue?.contains("Meeting read is \"no\"") == true)
        #expect(check(json, "espo.access.contact")?["status"]?.stringValue == "pass")
        // The emulator refuses what the role does not grant, as EspoCRM does.
        #expect(await h.sandbox.espoServer.log.entries.allSatisfy { $0.status != 403 }, "doctor read the role, it did not try")
        await h.stop()
    }

    @Test func aMissingAttribute() async throws {
        let h = try await Harness()
        let file = h.folder.file("mappings/contacts.json")
        let text = try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "\"cTags\"", with: "\"cLabels\"")
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        try await expectFailure(h, "espo.attributes", detail: "EspoCRM Contact has no attribute \"cLabels\"", fix: "Entity Manager")
        await h.stop()
    }

    @Test func clockSkewOverAMinute() async throws {
        let h = try await Harness()
        h.sandbox.espo.clock.set(offset: 120)
        h.sandbox.ghl.clock.set(offset: -90)
        try await expectFailure(h, "clock.espo", detail: "120 s ahead of this machine's", fix: "NTP")
        let (_, json) = try await doctor(h)
        #expect(check(json, "clock.ghl")?["detail"]?.stringValue?.contains("90 s behind") == true, "\(json.serialized())")
        h.sandbox.espo.clock.set(offset: 30)
        h.sandbox.ghl.clock.set(offset: 0)
        let (within, withinJSON) = try await doctor(h)
        #expect(within.code == 0, "\(within)")
        #expect(check(withinJSON, "clock.espo")?["detail"]?.stringValue?.contains("30 s ahead") == true, "the offset is printed either way")
        await h.stop()
    }
}
