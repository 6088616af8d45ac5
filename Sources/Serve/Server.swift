import Engine
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals
import StateStore
import SyncCore

/// `serve` as one process: the HTTP endpoints (webhooks, `/healthz`, `/readyz`, `/metrics`) and the
/// worker, run together until SIGTERM or SIGINT, then shut down gracefully: the listener closes, the
/// worker finishes the pass under way, and what the inbox holds waits in the state file.
public final class Server: Sendable {
    /// What the endpoints answer from.
    public struct Endpoints: Sendable {
        /// Adds the webhook routes (the receiver) to the router.
        public var webhooks: @Sendable (Router<BasicRequestContext>) -> Void
        /// The Prometheus text of every metric, refreshed from the state file.
        public var metrics: @Sendable () async -> String
        /// Whether the state file can be read (for `/readyz`).
        public var storeReadable: @Sendable () -> Bool

        public init(
            webhooks: @escaping @Sendable (Router<BasicRequestContext>) -> Void,
            metrics: @escaping @Sendable () async -> String,
            storeReadable: @escaping @Sendable () -> Bool
        ) {
            self.webhooks = webhooks
            self.metrics = metrics
            self.storeReadable = storeReadable
        }
    }

    /// The port it listens on (the one asked for, or the one picked for port 0).
    public let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    /// Starts listening on `host`:`port` and the worker; returns once it listens.
    /// `signals`: the signals that shut it down gracefully (none in tests).
    public static func start(
        host: String, port: Int, endpoints: Endpoints, worker: Worker, pollSeconds: Double,
        signals: [UnixSignal] = [.sigterm, .sigint], logger: Logger
    ) async throws -> Server {
        let router = Router()
        endpoints.webhooks(router)
        router.get("/healthz") { _, _ in Self.text("ok\n") }
        router.get("/readyz") { _, _ in
            let problems = Self.readiness(worker.status.snapshot, storeReadable: endpoints.storeReadable(), pollSeconds: pollSeconds)
            return Self.text(problems.isEmpty ? "ready\n" : problems.joined(separator: "\n") + "\n", status: problems.isEmpty ? .ok : .serviceUnavailable)
        }
        router.get("/metrics") { _, _ in
            var response = Self.text(await endpoints.metrics())
            response.headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return response
        }
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        var quiet = logger
        quiet.logLevel = .warning
        let application = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "espo-ghl-sync"),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: quiet)
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: application),
                    .init(service: WorkerService(worker: worker), successTerminationBehavior: .gracefullyShutdownGroup),
                ],
                gracefulShutdownSignals: signals, logger: quiet))
        let task = Task { try await group.run() }
        var bound: Int?
        for await value in ports {
            bound = value
            break
        }
        guard let bound, bound > 0 else {
            task.cancel()
            _ = await task.result
            throw ServeError.cannotListen(host: host, port: port)
        }
        return Server(port: bound, group: group, task: task)
    }

    private init(port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.group = group
        self.task = task
    }

    /// Shuts down as SIGTERM would, and waits for it.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = await task.result
    }

    /// Runs until a signal shuts it down or it fails.
    public func wait() async throws { try await task.value }

    /// Why `serve` is not ready, one line each; empty when it is.
    static func readiness(_ status: ServeStatus.Snapshot, storeReadable: Bool, pollSeconds: Double) -> [String] {
        var problems: [String] = []
        if !storeReadable { problems.append("the state file cannot be read") }
        for side in Side.allCases {
            guard let poll = status.polls[side] else {
                problems.append("\(side.displayName): no poll has finished yet")
                continue
            }
            if let error = poll.error { problems.append("\(side.displayName): the last poll failed: \(error)") }
            // Three intervals without a poll: the worker is stuck (a batch run holding the lock is waited for).
            else if Date().timeIntervalSince(poll.at) > 3 * pollSeconds + 60, !status.waitingForRun {
                problems.append("\(side.displayName): no poll for \(Int(Date().timeIntervalSince(poll.at))) s")
            }
        }
        return problems
    }

    private static func text(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}

/// The worker as a service of the group: on graceful shutdown it stops taking new passes.
struct WorkerService: Service {
    let worker: Worker

    func run() async throws {
        await withGracefulShutdownHandler {
            await worker.run()
        } onGracefulShutdown: {
            worker.shutDown()
        }
    }
}

/// Why `serve` cannot start.
public enum ServeError: Error, Sendable, CustomStringConvertible {
    case cannotListen(host: String, port: Int)
    /// The state file holds no finished `sync`: `serve` only keeps a synced pair in step.
    case neverSynced(statePath: String)

    public var description: String {
        switch self {
        case let .cannotListen(host, port):
            "cannot listen on \(host):\(port) (is another process using the port? pass --port)"
        case let .neverSynced(path):
            "\(path) holds no finished sync: run `espo-ghl-sync sync` once before `serve`, which keeps an already synced pair in step"
        }
    }
}
