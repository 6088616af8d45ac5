import Emulation
import Foundation

/// One emulator's faults as a `--faults` SPEC gives them: `500=0.1,drop=0.05,429=0.02`, each key a
/// fault and each rate the share of requests it hits, from 0 to 1.
public struct FaultSpec: Sendable, Equatable, CustomStringConvertible {
    /// A fault a SPEC names.
    public enum Key: String, Sendable, CaseIterable {
        /// Answered 500, 502 or 503 before being processed.
        case internalError = "500", badGateway = "502", serviceUnavailable = "503"
        /// Answered 429 before being processed.
        case throttled = "429"
        /// The connection closes before the request is processed.
        case dropped = "drop"
        /// A write is applied, then its connection closes before the answer.
        case lostAnswer = "lost"
        /// A create is applied, then answered 422 (GoHighLevel only).
        case appliedButRejected = "422"

        /// The emulator's fault for this key.
        public var fault: Fault {
            switch self {
            case .internalError: .internalError
            case .badGateway: .badGateway
            case .serviceUnavailable: .serverError
            case .throttled: .throttled
            case .dropped: .dropped
            case .lostAnswer: .lostAnswer
            case .appliedButRejected: .appliedButRejected
            }
        }

        /// The key of an emulator's fault; nil for none.
        public init?(_ fault: Fault) {
            guard let key = Key.allCases.first(where: { $0.fault == fault }) else { return nil }
            self = key
        }
    }

    public var rates: [Key: Double]

    public init(rates: [Key: Double] = [:]) { self.rates = rates }

    public static let none = FaultSpec()

    /// The accepted form, for error messages and help.
    public static let form =
        "KEY=RATE[,KEY=RATE…] with KEY one of 500, 502, 503, 429, drop, lost, 422 and RATE from 0 to 1, e.g. 500=0.1,drop=0.05,429=0.02"

    /// `500=0.1, drop=0.05`, in key order; `none` when empty.
    public var description: String {
        let items = Key.allCases.compactMap { key in rates[key].map { "\(key.rawValue)=\(Self.format($0))" } }
        return items.isEmpty ? "none" : items.joined(separator: ", ")
    }

    /// Reads `text`, given with `flag` (named in errors): items separated by commas, spaces around
    /// them ignored; each key at most once.
    public static func parse(_ text: String, flag: String) throws(FaultSpecError) -> FaultSpec {
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard items.contains(where: { !$0.isEmpty }) else {
            throw FaultSpecError(flag: flag, item: text, problem: "no fault is given")
        }
        var spec = FaultSpec()
        for item in items {
            guard !item.isEmpty else { throw FaultSpecError(flag: flag, item: text, problem: "an item is empty (two commas in a row?)") }
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard parts.count == 2 else { throw FaultSpecError(flag: flag, item: item, problem: "it has no rate (KEY=RATE)") }
            guard let key = Key(rawValue: parts[0].lowercased()) else {
                let hint = parts[0].contains(":") ? "; per side, use --ghl-faults or --espo-faults" : ""
                throw FaultSpecError(flag: flag, item: item, problem: "\(parts[0].isEmpty ? "the key is missing" : "\(parts[0]) is not a fault")\(hint)")
            }
            guard let rate = Double(parts[1]), rate.isFinite, (0...1).contains(rate) else {
                throw FaultSpecError(flag: flag, item: item, problem: "the rate must be a number from 0 to 1 (0.1: one request in ten)")
            }
            guard spec.rates[key] == nil else { throw FaultSpecError(flag: flag, item: item, problem: "\(key.rawValue) is given twice") }
            spec.rates[key] = rate
        }
        return spec
    }

    /// The emulator's faults: these rates, `latency` before every answer, rolls seeded by `seed`.
    public func faults(latency: Duration = .zero, seed: UInt64) -> Faults {
        Faults(
            serverErrorRate: rates[.serviceUnavailable] ?? 0, internalErrorRate: rates[.internalError] ?? 0,
            badGatewayRate: rates[.badGateway] ?? 0, throttleRate: rates[.throttled] ?? 0, dropRate: rates[.dropped] ?? 0,
            lostAnswerRate: rates[.lostAnswer] ?? 0, appliedButRejectedRate: rates[.appliedButRejected] ?? 0,
            latency: latency, seed: seed)
    }

    static func format(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
    }
}

/// The faults and latency of both emulators of a sandbox, from `emulate`'s and `demo`'s flags:
/// `--faults` for both, `--ghl-faults`/`--espo-faults` adding to it per side, `--latency` or
/// `--ghl-latency`/`--espo-latency`.
public struct SandboxFaults: Sendable, Equatable {
    public var ghl: FaultSpec
    public var espo: FaultSpec
    /// Milliseconds each emulator waits before every answer.
    public var ghlLatency: Int
    public var espoLatency: Int

    public init(ghl: FaultSpec = .none, espo: FaultSpec = .none, ghlLatency: Int = 0, espoLatency: Int = 0) {
        self.ghl = ghl
        self.espo = espo
        self.ghlLatency = ghlLatency
        self.espoLatency = espoLatency
    }

    /// Whether no fault and no latency is asked of either side.
    public var isNone: Bool { ghl.rates.isEmpty && espo.rates.isEmpty && ghlLatency == 0 && espoLatency == 0 }

    /// Combines the flags. A key given by `--faults` and a side's flag, or a latency given by
    /// `--latency` and a side's, is refused as ambiguous; 422 is GoHighLevel's alone.
    public static func resolve(
        faults: String? = nil, ghlFaults: String? = nil, espoFaults: String? = nil,
        latency: Int? = nil, ghlLatency: Int? = nil, espoLatency: Int? = nil
    ) throws(FaultSpecError) -> SandboxFaults {
        let both = try faults.map { text throws(FaultSpecError) in try FaultSpec.parse(text, flag: "--faults") } ?? .none
        if both.rates[.appliedButRejected] != nil {
            throw FaultSpecError(
                flag: "--faults", item: "422=\(FaultSpec.format(both.rates[.appliedButRejected]!))",
                problem: "422 is GoHighLevel's applied-but-rejected create and EspoCRM never answers 422; give it with --ghl-faults")
        }
        func side(_ text: String?, flag: String) throws(FaultSpecError) -> FaultSpec {
            guard let text else { return both }
            let own = try FaultSpec.parse(text, flag: flag)
            var merged = both
            for key in FaultSpec.Key.allCases {
                guard let rate = own.rates[key] else { continue }
                if both.rates[key] != nil {
                    throw FaultSpecError(
                        flag: flag, item: "\(key.rawValue)=\(FaultSpec.format(rate))",
                        problem: "\(key.rawValue) is also given by --faults; give it in one place")
                }
                merged.rates[key] = rate
            }
            return merged
        }
        let ghl = try side(ghlFaults, flag: "--ghl-faults")
        let espo = try side(espoFaults, flag: "--espo-faults")
        if let rate = espo.rates[.appliedButRejected] {
            throw FaultSpecError(
                flag: "--espo-faults", item: "422=\(FaultSpec.format(rate))",
                problem: "EspoCRM never answers 422 (it turns any other error into a 500); 422 is GoHighLevel's, for --ghl-faults")
        }
        func milliseconds(_ own: Int?, flag: String) throws(FaultSpecError) -> Int {
            if let own, latency != nil {
                throw FaultSpecError(flag: flag, item: String(own), problem: "--latency is given too; give the latency in one place", form: latencyForm)
            }
            let value = own ?? latency ?? 0
            guard value >= 0 else {
                throw FaultSpecError(flag: own == nil ? "--latency" : flag, item: String(value), problem: "a latency cannot be negative", form: latencyForm)
            }
            return value
        }
        return SandboxFaults(
            ghl: ghl, espo: espo, ghlLatency: try milliseconds(ghlLatency, flag: "--ghl-latency"),
            espoLatency: try milliseconds(espoLatency, flag: "--espo-latency"))
    }

    static let latencyForm = "MS, whole milliseconds from 0, e.g. --latency 50"

    /// The GHL emulator's faults, seeded by `seed`.
    public func ghlFaults(seed: UInt64) -> Faults { ghl.faults(latency: .milliseconds(ghlLatency), seed: seed) }

    /// The EspoCRM emulator's faults, seeded by `seed` mixed with a constant so its rolls differ from GHL's.
    public func espoFaults(seed: UInt64) -> Faults { espo.faults(latency: .milliseconds(espoLatency), seed: seed ^ 0x6573_706F) }
}

/// `--rate-limit N/SECONDS`: the GHL emulator's burst limit, N requests in any window of SECONDS.
public struct BurstLimit: Sendable, Equatable, CustomStringConvertible {
    public var requests: Int
    public var seconds: Double

    public init(requests: Int, seconds: Double) {
        self.requests = requests
        self.seconds = seconds
    }

    /// GHL's own: 100 requests per 10 s.
    public static let ghl = BurstLimit(requests: 100, seconds: 10)

    static let form = "N/SECONDS, N requests in any window of SECONDS, e.g. 100/10 (GoHighLevel's real limit) or 100/1"

    /// Reads `100/10`.
    public static func parse(_ text: String, flag: String = "--rate-limit") throws(FaultSpecError) -> BurstLimit {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2 else { throw FaultSpecError(flag: flag, item: text, problem: "it is not N/SECONDS", form: form) }
        guard let requests = Int(parts[0]), requests >= 1 else {
            throw FaultSpecError(flag: flag, item: text, problem: "N must be a whole number of requests from 1", form: form)
        }
        guard let seconds = Double(parts[1]), seconds.isFinite, seconds > 0 else {
            throw FaultSpecError(flag: flag, item: text, problem: "SECONDS must be a number above 0", form: form)
        }
        return BurstLimit(requests: requests, seconds: seconds)
    }

    /// `100 requests per 10 s`
    public var description: String { "\(requests) requests per \(FaultSpec.format(seconds)) s" }
}

/// A `--faults`, latency or `--rate-limit` flag that cannot be used: the flag, the item, what is wrong
/// and the form it takes.
public struct FaultSpecError: Error, Sendable, Equatable, CustomStringConvertible {
    public var flag: String
    public var item: String
    public var problem: String
    public var form: String

    public init(flag: String, item: String, problem: String, form: String = FaultSpec.form) {
        self.flag = flag
        self.item = item
        self.problem = problem
        self.form = form
    }

    public var description: String { "\(flag) \"\(item)\": \(problem); the form is \(form)" }
}
