// Where tests find the package root, the test models and llama.cpp's reference fixtures
// (Tests/Fixtures, copied from the team's shared/fixtures so a clean clone has them).
import Foundation

public enum TestPaths {
    /// The package root (the folder holding Package.swift), found from this source file's location.
    public static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    /// The models directory: $LATHE_MODELS_DIR or <package root>/models.
    public static var modelsDirectory: URL {
        if let dir = ProcessInfo.processInfo.environment["LATHE_MODELS_DIR"] { return URL(fileURLWithPath: dir) }
        return packageRoot.appendingPathComponent("models")
    }

    public static var smollm2: String { modelsDirectory.appendingPathComponent("SmolLM2-135M-Instruct.Q4_1.gguf").path }
    public static var gemma3: String { modelsDirectory.appendingPathComponent("gemma3-270m-Q4_K_M.gguf").path }

    /// Tests/Fixtures/<relative>.
    public static func fixture(_ relative: String) -> URL {
        packageRoot.appendingPathComponent("Tests/Fixtures").appendingPathComponent(relative)
    }

    /// The `lathe` binary: $LATHE_BIN, else .build/release/lathe, else .build/debug/lathe.
    public static var latheBinary: String {
        if let bin = ProcessInfo.processInfo.environment["LATHE_BIN"] { return bin }
        for config in ["release", "debug"] {
            let path = packageRoot.appendingPathComponent(".build/\(config)/lathe").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return packageRoot.appendingPathComponent(".build/release/lathe").path
    }

    /// Reads a JSON-lines fixture file into dictionaries.
    public static func jsonLines(_ relative: String) throws -> [[String: Any]] {
        let text = try String(contentsOf: fixture(relative), encoding: .utf8)
        return try text.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
    }
}
