// A run directory: config.json, metrics.jsonl (one JSON object per optimizer step), checkpoints/ and, at the
// end, model.gguf. Resuming truncates metrics.jsonl back to the checkpoint's step, so the log of a resumed
// run reads exactly like an uninterrupted one.
import Foundation

public struct RunDirectory: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
    public var checkpoints: String { file("checkpoints") }
    public var metrics: String { file("metrics.jsonl") }
    public var config: String { file("config.json") }
    public var model: String { file("model.gguf") }

    public func create() throws {
        do {
            try FileManager.default.createDirectory(atPath: checkpoints, withIntermediateDirectories: true)
        } catch {
            throw TrainerError.io(path, "cannot create the run directory (\(error.localizedDescription))")
        }
    }

    /// Appends one line to metrics.jsonl (flushed at once, so a killed run keeps every finished step).
    public func appendMetrics(_ line: String) throws {
        let path = metrics
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw TrainerError.io(path, "cannot append") }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((line + "\n").utf8))
    }

    /// Keeps only metrics lines with "step" ≤ `step` (and drops a torn last line).
    public func truncateMetrics(after step: Int) throws {
        guard let data = FileManager.default.contents(atPath: metrics) else { return }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        let kept = lines.filter { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let s = object["step"] as? Int else { return false }
            return s <= step
        }
        try AtomicWrite.write(kept.map { $0 + "\n" }.joined(), to: metrics)
    }

    /// The metrics lines as dictionaries (tests, reports).
    public func readMetrics() -> [[String: Any]] {
        guard let data = FileManager.default.contents(atPath: metrics) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }
}
