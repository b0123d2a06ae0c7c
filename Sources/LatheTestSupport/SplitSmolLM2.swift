// SmolLM2 split into three parts by gguf-py's own split writer (Tests/Support/gguf_split.py; PyPI `gguf`, an
// implementation independent of Lathe's GGUF code): made once per test process, shared by the suites that test
// split models, removed when the process exits.
import Foundation

public enum SplitSmolLM2 {
    public static let partCount = 3
    /// The parts' shared name, as the models directory lists the model.
    public static let modelName = "smollm2-split.gguf"
    public static func partName(_ part: Int) -> String { String(format: "smollm2-split-%05d-of-%05d.gguf", part, partCount) }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var made: [String]?

    /// The three parts' paths, in order (all in one directory of their own).
    public static func parts() throws -> [String] {
        lock.lock()
        defer { lock.unlock() }
        if let made { return made }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-split-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        splitDirectory = strdup(dir.path)
        atexit {
            if let dir = splitDirectory { try? FileManager.default.removeItem(atPath: String(cString: dir)) }
        }
        // SmolLM2 has 272 tensors: 100 + 100 + 72.
        let script = TestPaths.packageRoot.appendingPathComponent("Tests/Support/gguf_split.py").path
        let prefix = dir.appendingPathComponent("smollm2-split").path
        let result = try Run.process("/usr/bin/env", ["python3", script, TestPaths.smollm2, prefix, "100"])
        guard result.status == 0 else {
            throw SplitFixtureError("gguf_split.py exited \(result.status): \(result.stderr.suffix(2000))")
        }
        let paths = (1...partCount).map { dir.appendingPathComponent(partName($0)).path }
        for path in paths where !FileManager.default.fileExists(atPath: path) {
            throw SplitFixtureError("gguf_split.py wrote no \(path) (it wrote \((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []))")
        }
        made = paths
        return paths
    }
}

public struct SplitFixtureError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

nonisolated(unsafe) private var splitDirectory: UnsafeMutablePointer<CChar>?
