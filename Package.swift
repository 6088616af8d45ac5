// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "espo-ghl-sync",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "SyncCore", targets: ["SyncCore"]),
        .library(name: "StateStore", targets: ["StateStore"]),
        .executable(name: "espo-ghl-sync", targets: ["EspoGHLSync"]),
        .executable(name: "sync-bench", targets: ["SyncBench"]),
        .executable(name: "throughput-bench", targets: ["ThroughputBench"]),
        .executable(name: "store-crash-probe", targets: ["StoreCrashProbe"]),
        .library(name: "GHLClient", targets: ["GHLClient"]),
        .library(name: "GHLEmulator", targets: ["GHLEmulator"]),
        .executable(name: "ghl-token-probe", targets: ["GHLTokenProbe"]),
        .library(name: "EspoClient", targets: ["EspoClient"]),
        .library(name: "EspoEmulator", targets: ["EspoEmulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-collections", exact: "1.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client", exact: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", exact: "1.8.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-metrics", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
    ],
    targets: [
        // Canonical model, mapping language and the three-way planner: pure, no I/O.
        .target(
            name: "SyncCore",
            dependencies: [.product(name: "OrderedCollections", package: "swift-collections")]
        ),
        // The SQLite state file: runs, snapshots, links and base, journal, conflicts, tokens.
        .target(
            name: "StateStore",
            dependencies: ["SyncCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // `make bench`: ingest, raw SQLite insert rate, plan time and peak RSS on synthetic data.
        .executableTarget(
            name: "SyncBench",
            dependencies: [
                "SyncCore", "StateStore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        // `make bench`: 5 000 creates in GHL through the emulator at 100 requests a second.
        .executableTarget(
            name: "ThroughputBench",
            dependencies: [
                "SyncCore", "Transport", "Engine", "Connectors", "CLI", "GHLClient", "EspoClient", "GHLEmulator", "StateStore",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Child process for the store's crash test: commits, then dies by SIGKILL mid-transaction.
        .executableTarget(name: "StoreCrashProbe", dependencies: ["SyncCore", "StateStore"]),
        // HTTP calls both clients share: pacing, retries, outcome-unknown writes, exchange recording.
        .target(
            name: "Transport",
            dependencies: [
                "SyncCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        // What both emulators share: the HTTP server, fault injection, the request log.
        .target(
            name: "Emulation",
            dependencies: [
                "SyncCore", "Transport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // GoHighLevel API v2: typed endpoints, contact paging, OAuth tokens sealed at rest, pacing.
        .target(
            name: "GHLClient",
            dependencies: ["SyncCore", "Transport", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // A GoHighLevel emulator that follows the official spec: wrappers, auth, 422s, rate limits.
        .target(
            name: "GHLEmulator",
            dependencies: [
                "SyncCore", "Emulation", "Transport", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // Child process for the token crash test: refreshes, stores the rotated pair, then waits for SIGKILL.
        .executableTarget(name: "GHLTokenProbe", dependencies: ["SyncCore", "Transport", "GHLClient", "StateStore"]),
        .testTarget(
            name: "GHLTests",
            dependencies: ["SyncCore", "Transport", "Emulation", "StateStore", "GHLClient", "GHLEmulator", "TestSupport"]
        ),
        // Fetch → plan → execute against a Connector per side and the state store.
        .target(
            name: "Engine",
            dependencies: ["SyncCore", "StateStore", "Transport", .product(name: "CoreMetrics", package: "swift-metrics")]
        ),
        // Webhook signatures (GHL Ed25519 and RSA, EspoCRM HMAC) and events read as hints: pure, no I/O.
        .target(
            name: "Webhooks",
            dependencies: [
                "SyncCore", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // The sync's health as metrics (swift-metrics, exposed by swift-prometheus) and the textfile.
        .target(
            name: "Health",
            dependencies: [
                "SyncCore", "StateStore", "Engine", .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // `serve`: the webhook receiver and its inbox, the poll, the worker, health endpoints.
        .target(
            name: "Serve",
            dependencies: [
                "SyncCore", "StateStore", "Transport", "Engine", "Webhooks", "Health",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The GHL and EspoCRM clients adapted to the engine's Connector.
        .target(name: "Connectors", dependencies: ["SyncCore", "StateStore", "Transport", "Engine", "GHLClient", "EspoClient"]),
        // The command's config, output and subcommands (the executable only calls into it).
        .target(
            name: "CLI",
            dependencies: [
                "SyncCore", "StateStore", "Transport", "Engine", "Connectors", "GHLClient", "EspoClient",
                "Emulation", "GHLEmulator", "EspoEmulator", "Webhooks", "Health", "Serve",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            plugins: ["BuildCommit"]
        ),
        // Writes the commit a build comes from into the CLI, for `--version`.
        .plugin(name: "BuildCommit", capability: .buildTool()),
        .executableTarget(name: "EspoGHLSync", dependencies: ["CLI"]),
        // The EspoCRM REST client: auth (API key, HMAC, Basic), records, where filters, change feeds.
        .target(
            name: "EspoClient",
            dependencies: ["SyncCore", "Transport", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // An EspoCRM 10 emulator over real HTTP, for tests and the CLI's `emulate`.
        .target(
            name: "EspoEmulator",
            dependencies: [
                "SyncCore", "Emulation", "Transport", .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // What several test targets need: temporary folders, the built executables.
        .target(name: "TestSupport", path: "Sources/TestSupport"),
        .testTarget(name: "SyncCoreTests", dependencies: ["SyncCore"]),
        .testTarget(name: "CLITests", dependencies: ["SyncCore", "Engine", "CLI"]),
        // The engine in process against in-memory connectors.
        .testTarget(name: "EngineTests", dependencies: ["SyncCore", "StateStore", "Transport", "Engine", "TestSupport"]),
        // The built espo-ghl-sync against both emulators, as child processes over real HTTP.
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "SyncCore", "Transport", "Emulation", "CLI", "GHLClient", "GHLEmulator", "EspoClient", "EspoEmulator",
                "TestSupport", "Engine", "StateStore", .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Webhooks, the inbox, metrics and `serve` in process, against both emulators over real HTTP.
        .testTarget(
            name: "ServeTests",
            dependencies: [
                "SyncCore", "StateStore", "Transport", "Engine", "Emulation", "Webhooks", "Health", "Serve",
                "GHLEmulator", "EspoEmulator", "TestSupport", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(name: "TransportTests", dependencies: ["SyncCore", "Transport", "Emulation"]),
        .testTarget(
            name: "EspoTests",
            dependencies: ["SyncCore", "Transport", "Emulation", "EspoClient", "EspoEmulator"]
        ),
        .testTarget(
            name: "StateStoreTests",
            dependencies: ["SyncCore", "StateStore", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
