import Emulation
import Foundation
import GHLClient
import GHLEmulator
import StateStore
import SyncCore
import Testing
import TestSupport
import Transport

extension StateStore: TokenVault {}

/// The contract recorder for every GHL exchange of these tests (nil unless CONTRACT_LOG_DIR is set).
let contractLog = ExchangeLog.fromEnvironment(name: "ghl")

/// A running emulator with one location and a client on a Private Integration Token.
struct Harness {
    static let location = "loc1ABCDEFGHIJKLMNOP"
    let emulator: GHLEmulator
    let server: EmulatorServer
    let client: GHLClient

    static func start(
        settings: GHLEmulator.Settings = .init(rateLimit: RateLimit(requests: 10_000, interval: .seconds(10), daily: 200_000, concurrency: 8)),
        faults: Faults = .none, limit: RateLimit = RateLimit(requests: 5_000, interval: .seconds(10), daily: 200_000, concurrency: 8),
        retry: RetryPolicy = RetryPolicy(maxAttempts: 6, baseDelay: .milliseconds(2), maxDelay: .milliseconds(50)),
        valueKey: GHLClient.CustomFieldValueKey = .fieldValueSnakeCase, allowDuplicates: Bool = false, record: Bool = true
    ) async throws -> Harness {
        let log = record ? contractLog : nil
        let (emulator, server) = try await GHLEmulator.start(settings: settings, faults: faults, exchanges: log)
        await emulator.addLocation(location, allowDuplicates: allowDuplicates)
        let token = await emulator.issuePrivateToken(location: location)
        let client = GHLClient(
            .init(locationId: location, baseURL: server.baseURL, limit: limit, retry: retry, customFieldValueKey: valueKey),
            credentials: PrivateToken(token), exchanges: log)
        return Harness(emulator: emulator, server: server, client: client)
    }

    func stop() async { await server.stop() }
}

/// A 32-byte key, base64, as the token key variable would hold it.
let testKey = Data((0..<32).map { UInt8($0 * 7 % 256) }).base64EncodedString()

/// The thrown APIError of `body`, failing the test when it does not throw one.
func apiError<T>(_ body: () async throws -> T, sourceLocation: SourceLocation = #_sourceLocation) async -> APIError? {
    do {
        _ = try await body()
        Issue.record("expected an APIError", sourceLocation: sourceLocation)
        return nil
    } catch let error as APIError {
        return error
    } catch {
        Issue.record("expected an APIError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
