import Emulation
import EspoClient
import EspoEmulator
import Synchronization
import SyncCore
import Transport

/// One exchange log for the whole test process (`$CONTRACT_LOG_DIR/espo-<pid>.jsonl`), shared by the
/// clients and the emulators so the contract checker sees both sides.
let contractLog = ExchangeLog.fromEnvironment(name: "espo")

let testAPIKey = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
let testHMACKey = "f0e1d2c3b4a5968778695a4b3c2d1e0f"
let testHMACSecret = "9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a49"

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let seconds: Mutex<Int64>
    init(_ start: Int64) { seconds = Mutex(start) }
    var now: Int64 { seconds.withLock { $0 } }
    func advance(by delta: Int64) { seconds.withLock { $0 += delta } }
}

/// An emulator on a loopback port and a client for it.
struct EspoWorld {
    let emulator: EspoEmulator
    let server: EmulatorServer
    let client: Espo.Client
    let clock: ManualClock

    static func start(
        seed: SeedPlan? = nil, faults: Faults = .none, credentials: (any Credentials)? = nil,
        clock: ManualClock = ManualClock(1_780_000_000), retry: RetryPolicy = RetryPolicy(baseDelay: .milliseconds(5)),
        recorded: Bool = true, arrayFields: [String: [String]] = EspoEmulator.defaultArrayFields,
        globalStream: Bool = false
    ) async throws -> EspoWorld {
        // Requests that break the spec on purpose (to see the emulator refuse them) are not recorded.
        let log = recorded ? contractLog : nil
        let emulator = EspoEmulator(.init(
            apiKeys: [testAPIKey], hmacKeys: [testHMACKey: testHMACSecret], users: ["admin": "s3cret pass"],
            clock: { clock.now }, arrayFields: arrayFields, globalStream: globalStream))
        if let seed { emulator.seed(seed) }
        let server = try await emulator.serve(faults: faults, exchanges: log)
        let client = Espo.Client(
            siteURL: server.baseURL, credentials: credentials ?? Espo.APIKey(testAPIKey),
            rateLimit: RateLimit(requests: 2_000, interval: .seconds(1), concurrency: 8), retry: retry,
            exchanges: log)
        return EspoWorld(emulator: emulator, server: server, client: client, clock: clock)
    }

    /// Another client of the same emulator with other credentials.
    func client(_ credentials: any Credentials) -> Espo.Client {
        Espo.Client(siteURL: server.baseURL, credentials: credentials,
                    rateLimit: RateLimit(requests: 2_000, interval: .seconds(1), concurrency: 8),
                    retry: RetryPolicy(baseDelay: .milliseconds(5)), exchanges: contractLog)
    }

    func stop() async { await server.stop() }
}

/// Records of a change feed, gathered page by page.
func drain<E: EspoEntity>(_ feed: Espo.ChangeFeed<E>) async throws -> (records: [E], last: Espo.ChangePage<E>?) {
    var records: [E] = []
    var last: Espo.ChangePage<E>?
    for try await page in feed {
        records += page.records
        last = page
    }
    return (records, last)
}
