import Engine
import Foundation
import GHLClient
import StateStore
import SyncCore
import Testing
import TestSupport

/// `auth rotate-key` and `auth status`: the built binary against both emulators, a real child process
/// killed with SIGKILL inside the rotation's transaction, the secrets checked in the state file itself.
@Suite(.serialized) struct RotationTests {
    static let oldKey: [UInt8] = (0..<32).map { UInt8($0 * 7 % 256) }
    static let newKey: [UInt8] = (0..<32).map { UInt8((200 + $0 * 3) % 256) }
    static let strangerKey: [UInt8] = Array(repeating: 0x42, count: 32)
    static let old = try! TokenSealer(key: oldKey)
    static let new = try! TokenSealer(key: newKey)
    static let clientSecret = "app-secret-rotation-0001"

    static func base64(_ key: [UInt8]) -> String { Data(key).base64EncodedString() }
    static func hex(_ key: [UInt8]) -> String { key.map { String(format: "%02x", $0) }.joined() }

    /// The OAuth app's variables, with `current` in $tokenKeyEnv and `next` (if any) in $newTokenKeyEnv.
    static func environment(current: [UInt8], next: [UInt8]? = nil) -> [String: String] {
        var environment = ["GHL_CLIENT_ID": "app-rotation", "GHL_CLIENT_SECRET": clientSecret, "ESPO_GHL_SYNC_TOKEN_KEY": base64(current)]
        if let next { environment["ESPO_GHL_SYNC_NEW_TOKEN_KEY"] = base64(next) }
        return environment
    }

    /// An OAuth app logged in and EspoCRM's webhooks subscribed, all sealed with the old key: the
    /// location's token pair and 12 webhook registrations in the state file.
    static func secured(people: Int = 3, subscribe: Bool = true) async throws -> Harness {
        let h = try await Harness(people: people)
        await h.sandbox.ghl.registerApp(clientId: "app-rotation", clientSecret: clientSecret)
        h.sandbox.espo.webhookAllowedAddresses = ["127.0.0.1"]
        try h.config()
            .replacingOccurrences(
                of: "\"auth\": { \"type\": \"privateToken\", \"tokenEnv\": \"GHL_TOKEN\" }",
                with: "\"auth\": { \"type\": \"oauth\", \"clientIdEnv\": \"GHL_CLIENT_ID\", \"clientSecretEnv\": \"GHL_CLIENT_SECRET\", \"redirectURI\": \"http://127.0.0.1:9/callback\" }")
            .replacingOccurrences(
                of: "\"state\": \"state.sqlite\"", with: "\"serve\": { \"publicURL\": \"http://127.0.0.1:9\" }, \"state\": \"state.sqlite\"")
            .write(toFile: h.folder.file("espo-ghl-sync.json"), atomically: true, encoding: .utf8)
        let code = await h.sandbox.ghl.authorizationCode(clientId: "app-rotation", location: h.sandbox.locationId)
        let login = try await h.run(["auth", "login", "--code", code], environment: environment(current: oldKey))
        #expect(login.code == 0, "\(login)")
        guard subscribe else { return h }
        let subscribed = try await h.run(["webhooks", "subscribe"], environment: environment(current: oldKey))
        #expect(subscribed.code == 0, "\(subscribed)")
        return h
    }

    static func stored(_ h: Harness) throws -> [StoredToken] { try StateStore(path: h.folder.file("state.sqlite")).tokens() }

    static func opens(_ token: StoredToken, with sealer: TokenSealer) -> Bool { sealer.openBytes(token.sealed, name: token.name) != nil }

    /// The location's pair, opened with `sealer`.
    static func pair(_ h: Harness, _ sealer: TokenSealer) throws -> TokenPair {
        let name = TokenKeeper.slot(location: h.sandbox.locationId)
        let token = try #require(try stored(h).first { $0.name == name })
        return try sealer.open(token.sealed, name: name)
    }

    /// Each registration's plain JSON matches a webhook of the emulator, its secret included.
    static func expectRegistrationsIntact(_ h: Harness, _ sealer: TokenSealer, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let webhooks = h.sandbox.espo.webhookSubscriptions
        let registrations = try stored(h).filter { $0.name.hasPrefix("espo.webhook.") }
        #expect(registrations.count == 12, sourceLocation: sourceLocation)
        for token in registrations {
            let plain = try #require(sealer.openBytes(token.sealed, name: token.name), "\(token.name)", sourceLocation: sourceLocation)
            let json = try JSON(parsing: plain)
            let webhook = webhooks.first { $0["id"]?.stringValue == json["webhookId"]?.stringValue }
            #expect(webhook?["secretKey"]?.stringValue == json["secretKey"]?.stringValue && webhook != nil, "\(token.name)", sourceLocation: sourceLocation)
        }
    }

    /// A child process re-seals 6 of the 13 secrets inside the rotation's transaction and is killed
    /// there. The file opens, everything still opens with the old key and serves the CLI; then a real
    /// `auth rotate-key` finishes, the old key opens nothing, and the sync and a token refresh work with
    /// the new key.
    @Test func aRotationKilledMidwayLeavesTheOldKeyWorkingAndARunAgainFinishesIt() async throws {
        let h = try await Self.secured()
        let first = try await h.run(["sync", "--json"], environment: Self.environment(current: Self.oldKey))
        #expect(first.code == 0, "\(first)")
        let before = try Self.stored(h)
        #expect(before.count == 13, "\(before.map(\.name))")
        #expect(before.allSatisfy { $0.keyId == Self.old.keyId && Self.opens($0, with: Self.old) })
        let pairBefore = try Self.pair(h, Self.old)

        // The crash: a real process inside the transaction, SIGKILL.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try BuiltProduct.path("ghl-token-probe"))
        process.arguments = ["rotate", h.folder.file("state.sqlite"), "ESPO_GHL_SYNC_TOKEN_KEY", "ESPO_GHL_SYNC_NEW_TOKEN_KEY", "6"]
        process.environment = Self.environment(current: Self.oldKey, next: Self.newKey)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        let said = await firstLine(of: output)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(said == "midway 6 of 13")
        #expect(process.terminationReason == .uncaughtSignal)

        // Nothing of the half-done transaction is left: every secret as it was, all opening with the old key.
        let afterCrash = try Self.stored(h)
        #expect(afterCrash == before)
        #expect(afterCrash.allSatisfy { Self.opens($0, with: Self.old) && !Self.opens($0, with: Self.new) })
        #expect(try Self.pair(h, Self.old) == pairBefore)
        try Self.expectRegistrationsIntact(h, Self.old)
        let listed = try await h.run(["webhooks", "list"], environment: Self.environment(current: Self.oldKey))
        #expect(listed.code == 0 && listed.stdout.components(separatedBy: "ours ").count - 1 == 12, "\(listed)")

        // The real command finishes the rotation.
        let rotated = try await h.run(["auth", "rotate-key"], environment: Self.environment(current: Self.oldKey, next: Self.newKey))
        #expect(rotated.code == 0, "\(rotated)")
        #expect(rotated.stdout.contains("Re-sealed 13 secrets") && rotated.stdout.contains("Next steps"), "\(rotated)")
        #expect(rotated.stdout.contains("into $ESPO_GHL_SYNC_TOKEN_KEY") && rotated.stdout.contains("Unset $ESPO_GHL_SYNC_NEW_TOKEN_KEY"))
        let after = try Self.stored(h)
        #expect(after.map(\.name) == before.map(\.name))
        #expect(after.allSatisfy { $0.keyId == Self.new.keyId && Self.opens($0, with: Self.new) && !Self.opens($0, with: Self.old) })
        #expect(after.map(\.updatedAt) == before.map(\.updatedAt), "a rotation is not a refresh")
        #expect(try Self.pair(h, Self.new) == pairBefore)
        try Self.expectRegistrationsIntact(h, Self.new)

        // Run again with the old key still in $tokenKeyEnv (a crash after the commit): it says so and changes nothing.
        let again = try await h.run(["auth", "rotate-key"], environment: Self.environment(current: Self.oldKey, next: Self.newKey))
        #expect(again.code == 0 && again.stdout.contains("already sealed by the new key"), "\(again)")
        #expect(try Self.stored(h) == after)
        // The old key alone no longer opens the tokens, and the error says which key sealed them.
        let stale = try await h.run(["sync"], environment: Self.environment(current: Self.oldKey))
        #expect(stale.code != 0, "\(stale)")
        #expect(stale.stderr.contains("was sealed by key id \(Self.new.keyId), but $ESPO_GHL_SYNC_TOKEN_KEY holds key id \(Self.old.keyId)"), "\(stale)")

        // The new key in $tokenKeyEnv: the sync runs, and a refresh seals the rotated pair with it.
        let newEnvironment = Self.environment(current: Self.newKey)
        for n in 10..<12 { await h.person(n, on: [.espo]) }
        let synced = try await h.run(["sync", "--json"], environment: newEnvironment)
        #expect(synced.code == 0 && count(synced.json, "create", .ghl) == 2, "\(synced)")
        let refreshesBefore = await h.sandbox.ghl.tokenGrants["refresh_token"] ?? 0
        await h.sandbox.ghl.expireAccessTokens()
        let refreshed = try await h.run(["sync", "--json"], environment: newEnvironment)
        #expect(refreshed.code == 0, "\(refreshed)")
        #expect(await h.sandbox.ghl.tokenGrants["refresh_token"] ?? 0 == refreshesBefore + 1)
        let pairAfter = try Self.pair(h, Self.new)
        #expect(pairAfter.refreshToken != pairBefore.refreshToken)
        let slot = try #require(try Self.stored(h).first { $0.name == TokenKeeper.slot(location: h.sandbox.locationId) })
        #expect(slot.keyId == Self.new.keyId && slot.updatedAt > before[before.count - 1].updatedAt)
        let webhooks = try await h.run(["webhooks", "list"], environment: newEnvironment)
        #expect(webhooks.code == 0 && webhooks.stdout.components(separatedBy: "ours ").count - 1 == 12, "\(webhooks)")
        let status = try await h.run(["auth", "status", "--json"], environment: newEnvironment)
        let secrets = status.json?["secrets"]?.arrayValue ?? []
        #expect(secrets.count == 13 && secrets.allSatisfy { $0["opensWithCurrentKey"] == .bool(true) }, "\(status)")
        await h.resetRequestLogs()
        let quiet = try await h.run(["sync", "--json"], environment: newEnvironment)
        #expect(quiet.code == 0, "\(quiet)")
        #expect(await h.writes() == (0, 0))
        await h.stop()
    }

    /// A PIT config with secrets planted as the commands store them: three sealed with the old key.
    static func planted() async throws -> (Harness, [StoredToken]) {
        let h = try await Harness(people: 2)
        let sync = try await h.run(["sync"])
        #expect(sync.code == 0, "\(sync)")
        let store = try StateStore(path: h.folder.file("state.sqlite"))
        for name in ["espo.webhook.contact-create", "espo.webhook.contact-update", "espo.webhook.task-delete"] {
            try store.saveToken(try old.sealBytes(Array("{\"secretKey\":\"whsec-\(name)\"}".utf8), name: name), name: name, keyId: old.keyId)
        }
        return (h, try store.tokens())
    }

    @Test func aSecretTheCurrentKeyCannotOpenRefusesTheRotationAndChangesNothing() async throws {
        let (h, _) = try await Self.planted()
        let stranger = try TokenSealer(key: Self.strangerKey)
        let name = "ghl.company.C-other"
        try StateStore(path: h.folder.file("state.sqlite"))
            .saveToken(try stranger.sealBytes(Array("{}".utf8), name: name), name: name, keyId: stranger.keyId)
        let before = try Self.stored(h)
        let refused = try await h.run(["auth", "rotate-key"], environment: Self.environment(current: Self.oldKey, next: Self.newKey))
        #expect(refused.code == 1, "\(refused)")
        #expect(refused.stderr.contains(name) && refused.stderr.contains("sealed by key id \(stranger.keyId)"), "\(refused)")
        #expect(refused.stderr.contains("Nothing was changed"))
        #expect(try Self.stored(h) == before)
        // `auth status` (a Private Integration Token config) points at it.
        let status = try await h.run(["auth", "status"], environment: Self.environment(current: Self.oldKey))
        #expect(status.code == 0, "\(status)")
        let line = status.stdout.split(separator: "\n").first { $0.contains(name) }.map(String.init) ?? ""
        #expect(line.contains("sealed by key id \(stranger.keyId)") && line.contains("opens with $ESPO_GHL_SYNC_TOKEN_KEY: NO"), "\(status)")
        #expect(status.stdout.contains("GoHighLevel: Private Integration Token"))
        await h.stop()
    }

    /// A rotation committed, $tokenKeyEnv still holds the old key: `webhooks subscribe` refuses rather
    /// than seal new secrets with a key the others are no longer sealed by; with the new key it works.
    @Test func subscribingBeforeTheNewKeyIsInPlaceIsRefused() async throws {
        let h = try await Self.secured(subscribe: false)
        defer { Task { await h.stop() } }
        let rotated = try await h.run(["auth", "rotate-key"], environment: Self.environment(current: Self.oldKey, next: Self.newKey))
        #expect(rotated.code == 0, "\(rotated)")
        let early = try await h.run(["webhooks", "subscribe"], environment: Self.environment(current: Self.oldKey))
        #expect(early.code == 1, "\(early)")
        #expect(early.stderr.contains("sealed by key id \(Self.new.keyId)") && early.stderr.contains("nothing was changed"), "\(early)")
        #expect(h.sandbox.espo.webhookSubscriptions.isEmpty)
        #expect(try Self.stored(h).count == 1)
        let done = try await h.run(["webhooks", "subscribe"], environment: Self.environment(current: Self.newKey))
        #expect(done.code == 0, "\(done)")
        try Self.expectRegistrationsIntact(h, Self.new)
    }

    @Test func aNewKeyEqualToTheOldIsRefused() async throws {
        let (h, before) = try await Self.planted()
        let refused = try await h.run(["auth", "rotate-key"], environment: Self.environment(current: Self.oldKey, next: Self.oldKey))
        #expect(refused.code == 1 && refused.stderr.contains("holds the same key as $ESPO_GHL_SYNC_TOKEN_KEY"), "\(refused)")
        #expect(try Self.stored(h) == before)
        let unset = try await h.run(["auth", "rotate-key"], environment: Self.environment(current: Self.oldKey))
        #expect(unset.code == 1 && unset.stderr.contains("ESPO_GHL_SYNC_NEW_TOKEN_KEY"), "\(unset)")
        #expect(try Self.stored(h) == before)
        await h.stop()
    }

    /// serve keeps the key in memory: no rotation while it runs, and no serve while a rotation holds the file.
    @Test func rotationIsRefusedWhileServeRunsAndServeWhileARotationRuns() async throws {
        let (h, before) = try await Self.planted()
        try ServeEndToEndTests.configure(h, pollSeconds: 60)
        let served = try await ServeEndToEndTests.serve(h)
        let refused = try await h.run(["auth", "rotate-key"], environment: Self.environment(current: Self.oldKey, next: Self.newKey))
        #expect(refused.code == 1 && refused.stderr.contains("`espo-ghl-sync serve` is running"), "\(refused)")
        #expect(try Self.stored(h) == before)
        try await served.kill(SIGTERM)
        let rotated = try await h.run(["auth", "rotate-key"], environment: Self.environment(current: Self.oldKey, next: Self.newKey))
        #expect(rotated.code == 0 && rotated.stdout.contains("Re-sealed 3 secrets"), "\(rotated)")
        #expect(try Self.stored(h).allSatisfy { Self.opens($0, with: Self.new) })
        // A rotation holding the file: serve does not start.
        var rotation: ServeLock? = try ServeLock(statePath: h.folder.file("state.sqlite"), .rotating)
        let blocked = try await h.run(["serve", "--port", "0"], environment: Self.environment(current: Self.newKey))
        #expect(blocked.code == 1 && blocked.stderr.contains("`espo-ghl-sync auth rotate-key` is re-sealing"), "\(blocked)")
        rotation = nil
        withExtendedLifetime(rotation) {}
        let again = try await ServeEndToEndTests.serve(h)
        try await again.kill(SIGTERM)
        await h.stop()
    }

    @Test func authStatusShowsKeyIdsAndTheRefreshTimeAndNeverASecret() async throws {
        let h = try await Self.secured()
        let environment = Self.environment(current: Self.oldKey, next: Self.newKey)
        let text = try await h.run(["auth", "status"], environment: environment)
        let json = try await h.run(["auth", "status", "--json"], environment: environment)
        #expect(text.code == 0 && json.code == 0, "\(text)\n\(json)")
        #expect(text.stdout.contains("Sealing key: $ESPO_GHL_SYNC_TOKEN_KEY holds key id \(Self.old.keyId); new key $ESPO_GHL_SYNC_NEW_TOKEN_KEY holds key id \(Self.new.keyId)"), "\(text)")
        #expect(text.stdout.contains("tokens stored for location \(h.sandbox.locationId)") && text.stdout.contains("last refreshed "), "\(text)")
        let slotLines = text.stdout.split(separator: "\n").filter { $0.hasPrefix("  ghl.location.") || $0.hasPrefix("  espo.webhook.") }
        #expect(slotLines.count == 13, "\(text)")
        #expect(slotLines.allSatisfy {
            $0.contains("sealed by key id \(Self.old.keyId)") && $0.contains("opens with $ESPO_GHL_SYNC_TOKEN_KEY: yes")
                && $0.contains("with $ESPO_GHL_SYNC_NEW_TOKEN_KEY: NO")
        }, "\(text)")
        let document = try #require(json.json)
        let row = try #require(try Self.stored(h).first { $0.name.hasPrefix("ghl.location.") })
        #expect(document["ghl"]?["tokens"]?["refreshedAt"]?.stringValue == Timestamp.iso8601(Int64(row.updatedAt.timeIntervalSince1970)))
        let pair = try Self.pair(h, Self.old)
        #expect(document["ghl"]?["tokens"]?["expiresAt"]?.stringValue == Timestamp.iso8601(pair.expiresAt / 1000))
        #expect(document["keys"]?["current"]?["keyId"]?.stringValue == Self.old.keyId)
        let secrets = document["secrets"]?.arrayValue ?? []
        #expect(secrets.count == 13 && secrets.allSatisfy {
            $0["keyId"]?.stringValue == Self.old.keyId && $0["opensWithCurrentKey"] == .bool(true) && $0["opensWithNewKey"] == .bool(false)
        }, "\(json)")
        // No secret anywhere in what it printed: tokens, the client secret, both keys, the webhook secrets.
        var secretsToFind = [pair.accessToken, pair.refreshToken ?? "", Self.clientSecret]
        secretsToFind += [Self.oldKey, Self.newKey].flatMap { [Self.base64($0), Self.hex($0)] }
        secretsToFind += h.sandbox.espo.webhookSubscriptions.compactMap { $0["secretKey"]?.stringValue }
        #expect(secretsToFind.count == 3 + 4 + 12 && secretsToFind.allSatisfy { $0.count >= 16 })
        let printed = text.stdout + text.stderr + json.stdout + json.stderr
        for secret in secretsToFind { #expect(!printed.contains(secret), "a secret was printed") }
        await h.stop()
    }
}
