// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "SwiftTorch",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Torch", targets: ["Torch"]),
        .library(name: "TorchVision", targets: ["TorchVision"]),
        .executable(name: "swifttorch", targets: ["swifttorch"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .target(name: "CTorchKernels"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(name: "Torch", dependencies: ["CTorchKernels", "CZlib"]),
        .target(name: "TorchVision", dependencies: ["Torch"]),
        .executableTarget(
            name: "swifttorch",
            dependencies: ["Torch", "TorchVision", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            resources: [.copy("Resources")]),
        .executableTarget(name: "SwiftTorchBench", dependencies: ["Torch"], path: "Benchmarks/SwiftTorchBench"),
        .testTarget(
            name: "TorchTests",
            dependencies: ["Torch", "TorchVision", "swifttorch"],
            resources: [.copy("Fixtures")]),
    ],
    swiftLanguageModes: [.v6]
)
