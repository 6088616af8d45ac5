import Foundation
import StateStore
import SyncCore
import Transport

/// `espo-ghl-sync doctor`: checks everything a sync needs without writing to either system or to the
/// state file. Order: config, mappings, secrets, state file; then GoHighLevel and EspoCRM (at the same
/// time); then each server's clock. A check that cannot run because an earlier one failed is skipped,
/// with the reason, never passed.
struct Doctor {
    /// The config file, as `--config` names it.
    let file: String
    let environment: [String: String]

    /// Two sends of a call, not four, and a few waits after 429s, not sixty: a person is waiting, and
    /// reruns doctor; a server that does not answer costs one connect timeout per send.
    static let retry = RetryPolicy(maxAttempts: 2, maxThrottleWaits: 3)

    /// The clients' wiring, as a sync's, with `retry`.
    func wiring(_ config: Config) -> Wiring {
        var wiring = Wiring(config: config, environment: environment)
        wiring.retry = Self.retry
        return wiring
    }

    /// What the local checks leave for the remote ones.
    struct Ground {
        var config: Config?
        /// nil when the mappings are not valid (the checks that need them are skipped).
        var mappings: [Mapping]?
        /// Why each side's calls cannot be made (a missing secret, no config); nil when they can.
        var ghlBlocked: String?
        var espoBlocked: String?
        /// The state file opened read-only; nil when absent or unreadable.
        var store: StateStore?
        /// Why the state file cannot serve (unreadable, newer); nil when it is fine or absent.
        var stateBlocked: String?
    }

    func run() async -> DoctorReport {
        var checks: [DoctorCheck] = []
        let ground = localChecks(into: &checks)
        async let ghl = ghlChecks(ground)
        async let espo = espoChecks(ground)
        let (ghlResult, espoResult) = await (ghl, espo)
        checks += ghlResult.checks + espoResult.checks
        checks.append(clockCheck("clock.ghl", "GoHighLevel clock", server: "GoHighLevel", ghlResult.clock))
        checks.append(clockCheck("clock.espo", "EspoCRM clock", server: "EspoCRM", espoResult.clock))
        return DoctorReport(file: ground.config?.file ?? file, checks: checks)
    }
}

/// What one side's checks found, and the server's clock as it answered.
struct SideResult: Sendable {
    var checks: [DoctorCheck]
    var clock: ClockSample
}

/// A server's `Date` header against this machine's clock when the answer arrived.
enum ClockSample: Sendable {
    case measured(server: Date, local: Date)
    /// Why there is nothing to compare (no answer, no `Date` header).
    case missing(String)
}
