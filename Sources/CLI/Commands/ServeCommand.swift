import ArgumentParser
import Engine
import Foundation
import Health
import Logging
import Serve
import Synchronization
import Transport
import Webhooks
import StateStore
import SyncCore
import UnixSignals

/// `serve`: keeps both systems in step within seconds, and answers health and metrics.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Receive webhooks, poll both sides and apply changes within seconds; answer /healthz, /readyz and /metrics.",
        discussion: """
            Needs a state file a `sync` has run on. Webhooks go to POST /webhooks/ghl and \
            POST /webhooks/espo/{subscription} (`webhooks subscribe` registers the EspoCRM ones). Runs \
            until SIGTERM or SIGINT, then finishes the pass under way and exits 0; events not yet applied \
            wait in the state file's inbox. Exit 1 when it cannot start.
            """)
    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "The address to listen on (default: serve.host, else 127.0.0.1).")
    var host: String?

    @Option(name: .long, help: "The port to listen on; 0 picks a free one (default: serve.port, else 8787).")
    var port: Int?

    func run() async throws {
        LogLines.bootstrap(format: global.logFormat, verbose: global.verbose)
        let config = try global.loadConfig()
        let serving = try await Serving.start(
            config: config, host: host ?? config.serve.host, port: port ?? config.serve.port, signals: [.sigterm, .sigint])
        Console.err("serve: listening on http://\(host ?? config.serve.host):\(serving.server.port) (webhooks at /webhooks/ghl and /webhooks/espo/{subscription}; /healthz, /readyz, /metrics)\n")
        try await serving.server.wait()
        withExtendedLifetime(serving) {}
        Console.err("serve: stopped\n")
    }
}

/// `serve` put together from a config: the state file, both connectors, the metrics, the receiver,
/// the worker and the HTTP endpoints (the command, the demo and the tests start it the same way).
public struct Serving: Sendable {
    public let server: Server
    public let worker: Worker
    public let store: StateStore
    /// Held while serve runs, so `auth rotate-key` does not re-seal the secrets under it.
    public let lifetime: ServeLock

    /// Stops as SIGTERM would, and waits for it.
    public func stop() async { await server.stop() }

    /// Starts `serve` for `config` on `host`:`port` (0 picks a free port); `signals` shut it down.
    public static func start(
        config: Config, environment: [String: String] = ProcessInfo.processInfo.environment,
        host: String, port: Int, signals: [UnixSignal], logger: Logger = Logger(label: "espo-ghl-sync.serve")
    ) async throws -> Serving {
        let mappings = try MappingCommand.load(config)
        let keys: GHLWebhookKeys
        do { keys = try GHLWebhookKeys(ed25519: config.ghl.webhooks.publicKey, rsa: config.ghl.webhooks.rsaPublicKey) } catch {
            throw CommandError("\(config.file): \(error.description)")
        }
        let exposition = Exposition()
        let metrics = SyncMetrics(factory: exposition.factory)
        let wiring = Wiring(config: config, environment: environment, calls: { metrics.apiCall(service: $0.service, status: $0.status) })
        _ = try wiring.espoClient()
        if case .privateToken = config.ghl.auth { _ = try wiring.ghlClient(store: nil) }
        guard FileManager.default.fileExists(atPath: config.state) else {
            throw CommandError(ServeError.neverSynced(statePath: config.state).description)
        }
        let lifetime: ServeLock
        do { lifetime = try ServeLock(statePath: config.state, .serving) } catch { throw CommandError(error.description) }
        let store: StateStore
        do { store = try StateStore(path: config.state) } catch { throw CommandError(error.description) }
        guard try store.lastFinishedRun(mode: "sync") != nil else {
            throw CommandError(ServeError.neverSynced(statePath: config.state).description)
        }
        let connectors = try wiring.connectors(store: store)
        // What `sync` checks before any write (every mapped EspoCRM attribute exists), once at start.
        do {
            for side in Side.allCases { try await connectors[side].check(mappings) }
        } catch {
            throw CommandError(error.description)
        }
        let stop = StopSignal()
        let worker = Worker(
            Worker.Setup(
                statePath: config.state, store: store, mappings: mappings, connectors: connectors, settings: config.sync,
                pollSeconds: config.serve.pollSeconds,
                recorded: { summary in
                    do { try metrics.record(summary, store: store, mode: "serve") } catch {
                        logger.error("serve: cannot record metrics: \(error)")
                    }
                },
                failed: { error in metrics.recordFailure(mode: "serve", error: error) }),
            stop: stop, logger: logger)
        let subscriptions = SubscriptionBook(store: store, tokenKeyEnv: config.tokenKeyEnv, environment: environment, logger: logger)
        let receiver = Receiver(
            store: store,
            configuration: Receiver.Configuration(
                ghl: GHLWebhook(keys: keys, locationId: config.ghl.locationId), maxInbox: config.serve.maxInbox),
            subscriptions: { subscriptions.registration(named: $0) },
            metrics: ReceiverMetrics(factory: exposition.factory), logger: logger,
            onAccepted: { worker.wake() })
        let endpoints = Server.Endpoints(
            webhooks: { router in receiver.addRoutes(to: router) },
            metrics: {
                do { try metrics.refresh(store: store) } catch { logger.error("serve: cannot read the state file for metrics: \(error)") }
                return exposition.text()
            },
            storeReadable: { (try? store.inboxStatus()) != nil })
        let server: Server
        do {
            server = try await Server.start(
                host: host, port: port, endpoints: endpoints, worker: worker, pollSeconds: config.serve.pollSeconds,
                signals: signals, logger: logger)
        } catch {
            throw CommandError("\(error)")
        }
        return Serving(server: server, worker: worker, store: store, lifetime: lifetime)
    }
}

/// The EspoCRM subscriptions `webhooks subscribe` sealed in the state file, read again when a name is
/// not known yet (a `subscribe` made while `serve` runs needs no restart).
final class SubscriptionBook: Sendable {
    private let store: StateStore
    private let sealer: RegistrationSealer?
    private let known = Mutex<[String: EspoSubscription.Registration]>([:])

    init(store: StateStore, tokenKeyEnv: String, environment: [String: String], logger: Logger) {
        self.store = store
        sealer = try? RegistrationSealer(environmentVariable: tokenKeyEnv, environment: environment)
        if sealer == nil, let names = try? store.tokenNames(prefix: RegistrationSealer.slotPrefix), !names.isEmpty {
            logger.warning("serve: \(tokenKeyEnv) is not set: EspoCRM webhooks cannot be checked and are refused (401); the poll still runs")
        }
    }

    func registration(named name: String) -> EspoSubscription.Registration? {
        if let found = known.withLock({ $0[name] }) { return found }
        guard let sealer, let loaded = try? EspoSubscriptions.load(store: store, sealer: sealer) else { return nil }
        let found = loaded.registration(named: name)
        if let found { known.withLock { $0[name] = found } }
        return found
    }
}
