import SyncCore

/// Faults an emulator injects, decided per request by a seeded generator so runs repeat.
public struct Faults: Sendable, Equatable {
    /// Share of requests answered 503 before being processed.
    public var serverErrorRate: Double
    /// Share of requests answered 500 before being processed.
    public var internalErrorRate: Double
    /// Share of requests answered 502 before being processed, as by a gateway in front of the service.
    public var badGatewayRate: Double
    /// Share of requests answered 429 before being processed, at random (`throttleBurst` is a run of them).
    public var throttleRate: Double
    /// Share of requests whose connection is dropped before they are processed.
    public var dropRate: Double
    /// Share of writes that are applied and then lose their answer (the connection drops).
    public var lostAnswerRate: Double
    /// Share of creates (POST writes) that are applied and then answered 422, as GHL has been seen to do.
    public var appliedButRejectedRate: Double
    /// Added before every answer.
    public var latency: Duration
    /// The next this many requests are answered 429.
    public var throttleBurst: Int
    public var seed: UInt64
    /// Only requests to these endpoints (as the request log names them: `POST /Contact`) meet faults;
    /// nil: every request does.
    public var endpoints: Set<String>?

    public init(
        serverErrorRate: Double = 0, internalErrorRate: Double = 0, badGatewayRate: Double = 0, throttleRate: Double = 0,
        dropRate: Double = 0, lostAnswerRate: Double = 0, appliedButRejectedRate: Double = 0, latency: Duration = .zero,
        throttleBurst: Int = 0, seed: UInt64 = 1, endpoints: Set<String>? = nil
    ) {
        self.endpoints = endpoints
        self.serverErrorRate = serverErrorRate
        self.internalErrorRate = internalErrorRate
        self.badGatewayRate = badGatewayRate
        self.throttleRate = throttleRate
        self.dropRate = dropRate
        self.lostAnswerRate = lostAnswerRate
        self.appliedButRejectedRate = appliedButRejectedRate
        self.latency = latency
        self.throttleBurst = throttleBurst
        self.seed = seed
    }

    public static let none = Faults()

    /// The faults as JSON, for `PUT /__emulator/faults` and the CLI.
    public var json: JSON {
        .object([
            "serverErrorRate": .number(serverErrorRate), "internalErrorRate": .number(internalErrorRate),
            "badGatewayRate": .number(badGatewayRate), "throttleRate": .number(throttleRate), "dropRate": .number(dropRate),
            "lostAnswerRate": .number(lostAnswerRate), "appliedButRejectedRate": .number(appliedButRejectedRate),
            "latencyMs": .number(Double(latency.components.seconds * 1000) + Double(latency.components.attoseconds) / 1e15),
            "throttleBurst": .number(Double(throttleBurst)), "seed": .number(Double(seed)),
            "endpoints": endpoints.map { .array($0.sorted().map(JSON.string)) } ?? .null,
        ])
    }

    /// Reads faults from JSON; absent keys keep their value in `base`.
    public init(json: JSON, base: Faults = .none) throws(FaultsError) {
        guard case .object(let object) = json else { throw FaultsError(message: "faults must be a JSON object") }
        self = base
        for (key, value) in object {
            if key == "endpoints" {
                switch value {
                case .null: endpoints = nil
                case .array(let items) where items.allSatisfy({ $0.stringValue != nil }): endpoints = Set(items.compactMap(\.stringValue))
                default: throw FaultsError(message: "`endpoints` must be null or an array of endpoints such as \"POST /Contact\"")
                }
                continue
            }
            guard case .number(let number) = value, number.isFinite else { throw FaultsError(message: "`\(key)` must be a number") }
            if key.hasSuffix("Rate"), !(0...1).contains(number) {
                throw FaultsError(message: "`\(key)` must be a share between 0 and 1, not \(number)")
            }
            if ["latencyMs", "throttleBurst", "seed"].contains(key), number < 0 || (key != "latencyMs" && number.rounded() != number) {
                throw FaultsError(message: "`\(key)` must be \(key == "latencyMs" ? "a number of milliseconds" : "a whole number"), 0 or more, not \(number)")
            }
            if key == "seed", number >= 0x1p64 { throw FaultsError(message: "`seed` must be below 2^64") }
            switch key {
            case "serverErrorRate": serverErrorRate = number
            case "internalErrorRate": internalErrorRate = number
            case "badGatewayRate": badGatewayRate = number
            case "throttleRate": throttleRate = number
            case "dropRate": dropRate = number
            case "lostAnswerRate": lostAnswerRate = number
            case "appliedButRejectedRate": appliedButRejectedRate = number
            case "latencyMs": latency = .microseconds(Int64(number * 1000))
            case "throttleBurst": throttleBurst = Int(number)
            case "seed": seed = UInt64(number)
            default:
                throw FaultsError(message: "unknown fault `\(key)`; known: serverErrorRate, internalErrorRate, badGatewayRate, throttleRate, dropRate, lostAnswerRate, appliedButRejectedRate, latencyMs, throttleBurst, seed, endpoints")
            }
        }
    }
}

/// A faults document that cannot be used.
public struct FaultsError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// What happens to one request.
public enum Fault: String, Sendable, CaseIterable {
    /// `serverError` is a 503, `internalError` a 500, `badGateway` a 502.
    case none, throttled, serverError, internalError, badGateway, dropped, lostAnswer, appliedButRejected

    /// The status an answered fault carries; nil for none and for a closed connection.
    public var status: Int? {
        switch self {
        case .throttled: 429
        case .serverError: 503
        case .internalError: 500
        case .badGateway: 502
        case .appliedButRejected: 422
        case .none, .dropped, .lostAnswer: nil
        }
    }

    /// What the client meets, in a few words: `500 before processing`, `connection dropped before processing`.
    public var effect: String {
        switch self {
        case .none: "none"
        case .throttled: "429 before processing"
        case .serverError: "503 before processing"
        case .internalError: "500 before processing"
        case .badGateway: "502 before processing"
        case .dropped: "connection dropped before processing"
        case .lostAnswer: "applied, then the connection dropped"
        case .appliedButRejected: "applied, then answered 422"
        }
    }
}

/// Decides the fault for each request.
actor FaultPlan {
    private(set) var faults: Faults
    private var generator: SeededGenerator
    private var burstLeft: Int

    init(_ faults: Faults) {
        self.faults = faults
        self.generator = SeededGenerator(seed: faults.seed)
        self.burstLeft = faults.throttleBurst
    }

    func set(_ faults: Faults) {
        self.faults = faults
        self.generator = SeededGenerator(seed: faults.seed)
        self.burstLeft = faults.throttleBurst
    }

    func next(for request: ServedRequest, route: Route) -> Fault {
        if let endpoints = faults.endpoints, !endpoints.contains(route.endpoint) { return .none }
        if burstLeft > 0 {
            burstLeft -= 1
            return .throttled
        }
        if roll(faults.dropRate) { return .dropped }
        if roll(faults.serverErrorRate) { return .serverError }
        // Rolled only when set, so that faults without them draw the same sequence as before.
        if roll(faults.internalErrorRate) { return .internalError }
        if roll(faults.badGatewayRate) { return .badGateway }
        if roll(faults.throttleRate) { return .throttled }
        if route.isWrite, roll(faults.lostAnswerRate) { return .lostAnswer }
        if route.isWrite, request.method == "POST", roll(faults.appliedButRejectedRate) { return .appliedButRejected }
        return .none
    }

    private func roll(_ rate: Double) -> Bool {
        guard rate > 0 else { return false }
        return Double(generator.next() >> 11) / Double(1 << 53) < rate
    }
}
