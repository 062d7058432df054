// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

// Products several targets use.
let hummingbird: Target.Dependency = .product(name: "Hummingbird", package: "hummingbird")
let hummingbirdTesting: Target.Dependency = .product(name: "HummingbirdTesting", package: "hummingbird")
let httpTypes: Target.Dependency = .product(name: "HTTPTypes", package: "swift-http-types")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let crypto: Target.Dependency = .product(name: "Crypto", package: "swift-crypto")
let nioCore: Target.Dependency = .product(name: "NIOCore", package: "swift-nio")
let sqlKit: Target.Dependency = .product(name: "SQLKit", package: "sql-kit")
let webSocket: Target.Dependency = .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket")
let serviceLifecycle: Target.Dependency = .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")

let package = Package(
    name: "stratus",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "stratus", targets: ["stratus"]),
        .executable(name: "stratus-bench", targets: ["StratusBench"]),
        .library(name: "StratusCore", targets: ["StratusCore"]),
        .library(name: "Database", targets: ["Database"]),
        .library(name: "HTTPSupport", targets: ["HTTPSupport"]),
        .library(name: "ServiceClients", targets: ["ServiceClients"]),
        .library(name: "IdentityAPI", targets: ["IdentityAPI"]),
        .library(name: "ImageAPI", targets: ["ImageAPI"]),
        .library(name: "NetworkAPI", targets: ["NetworkAPI"]),
        .library(name: "VolumeAPI", targets: ["VolumeAPI"]),
        .library(name: "Messaging", targets: ["Messaging"]),
        .library(name: "Virt", targets: ["Virt"]),
        .library(name: "VirtQEMU", targets: ["VirtQEMU"]),
        .library(name: "Scheduler", targets: ["Scheduler"]),
        .library(name: "GuestMetadata", targets: ["GuestMetadata"]),
        .library(name: "MetadataAPI", targets: ["MetadataAPI"]),
        .library(name: "ConsoleProxy", targets: ["ConsoleProxy"]),
        .library(name: "Dashboard", targets: ["Dashboard"]),
        .library(name: "StratusApp", targets: ["StratusApp"]),
        .library(name: "StratusTesting", targets: ["StratusTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        .target(
            name: "StratusCore",
            swiftSettings: strict
        ),
        .target(
            name: "Database",
            dependencies: [
                "StratusCore",
                "Messaging",
                sqlKit,
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                crypto,
                logging,
                serviceLifecycle,
            ],
            swiftSettings: strict
        ),
        .target(
            name: "ServiceClients",
            dependencies: [
                "StratusCore",
                httpTypes,
                nioCore,
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "HTTPSupport",
            dependencies: [
                "StratusCore",
                "ServiceClients",
                hummingbird,
                httpTypes,
                logging,
                nioCore,
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "IdentityAPI",
            dependencies: [
                "StratusCore",
                "Database",
                "HTTPSupport", "ServiceClients",
                hummingbird,
                httpTypes,
                crypto,
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOPosix", package: "swift-nio"),
                logging,
            ],
            swiftSettings: strict
        ),
        .target(
            name: "ImageAPI",
            dependencies: [
                "StratusCore",
                "Database",
                "HTTPSupport", "ServiceClients",
                hummingbird,
                httpTypes,
                crypto,
                nioCore,
                .product(name: "_NIOFileSystem", package: "swift-nio"),
                logging,
            ],
            swiftSettings: strict
        ),
        .target(
            name: "NetworkAPI",
            dependencies: [
                "StratusCore",
                "Database",
                "HTTPSupport", "ServiceClients",
                hummingbird,
                httpTypes,
                logging,
            ],
            swiftSettings: strict
        ),
        .target(
            name: "VolumeAPI",
            dependencies: [
                "StratusCore",
                "Database",
                "HTTPSupport", "ServiceClients",
                hummingbird,
                httpTypes,
                logging,
                serviceLifecycle,
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Messaging",
            dependencies: ["StratusCore", serviceLifecycle],
            swiftSettings: strict
        ),
        .target(
            name: "Virt",
            dependencies: ["StratusCore"],
            swiftSettings: strict
        ),
        .target(
            name: "VirtQEMU",
            dependencies: ["Virt", "GuestMetadata", "CSystemShims", "UnixSockets", logging, nioCore, .product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: strict
        ),
        .target(
            name: "Scheduler",
            dependencies: ["StratusCore", "Database", "Messaging", logging],
            swiftSettings: strict
        ),
        .target(
            name: "Conductor",
            dependencies: ["StratusCore", "Database", "Messaging", logging],
            swiftSettings: strict
        ),
        .target(
            name: "ComputeAgent",
            dependencies: ["StratusCore", "Messaging", "Virt", "ServiceClients", "GuestMetadata", logging, serviceLifecycle],
            swiftSettings: strict
        ),
        .target(
            name: "ComputeLink",
            dependencies: [
                "StratusCore", "Messaging", "ServiceClients", crypto, httpTypes, logging, serviceLifecycle,
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "ComputeAPI",
            dependencies: ["StratusCore", "Database", "HTTPSupport", "ServiceClients", "Messaging", "NetworkAPI", hummingbird, httpTypes, crypto, logging],
            swiftSettings: strict
        ),
        .target(
            name: "GuestMetadata",
            dependencies: ["StratusCore", crypto],
            swiftSettings: strict
        ),
        .target(
            name: "MetadataAPI",
            dependencies: ["StratusCore", "Database", "HTTPSupport", "ServiceClients", "GuestMetadata", hummingbird, httpTypes, nioCore],
            swiftSettings: strict
        ),
        .target(name: "UnixSockets", dependencies: [nioCore], swiftSettings: strict),
        .target(
            name: "ConsoleProxy",
            dependencies: [
                "StratusCore", "Database", "HTTPSupport", "ServiceClients", "Messaging", "UnixSockets", hummingbird, webSocket, httpTypes, nioCore, logging,
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Dashboard",
            dependencies: [
                "Database", "HTTPSupport", "ServiceClients", hummingbird, httpTypes, logging, crypto,
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: strict
        ),
        .target(name: "CSystemShims"),
        .target(
            name: "StratusApp",
            dependencies: [
                "CSystemShims",
                "StratusCore",
                "Database",
                "HTTPSupport", "ServiceClients",
                "IdentityAPI",
                "ImageAPI",
                "NetworkAPI",
                "VolumeAPI",
                "ComputeAPI",
                "MetadataAPI",
                "GuestMetadata",
                "ConsoleProxy",
                "Dashboard",
                "ComputeAgent",
                "ComputeLink",
                "Conductor",
                "Scheduler",
                "Messaging",
                "Virt",
                "VirtQEMU",
                hummingbird,
                httpTypes,
                webSocket,
                nioCore,
                logging,
                serviceLifecycle,
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "StratusTesting",
            dependencies: [
                "StratusApp",
                "StratusCore",
                "Database",
                "HTTPSupport", "ServiceClients",
                "IdentityAPI",
                "ImageAPI",
                "NetworkAPI",
                "VolumeAPI",
                "ComputeAPI",
                "ConsoleProxy",
                "Dashboard",
                "ComputeAgent",
                "Messaging",
                "GuestMetadata",
                "MetadataAPI",
                hummingbird,
                hummingbirdTesting,
                sqlKit,
                httpTypes,
                logging,
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "stratus",
            dependencies: [
                "StratusApp",
                "ComputeLink",
                "StratusCore",
                "Database",
                "GuestMetadata",
                "IdentityAPI",
                "NetworkAPI", "ServiceClients",
                "VirtQEMU",
                "MetadataAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                logging,
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "StratusBench",
            dependencies: [
                "StratusCore",
                "Database",
                "Messaging",
                logging,
                serviceLifecycle,
                "HTTPSupport", "ServiceClients",
                "Scheduler",
                "Virt",
                "VirtQEMU",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "StratusCoreTests",
            dependencies: ["StratusCore"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DatabaseTests",
            dependencies: [
                "Database", "StratusCore", "StratusTesting", "Messaging",
                sqlKit,
                logging,
                serviceLifecycle,
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "HTTPSupportTests",
            dependencies: [
                "HTTPSupport", "ServiceClients", "StratusCore", "StratusTesting",
                hummingbird,
                hummingbirdTesting,
                httpTypes,
                logging,
                nioCore,
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "IdentityAPITests",
            dependencies: [
                "IdentityAPI", "StratusCore", "Database", "StratusTesting", "StratusApp", "HTTPSupport", "ServiceClients",
                httpTypes,
                crypto,
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "NetworkAPITests",
            dependencies: [
                "NetworkAPI", "StratusCore", "Database", "StratusTesting", "HTTPSupport", "ServiceClients", "IdentityAPI",
                httpTypes,
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "VolumeAPITests",
            dependencies: [
                "VolumeAPI", "StratusCore", "Database", "StratusTesting", "StratusApp", "HTTPSupport", "ServiceClients",
                httpTypes,
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "VirtTests",
            dependencies: ["Virt", "StratusCore"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ComputeAgentTests",
            dependencies: ["ComputeAgent", "ComputeAPI", "Messaging", "StratusCore", "StratusTesting", hummingbird, hummingbirdTesting],
            swiftSettings: strict
        ),
        .testTarget(
            name: "VirtQEMUTests",
            dependencies: ["VirtQEMU", "Virt", "UnixSockets", nioCore, .product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SchedulerTests",
            dependencies: ["Scheduler", "StratusCore"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ComputeAPITests",
            dependencies: [
                "ComputeAPI", "StratusCore", "Database", "StratusTesting", "StratusApp", "HTTPSupport", "ServiceClients", "Virt", "VirtQEMU", "Messaging", "ImageAPI",
                httpTypes,
                logging,
                sqlKit,
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "GuestMetadataTests",
            dependencies: ["GuestMetadata", "StratusCore"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "MetadataAPITests",
            dependencies: ["MetadataAPI", "GuestMetadata", "StratusCore", "StratusTesting", httpTypes],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ConsoleProxyTests",
            dependencies: [
                "ConsoleProxy", "StratusCore", hummingbird, httpTypes,
                .product(name: "HummingbirdCore", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DashboardTests",
            dependencies: ["Dashboard", "Database", "StratusCore", "StratusTesting", hummingbird, hummingbirdTesting, httpTypes],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ImageAPITests",
            dependencies: [
                "ImageAPI", "StratusCore", "Database", "StratusTesting", "HTTPSupport", "ServiceClients",
                httpTypes,
                hummingbird,
                hummingbirdTesting,
                crypto,
            ],
            swiftSettings: strict
        ),
    ]
)
