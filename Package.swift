// swift-tools-version:6.0
// Lathe: a terminal workbench for local LLMs. One package, one job per target; imports point down
// (see ../shared/docs/ARCHITECTURE.md and README.md).
import PackageDescription

// C kernels are always optimised: SwiftPM builds C at -O0 in debug, which would make every debug test
// that touches a kernel 10-50x slower. SIMD paths use per-function target attributes + runtime dispatch.
let cOptimised: [CSetting] = [.unsafeFlags(["-O3", "-fno-math-errno"])]

let package = Package(
    name: "Lathe",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "lathe", targets: ["Lathe"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.0.0"),
    ],
    targets: [
        // Formats and math: no dependencies on the rest of Lathe.
        .target(name: "GGUF"),
        .target(name: "CKernels", cSettings: cOptimised),
        .target(name: "Kernels", dependencies: ["CKernels", "GGUF"]),
        .target(name: "Tokenizers", dependencies: ["GGUF"]),
        .target(name: "Engine", dependencies: ["GGUF", "Kernels", "Tokenizers"]),
        .target(name: "Bus"),
        .target(name: "Quantizer", dependencies: ["GGUF", "Kernels", "Tokenizers", "Engine"]),
        // Hugging Face Hub client, resumable verified downloads and the local model library.
        .systemLibrary(name: "CLibCrypto", path: "Sources/CLibCrypto", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),
        // libcurl, loaded with dlopen, streams download bodies (URLSession's 16 KB pieces cost half the CPU).
        .target(name: "CCurl", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "Hub", dependencies: ["CLibCrypto", "CCurl"]),
        // Training: BLAS for the large products (measured faster than Kernels' f32 matmul on training shapes).
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas"),
        .target(name: "CTrainerKernels", cSettings: cOptimised),
        .target(name: "Trainer", dependencies: ["Bus", "COpenBLAS", "CTrainerKernels", "Engine", "GGUF", "Kernels", "Tokenizers"]),
        // UI layers: Screen knows no ncurses; TUI imports only Screen and Bus; Terminal is the ncurses backend.
        .systemLibrary(name: "CNcursesw", path: "Sources/CNcursesw"),
        .target(name: "Screen"),
        .target(name: "TUI", dependencies: ["Screen", "Bus"]),
        .target(name: "Terminal", dependencies: ["Screen", "CNcursesw"]),
        // Services that own long-running work, talking over the bus.
        .target(name: "Workbench", dependencies: ["Bus", "Engine", "GGUF", "Tokenizers", "Trainer", "Hub", "Quantizer"]),
        // OpenAI-compatible HTTP server over the engine's batch scheduler.
        .target(
            name: "Server",
            dependencies: [
                "Bus", "Engine", "Tokenizers", "GGUF",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "Lathe",
            dependencies: [
                "GGUF", "Kernels", "Tokenizers", "Engine", "Bus", "Screen", "TUI", "Terminal", "Workbench", "Trainer", "Hub",
                "Quantizer", "Server",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .target(name: "LatheTestSupport"),

        .testTarget(name: "GGUFTests", dependencies: ["GGUF", "LatheTestSupport"]),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "GGUF", "LatheTestSupport"]),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers", "GGUF", "LatheTestSupport"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "Tokenizers", "GGUF", "Kernels", "LatheTestSupport"]),
        .testTarget(name: "TrainerTests", dependencies: ["Trainer", "Engine", "GGUF", "Tokenizers", "LatheTestSupport"]),
        .testTarget(name: "BusTests", dependencies: ["Bus", "LatheTestSupport"]),
        .testTarget(name: "ScreenTests", dependencies: ["Screen", "LatheTestSupport"]),
        .testTarget(name: "TUITests", dependencies: ["TUI", "Screen", "Bus", "LatheTestSupport"]),
        .testTarget(name: "WorkbenchTests", dependencies: ["Workbench", "Bus", "LatheTestSupport"]),
        .testTarget(name: "LatheTests", dependencies: ["LatheTestSupport"]),
        .testTarget(name: "QuantizerTests", dependencies: ["Quantizer", "GGUF", "Kernels", "CKernels", "Engine", "LatheTestSupport"]),
        .testTarget(name: "HubTests", dependencies: ["Hub", "Workbench", "Bus", "LatheTestSupport"]),
        .testTarget(name: "ServerTests", dependencies: ["Server", "Engine", "Workbench", "Bus", "LatheTestSupport"],
                    exclude: ["openai_client_checks.py"]),
    ],
    swiftLanguageModes: [.v6]
)
