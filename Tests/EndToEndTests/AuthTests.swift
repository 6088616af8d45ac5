import Foundation
import SyncCore
import Testing
import Transport

/// `auth login|status|logout` with an OAuth app against the GHL emulator's token endpoint.
@Suite struct AuthTests {
    let key = Data((0..<32).map { UInt8($0 * 11 % 256) }).base64EncodedString()

    func oauthHarness() async throws -> (Harness, Int) {
        let h = try await Harness(people: 5)
        await h.sandbox.ghl.registerApp(clientId: "app-e2e", clientSecret: "app-secret-e2e-0001")
        let port = Int.random(in: 20_000..<60_000)
        try h.config()
            .replacingOccurrences(
                of: "\"auth\": { \"type\": \"privateToken\", \"tokenEnv\": \"GHL_TOKEN\" }",
                with: "\"auth\": { \"type\": \"oauth\", \"clientIdEnv\": \"GHL_CLIENT_ID\", \"clientSecretEnv\": \"GHL_CLIENT_SECRET\", \"redirectURI\": \"http://127.0.0.1:\(port)/callback\" }")
            .write(toFile: h.folder.file("espo-ghl-sync.json"), atomically: true, encoding: .utf8)
        return (h, port)
    }

    var environment: [String: String] {
        ["GHL_CLIENT_ID": "app-e2e", "GHL_CLIENT_SECRET": "app-secret-e2e-0001", "ESPO_GHL_SYNC_TOKEN_KEY": key, "GHL_TOKEN": ""]
    }

    @Test func aPastedCodeIsExchangedAndTheSealedTokensServeTheSync() async throws {
        let (h, _) = try await oauthHarness()
        let code = await h.sandbox.ghl.authorizationCode(clientId: "app-e2e", location: h.sandbox.locationId)
        let login = try await h.run(["auth", "login", "--code", code], environment: environment)
        #expect(login.code == 0, "\(login)")
        let status = try await h.run(["auth", "status"], environment: environment)
        #expect(status.stdout.contains("tokens stored for location \(h.sandbox.locationId)"), "\(status)")
        let sync = try await h.run(["sync", "--json"], environment: environment)
        #expect(sync.code == 0, "\(sync)")
        #expect(await h.sandbox.ghl.contactCount(location: h.sandbox.locationId) == h.sandbox.espo.count("Contact"))
        // The state file holds the tokens sealed: neither the client secret nor a token in clear.
        for name in h.folder.names() where name.hasPrefix("state.sqlite") {
            let bytes = FileManager.default.contents(atPath: h.folder.file(name)) ?? Data()
            #expect(bytes.range(of: Data("app-secret-e2e-0001".utf8)) == nil)
        }
        #expect(!(login.stdout + login.stderr + sync.stdout + sync.stderr + status.stdout).contains("app-secret-e2e-0001"))
        let logout = try await h.run(["auth", "logout"], environment: environment)
        #expect(logout.code == 0)
        let after = try await h.run(["auth", "status"], environment: environment)
        #expect(after.stdout.contains("no tokens stored"), "\(after)")
        await h.stop()
    }

    @Test func theCodeArrivesOnTheLocalRedirect() async throws {
        let (h, port) = try await oauthHarness()
        let code = await h.sandbox.ghl.authorizationCode(clientId: "app-e2e", location: h.sandbox.locationId)
        let (process, name) = try h.start(["auth", "login"], environment: environment)
        let redirect = "http://127.0.0.1:\(port)"
        let browser = APITransport(
            service: "browser", contractName: "none", baseURL: redirect, credentials: nil,
            pacer: Pacer(RateLimit(requests: 10, interval: .seconds(1), concurrency: 1)),
            retry: RetryPolicy(maxAttempts: 40, baseDelay: .milliseconds(100), maxDelay: .milliseconds(200)))
        // The listener starts with the process: retry until it answers.
        let answer = try await browser.send(Request(.get, "/callback", query: [.init("code", code), .init("state", "s")]))
        #expect(answer.text.contains("received the code"))
        while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        let result = h.output(of: process, name: name)
        #expect(result.code == 0, "\(result)")
        #expect(result.stdout.contains("marketplace.gohighlevel.com/v2/oauth/chooselocation"))
        #expect(try await h.run(["auth", "status"], environment: environment).stdout.contains("tokens stored"))
        await h.stop()
    }
}
