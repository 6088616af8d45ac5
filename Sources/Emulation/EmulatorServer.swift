import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import SyncCore
import Transport
import HTTPTypes

/// Serves an `EmulatedAPI` over real HTTP on a loopback port, with injected faults, a request log and
/// exchange recording. Besides the API it answers three control endpoints, which are not recorded:
///
/// - `GET /__emulator/log`: request counts per endpoint, writes, 429s and faults;
/// - `DELETE /__emulator/log`: forgets them;
/// - `PUT /__emulator/faults`: sets the faults (a `Faults` JSON object; absent keys are kept).
public final class EmulatorServer: Sendable {
    /// The port the server listens on.
    public let port: Int
    public let host: String
    public let log: RequestLog
    private let plan: FaultPlan
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    /// `http://127.0.0.1:PORT`
    public var baseURL: String { "http://\(host):\(port)" }

    /// Starts serving `api` on `host`:`port` (0 picks a free port) and returns once it listens.
    public static func start(
        _ api: some EmulatedAPI, host: String = "127.0.0.1", port: Int = 0, faults: Faults = .none,
        exchanges: ExchangeLog? = nil, logger: Logger = Logger(label: "espo-ghl-sync.emulator")
    ) async throws -> EmulatorServer {
        let log = RequestLog()
        let plan = FaultPlan(faults)
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            try await EmulatorServer.answer(request, api: api, log: log, plan: plan, exchanges: exchanges)
        }
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        var quietLogger = logger
        quietLogger.logLevel = .warning
        let application = Application(
            responder: responder,
            server: .http1(configuration: .init(additionalChannelHandlers: [DateHeaderClock(api.clock)])),
            configuration: .init(address: .hostname(host, port: port)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: quietLogger)
        let group = ServiceGroup(
            configuration: .init(services: [application], gracefulShutdownSignals: [], logger: quietLogger))
        let task = Task { try await group.run() }
        var bound: Int?
        for await value in ports {
            bound = value
            break
        }
        guard let bound, bound > 0 else {
            task.cancel()
            _ = await task.result
            throw EmulatorError(message: "could not listen on \(host):\(port)")
        }
        return EmulatorServer(port: bound, host: host, log: log, plan: plan, group: group, task: task)
    }

    private init(port: Int, host: String, log: RequestLog, plan: FaultPlan, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.host = host
        self.log = log
        self.plan = plan
        self.group = group
        self.task = task
    }

    /// Replaces the injected faults.
    public func setFaults(_ faults: Faults) async { await plan.set(faults) }

    public var faults: Faults { get async { await plan.faults } }

    /// Stops listening and waits for the server to finish.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = await task.result
    }

    /// Runs until the task is cancelled or the server fails (the CLI's `emulate`).
    public func wait() async throws {
        try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            Task { await self.group.triggerGracefulShutdown() }
        }
    }

    private struct DroppedConnection: Error {}

    private static func answer(
        _ request: Hummingbird.Request, api: some EmulatedAPI, log: RequestLog, plan: FaultPlan,
        exchanges: ExchangeLog?
    ) async throws -> Hummingbird.Response {
        var request = request
        let buffer = try await request.collectBody(upTo: 32 << 20)
        let served = ServedRequest(
            method: request.method.rawValue, path: request.uri.path, rawQuery: request.uri.query ?? "",
            headers: request.headers.map { (name: $0.name.rawName, value: $0.value) },
            body: Array(buffer.readableBytesView))

        if served.path.hasPrefix("/__emulator/") {
            return hummingbird(await control(served, log: log, plan: plan))
        }

        let route = api.route(served) ?? Route("\(served.method) (unknown) \(served.path)", isWrite: false)
        let fault = await plan.next(for: served, route: route)
        let latency = await plan.faults.latency
        if latency > .zero { try await Task.sleep(for: latency) }

        let response: ServedResponse
        switch fault {
        case .none: response = await api.respond(to: served)
        case .throttled, .serverError, .internalError, .badGateway:
            response = await api.faultAnswer(status: fault.status ?? 503, for: served)
        case .appliedButRejected:
            _ = await api.respond(to: served)
            response = await api.faultAnswer(status: 422, for: served)
        case .dropped, .lostAnswer:
            if fault == .lostAnswer { _ = await api.respond(to: served) }
            await log.append(.init(method: served.method, endpoint: route.endpoint, isWrite: route.isWrite, status: 0, fault: fault))
            return Hummingbird.Response(status: .ok, body: ResponseBody { _ in throw DroppedConnection() })
        }
        await log.append(.init(
            method: served.method, endpoint: route.endpoint, isWrite: route.isWrite, status: response.status, fault: fault))
        if let exchanges {
            var path = served.path
            if !api.pathPrefix.isEmpty, path.hasPrefix(api.pathPrefix) { path.removeFirst(api.pathPrefix.count) }
            let requestBody: Transport.Request.Body? =
                served.body.isEmpty ? nil
                : (served.header("Content-Type") ?? "").contains("x-www-form-urlencoded") ? .form(served.form)
                : (try? served.json()).map { .json($0) }
            exchanges.record(Exchange(
                service: api.contractName, method: served.method, path: path,
                query: served.query(plusIsSpace: false), requestHeaders: served.headers, requestBody: requestBody,
                status: response.status, responseHeaders: response.headers, responseBody: response.body,
                recordedBy: "emulator"))
        }
        return hummingbird(response)
    }

    private static func control(_ request: ServedRequest, log: RequestLog, plan: FaultPlan) async -> ServedResponse {
        switch (request.method, request.path) {
        case ("GET", "/__emulator/log"):
            return .json(200, await log.summary)
        case ("DELETE", "/__emulator/log"):
            await log.reset()
            return .json(200, .object(["reset": true]))
        case ("PUT", "/__emulator/faults"):
            do {
                let faults = try Faults(json: try request.json(), base: await plan.faults)
                await plan.set(faults)
                return .json(200, faults.json)
            } catch {
                return .json(400, .object(["message": .string("\(error)")]))
            }
        case ("GET", "/__emulator/faults"):
            return .json(200, await plan.faults.json)
        default:
            return .json(404, .object(["message": "unknown emulator control endpoint"]))
        }
    }

    private static func hummingbird(_ response: ServedResponse) -> Hummingbird.Response {
        var fields = HTTPFields()
        for (name, value) in response.headers {
            if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
        }
        return Hummingbird.Response(
            status: .init(code: response.status), headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: response.body)))
    }
}

/// An emulator that cannot start.
public struct EmulatorError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
