import CLI
import Testing

/// `--faults SPEC`, the per-side flags, the latencies and `--rate-limit`, as `emulate` and `demo` read them.
@Suite struct FaultSpecTests {
    /// The error `body` throws; nil when it throws none (or another kind).
    func error(_ body: () throws -> Void) -> FaultSpecError? {
        do {
            try body()
            return nil
        } catch {
            return error as? FaultSpecError
        }
    }

    @Test func aSpecGivesARatePerFault() throws {
        let spec = try FaultSpec.parse("500=0.1, drop=0.05,429=0.02,502=0,503=1,lost=0.5,422=0.25", flag: "--ghl-faults")
        #expect(spec.rates == [
            .internalError: 0.1, .dropped: 0.05, .throttled: 0.02, .badGateway: 0, .serviceUnavailable: 1, .lostAnswer: 0.5,
            .appliedButRejected: 0.25,
        ])
        #expect(spec.description == "500=0.1, 502=0, 503=1, 429=0.02, drop=0.05, lost=0.5, 422=0.25")
        #expect(try FaultSpec.parse("DROP=0.3", flag: "--faults").rates == [.dropped: 0.3])
    }

    @Test func eachRateReachesTheEmulatorsFaultsSeeded() throws {
        let faults = try FaultSpec.parse("500=0.1,502=0.2,503=0.3,429=0.4,drop=0.05,lost=0.06,422=0.07", flag: "--ghl-faults")
            .faults(latency: .milliseconds(40), seed: 9)
        #expect(faults.internalErrorRate == 0.1 && faults.badGatewayRate == 0.2 && faults.serverErrorRate == 0.3)
        #expect(faults.throttleRate == 0.4 && faults.dropRate == 0.05 && faults.lostAnswerRate == 0.06)
        #expect(faults.appliedButRejectedRate == 0.07 && faults.latency == .milliseconds(40) && faults.seed == 9)
        #expect(faults.throttleBurst == 0)
    }

    @Test func theBothSidesSpecAndEachSidesOwnCombine() throws {
        let both = try SandboxFaults.resolve(faults: "500=0.1,drop=0.05", ghlFaults: "429=0.02,422=0.1", espoFaults: "503=0.2", latency: 30)
        #expect(both.ghl.rates == [.internalError: 0.1, .dropped: 0.05, .throttled: 0.02, .appliedButRejected: 0.1])
        #expect(both.espo.rates == [.internalError: 0.1, .dropped: 0.05, .serviceUnavailable: 0.2])
        #expect(both.ghlLatency == 30 && both.espoLatency == 30)
        let sides = try SandboxFaults.resolve(espoFaults: "lost=1", ghlLatency: 5, espoLatency: 70)
        #expect(sides.ghl == .none && sides.espo.rates == [.lostAnswer: 1])
        #expect(sides.ghlLatency == 5 && sides.espoLatency == 70 && !sides.isNone)
        #expect(try SandboxFaults.resolve().isNone)
        // The two sides roll differently from one seed.
        #expect(both.ghlFaults(seed: 3).seed == 3 && both.espoFaults(seed: 3).seed != 3)
    }

    @Test func eachInvalidItemIsNamedWithItsFlagAndTheForm() {
        let cases: [(String, String, String)] = [
            ("600=0.1", "\"600=0.1\": 600 is not a fault", "--faults"),
            ("500=1.5", "\"500=1.5\": the rate must be a number from 0 to 1", "--faults"),
            ("500=-0.1", "\"500=-0.1\": the rate must be a number from 0 to 1", "--faults"),
            ("500=ten", "\"500=ten\": the rate must be a number from 0 to 1", "--faults"),
            ("500=nan", "\"500=nan\": the rate must be a number from 0 to 1", "--faults"),
            ("500", "\"500\": it has no rate (KEY=RATE)", "--faults"),
            ("=0.1", "\"=0.1\": the key is missing", "--faults"),
            ("500=0.1,,drop=0.1", "an item is empty", "--faults"),
            ("", "no fault is given", "--faults"),
            ("500=0.1,500=0.2", "\"500=0.2\": 500 is given twice", "--faults"),
            ("ghl:500=0.1", "ghl:500 is not a fault; per side, use --ghl-faults or --espo-faults", "--faults"),
        ]
        for (spec, message, flag) in cases {
            let failure = error { _ = try FaultSpec.parse(spec, flag: flag) }
            #expect(failure?.flag == flag, "\(spec)")
            #expect(failure?.description.hasPrefix(flag + " ") == true, "\(spec): \(String(describing: failure))")
            #expect(failure?.description.contains(message) == true, "\(spec): \(String(describing: failure))")
            #expect(failure?.description.contains("the form is KEY=RATE[,KEY=RATE…] with KEY one of 500, 502, 503, 429, drop, lost, 422") == true,
                    "\(spec)")
        }
    }

    @Test func ambiguityAnd422OnEspoCRMAreRefused() {
        let twice = error { _ = try SandboxFaults.resolve(faults: "500=0.1", ghlFaults: "500=0.2") }
        #expect(twice?.flag == "--ghl-faults" && twice?.item == "500=0.2")
        #expect(twice?.description.contains("500 is also given by --faults; give it in one place") == true, "\(String(describing: twice))")
        let espo422 = error { _ = try SandboxFaults.resolve(espoFaults: "422=0.1") }
        #expect(espo422?.flag == "--espo-faults" && espo422?.description.contains("EspoCRM never answers 422") == true)
        let both422 = error { _ = try SandboxFaults.resolve(faults: "422=0.1") }
        #expect(both422?.flag == "--faults" && both422?.description.contains("give it with --ghl-faults") == true)
        let latency = error { _ = try SandboxFaults.resolve(latency: 10, espoLatency: 20) }
        #expect(latency?.flag == "--espo-latency" && latency?.description.contains("--latency is given too") == true)
        #expect(latency?.description.contains("the form is MS") == true)
        let negative = error { _ = try SandboxFaults.resolve(latency: -1) }
        #expect(negative?.flag == "--latency" && negative?.description.contains("cannot be negative") == true)
    }

    @Test func aRateLimitIsRequestsPerSeconds() throws {
        #expect(try BurstLimit.parse("100/10") == BurstLimit(requests: 100, seconds: 10))
        #expect(try BurstLimit.parse("5/0.5") == BurstLimit(requests: 5, seconds: 0.5))
        #expect(BurstLimit(requests: 5, seconds: 0.5).description == "5 requests per 0.5 s")
        #expect(BurstLimit.ghl.description == "100 requests per 10 s")
        for (text, message) in [
            ("100", "it is not N/SECONDS"), ("0/10", "N must be a whole number of requests from 1"),
            ("1.5/10", "N must be a whole number"), ("100/0", "SECONDS must be a number above 0"), ("100/x", "SECONDS must be"),
            ("100/10/2", "it is not N/SECONDS"),
        ] {
            let failure = error { _ = try BurstLimit.parse(text) }
            #expect(failure?.description.hasPrefix("--rate-limit \"\(text)\": \(message)") == true, "\(text): \(String(describing: failure))")
            #expect(failure?.description.contains("the form is N/SECONDS") == true, "\(text)")
        }
    }
}
