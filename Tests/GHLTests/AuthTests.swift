import Emulation
import Foundation
import GHLClient
import GHLEmulator
import StateStore
import Synchronization
import SyncCore
import Testing
import TestSupport
import Transport

/// An OAuth app installed on the harness location, its keeper storing into a state file.
struct OAuthHarness {
    static let clientId = "app-client-1"
    static let clientSecret = "app-secret-XYZ"
    let h: Harness
    let folder: TemporaryFolder
    let store: StateStore
    let sealer: TokenSealer
    let session: OAuthSession
    let installed: TokenPair

    static func start(lifetime: Int = 86_399) async throws -> OAuthHarness {
        let h = try await Harness.start(settings: .init(
            rateLimit: RateLimit(requests: 10_000, interval: .seconds(10), daily: 200_000, concurrency: 8), accessTokenLifetime: lifetime))
        await h.emulator.registerApp(clientId: clientId, clientSecret: clientSecret)
        let folder = try TemporaryFolder()
        let store = try StateStore(path: folder.path + "/state.sqlite")
        let sealer = try TokenSealer(environmentVariable: "GHL_TOKEN_KEY", environment: ["GHL_TOKEN_KEY": testKey])
        let session = OAuthSession(
            app: OAuthApp(clientId: clientId, clientSecret: clientSecret, redirectURI: "http://localhost:8765/callback"),
            baseURL: h.server.baseURL, retry: RetryPolicy(baseDelay: .milliseconds(2)), exchanges: contractLog)
        let code = await h.emulator.authorizationCode(clientId: clientId, location: Harness.location)
        let installed = try await session.exchange(code: code)
        return OAuthHarness(h: h, folder: folder, store: store, sealer: sealer, session: session, installed: installed)
    }

    func keeper(now: @escaping @Sendable () -> Int64 = OAuthSession.systemMilliseconds) -> TokenKeeper {
        TokenKeeper(name: TokenKeeper.slot(location: Harness.location), vault: store, sealer: sealer, source: .refreshToken(session), now: now)
    }

    func client(_ keeper: TokenKeeper) -> GHLClient {
        GHLClient(.init(locationId: Harness.location, baseURL: h.server.baseURL), credentials: keeper, exchanges: contractLog)
    }

    func storedPair() throws -> TokenPair? {
        try store.token(name: TokenKeeper.slot(location: Harness.location)).map { try sealer.open($0, name: TokenKeeper.slot(location: Harness.location)) }
    }
}

@Suite struct AuthTests {
    @Test func theConsentURLAsksForTheSyncScopes() {
        let app = OAuthApp(clientId: "cid", clientSecret: "s3cr3t-value", redirectURI: "https://sync.example.com/cb?x=1")
        let url = app.consentURL(state: "s+1")
        #expect(url.hasPrefix("https://marketplace.gohighlevel.com/v2/oauth/chooselocation?response_type=code&redirect_uri=https%3A%2F%2Fsync.example.com%2Fcb%3Fx%3D1&client_id=cid&scope=contacts.readonly%20contacts.write%20locations%2FcustomFields.readonly"))
        #expect(url.hasSuffix("&state=s%2B1"))
        #expect(!url.contains("s3cr3t") && !"\(app)".contains("s3cr3t"))
    }

    @Test func a401RefreshesOnceStoresTheRotatedPairAndRetries() async throws {
        let o = try await OAuthHarness.start()
        #expect(o.installed.refreshToken != nil && o.installed.locationId == Harness.location)
        let keeper = o.keeper()
        try await keeper.install(o.installed)
        let client = o.client(keeper)
        let contact = try await client.createContact(["email": "oauth+1@example.com"])

        await o.h.emulator.expireAccessTokens()
        #expect(try await client.contact(contact.id).id == contact.id)
        #expect(await keeper.refreshes == 1)
        #expect(await o.h.emulator.tokenGrants["refresh_token"] == 1)
        let stored = try #require(try o.storedPair())
        #expect(stored.refreshToken != o.installed.refreshToken)
        #expect(stored.accessToken == (try await keeper.pair())?.accessToken)

        // The refresh token used is spent: GHL refuses it, and the error does not show it.
        let reused = await apiError { try await o.session.refresh(o.installed.refreshToken!, userType: "Location") }
        #expect(reused?.kind == .unauthorized)
        #expect(reused.map { "\($0)".contains(o.installed.refreshToken!) } == false)
        #expect(!"\(stored)".contains(stored.accessToken))
        await o.h.stop()
    }

    @Test func concurrentCallsAfterExpiryShareOneRefresh() async throws {
        let o = try await OAuthHarness.start()
        let keeper = o.keeper()
        try await keeper.install(o.installed)
        let client = o.client(keeper)
        let contact = try await client.createContact(["email": "flight+1@example.com"])
        await o.h.emulator.expireAccessTokens()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<16 { group.addTask { _ = try await client.contact(contact.id) } }
            try await group.waitForAll()
        }
        #expect(await o.h.emulator.tokenGrants["refresh_token"] == 1)
        #expect(await keeper.refreshes == 1)
        await o.h.stop()
    }

    @Test func aTokenNearExpiryIsRefreshedBeforeItIsUsed() async throws {
        let o = try await OAuthHarness.start()
        let clock = Mutex(Int64(Date().timeIntervalSince1970 * 1000))
        let keeper = o.keeper(now: { clock.withLock { $0 } })
        try await keeper.install(o.installed)
        let client = o.client(keeper)
        let contact = try await client.createContact(["email": "early+1@example.com"])
        clock.withLock { $0 = o.installed.expiresAt - 60_000 }  // one minute left, under the five-minute margin
        _ = try await client.contact(contact.id)
        #expect(await keeper.refreshes == 1)
        #expect(client.counts.requests == 2, "no request was answered 401")
        await o.h.stop()
    }

    @Test func tokensAreSealedAtRestInAPrivateFile() async throws {
        let o = try await OAuthHarness.start()
        let keeper = o.keeper()
        try await keeper.install(o.installed)
        let path = o.store.path
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        for suffix in ["-wal", "-journal"] { bytes += (try? Data(contentsOf: URL(fileURLWithPath: path + suffix))) ?? Data() }
        #expect(bytes.range(of: Data(o.installed.accessToken.utf8)) == nil)
        #expect(bytes.range(of: Data(o.installed.refreshToken!.utf8)) == nil)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        let sealed = try #require(try o.store.token(name: TokenKeeper.slot(location: Harness.location)))
        let otherKey = try TokenSealer(key: Array(repeating: 1, count: 32))
        #expect(throws: TokenSealError.self) { try otherKey.open(sealed, name: TokenKeeper.slot(location: Harness.location)) }
        #expect(throws: TokenSealError.self) { try o.sealer.open(sealed, name: TokenKeeper.slot(location: "elsewhere")) }
        #expect(throws: TokenSealError.self) { try TokenSealer(environmentVariable: "GHL_TOKEN_KEY", environment: ["GHL_TOKEN_KEY": "short"]) }
        let hex = Data(base64Encoded: testKey)!.map { String(format: "%02x", $0) }.joined()
        let fromHex = try TokenSealer(environmentVariable: "K", environment: ["K": hex])
        #expect(try fromHex.open(sealed, name: TokenKeeper.slot(location: Harness.location)) == o.installed)
        await o.h.stop()
    }

    @Test func aCompanyTokenMintsLocationTokens() async throws {
        let o = try await OAuthHarness.start()
        let code = await o.h.emulator.authorizationCode(clientId: OAuthHarness.clientId, company: "company1", approvedLocations: [Harness.location])
        let agency = OAuthSession(
            app: OAuthApp(clientId: OAuthHarness.clientId, clientSecret: OAuthHarness.clientSecret, redirectURI: "http://localhost/cb", userType: "Company"),
            baseURL: o.h.server.baseURL, exchanges: contractLog)
        let companyPair = try await agency.exchange(code: code)
        #expect(companyPair.userType == "Company")
        let company = TokenKeeper(name: TokenKeeper.slot(company: "company1"), vault: o.store, sealer: o.sealer, source: .refreshToken(agency))
        try await company.install(companyPair)
        let location = TokenKeeper(
            name: TokenKeeper.slot(location: Harness.location), vault: o.store, sealer: o.sealer,
            source: .company(company, companyId: "company1", locationId: Harness.location, session: agency))
        let client = o.client(location)
        _ = try await client.customFields()
        #expect(await o.h.emulator.tokenGrants["locationToken"] == 1)
        await o.h.emulator.expireAccessTokens()
        _ = try await client.customFields()
        #expect(await o.h.emulator.tokenGrants["locationToken"] == 2)
        // The company token expired too: it was refreshed once, then the location token minted again.
        #expect(await o.h.emulator.tokenGrants["refresh_token"] == 1)
        #expect(await company.refreshes == 1)
        await o.h.stop()
    }

    /// A child process refreshes (the emulator rotates the refresh token), stores the new pair and is
    /// killed with SIGKILL before it uses it. The pair it stored still works: the location is not locked out.
    @Test func aCrashBetweenRefreshAndUseKeepsAWorkingRefreshToken() async throws {
        let probe = try probeExecutable()
        let o = try await OAuthHarness.start()
        try await o.keeper().install(o.installed)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: probe)
        process.arguments = [o.h.server.baseURL, o.store.path, OAuthHarness.clientId, OAuthHarness.clientSecret, Harness.location, "GHL_TOKEN_KEY"]
        process.environment = ["GHL_TOKEN_KEY": testKey]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        let text = await firstLine(of: output)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(text == "stored")
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(await o.h.emulator.usedRefreshTokens == 1)

        let survivor = try #require(try o.storedPair())
        #expect(survivor.refreshToken != o.installed.refreshToken)
        let keeper = o.keeper()
        await o.h.emulator.expireAccessTokens()
        _ = try await o.client(keeper).customFields()
        #expect(await keeper.refreshes == 1)
        #expect(await o.h.emulator.usedRefreshTokens == 2)
        await o.h.stop()
    }

    func probeExecutable() throws -> String { try BuiltProduct.path("ghl-token-probe") }
}
