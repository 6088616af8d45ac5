import ArgumentParser
import Transport

/// The flags that make a sandbox misbehave, for `emulate` and `demo`.
struct FaultOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Faults both emulators inject, KEY=RATE,… : 500, 502, 503 and 429 (answered before processing), drop (connection "
            + "closed before processing), lost (a write applied, then its answer lost); RATE from 0 to 1, e.g. 500=0.1,drop=0.05,429=0.02.",
        valueName: "SPEC"))
    var faults: String?

    @Option(help: ArgumentHelp(
        "Faults of the GoHighLevel emulator, added to --faults; it also takes 422 (a create applied, then answered 422).",
        valueName: "SPEC"))
    var ghlFaults: String?

    @Option(help: ArgumentHelp("Faults of the EspoCRM emulator, added to --faults.", valueName: "SPEC"))
    var espoFaults: String?

    @Option(help: ArgumentHelp("Milliseconds both emulators wait before every answer.", valueName: "MS"))
    var latency: Int?

    @Option(help: ArgumentHelp("Milliseconds the GoHighLevel emulator waits before every answer (instead of --latency).", valueName: "MS"))
    var ghlLatency: Int?

    @Option(help: ArgumentHelp("Milliseconds the EspoCRM emulator waits before every answer (instead of --latency).", valueName: "MS"))
    var espoLatency: Int?

    @Option(help: ArgumentHelp(
        "The GoHighLevel emulator's burst limit per location, N requests in any SECONDS; beyond it, 429 with its rate-limit "
            + "headers (GHL's real one is 100/10; default: 100/10 for emulate, 100/1 for demo).",
        valueName: "N/SECONDS"))
    var rateLimit: String?

    /// The faults and latency per side; a bad flag is a `ValidationError` naming it.
    func resolved() throws -> SandboxFaults {
        do {
            return try SandboxFaults.resolve(
                faults: faults, ghlFaults: ghlFaults, espoFaults: espoFaults, latency: latency, ghlLatency: ghlLatency,
                espoLatency: espoLatency)
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// `--rate-limit`, or `fallback` without it.
    func burstLimit(default fallback: BurstLimit) throws -> BurstLimit {
        guard let rateLimit else { return fallback }
        do { return try BurstLimit.parse(rateLimit) } catch { throw ValidationError(error.description) }
    }

    func validate() throws {
        _ = try resolved()
        _ = try burstLimit(default: .ghl)
    }
}

extension BurstLimit {
    /// The GHL emulator's limit: this burst, GHL's 200 000 a day, 8 in flight.
    var rateLimit: RateLimit {
        RateLimit(requests: requests, interval: .milliseconds(Int64((seconds * 1000).rounded())), daily: 200_000, concurrency: 8)
    }
}
