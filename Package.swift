// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "espo-ghl-sync",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "SyncCore", targets: ["SyncCore"]),
        .library(name: "StateStore", targets: ["StateStore"]),
        .executable(name: "sync-bench", targets: ["SyncBench"]),
        .executable(name: "store-crash-probe", targets: ["StoreCrashProbe"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-collections", exact: "1.6.0"),
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
        // Child process for the store's crash test: commits, then dies by SIGKILL mid-transaction.
        .executableTarget(name: "StoreCrashProbe", dependencies: ["SyncCore", "StateStore"]),
        .testTarget(name: "SyncCoreTests", dependencies: ["SyncCore"]),
        .testTarget(
            name: "StateStoreTests",
            dependencies: ["SyncCore", "StateStore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
