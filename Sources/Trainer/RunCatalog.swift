// The training runs under a folder, summarised for the Train pane: kind, model, progress and the loss curves
// from metrics.jsonl (downsampled), newest first.
import Bus
import Foundation

public enum RunCatalog {
    /// Every run directory directly under `root` (those with a config.json), newest first.
    public static func scan(_ root: String, points: Int = 200) -> [TrainRunSummary] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        let runs = names.compactMap { summary(of: (root as NSString).appendingPathComponent($0), points: points) }
        func modified(_ path: String) -> Date {
            (try? FileManager.default.attributesOfItem(atPath: RunDirectory(path: path).config)[.modificationDate] as? Date) ?? .distantPast
        }
        return runs.sorted { modified($0.path) > modified($1.path) }
    }

    public static func summary(of path: String, points: Int = 200) -> TrainRunSummary? {
        let dir = RunDirectory(path: path)
        guard let data = FileManager.default.contents(atPath: dir.config),
              let config = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        let isFineTune = config["kind"] as? String == "finetune"
        let kind = isFineTune ? (config["method"] as? String ?? "lora") : "pretrain"
        let model = isFineTune ? ((config["model"] as? String).map { ($0 as NSString).lastPathComponent } ?? "?")
            : (config["preset"] as? String ?? "?")
        var losses: [TrainPoint] = [], evals: [TrainPoint] = []
        for line in dir.readMetrics() {
            guard let step = line["step"] as? Int else { continue }
            if let loss = line["loss"] as? Double { losses.append(TrainPoint(step: step, loss: loss)) }
            if let eval = line["eval_loss"] as? Double { evals.append(TrainPoint(step: step, loss: eval)) }
        }
        let total = (config["totalSteps"] as? Int) ?? (config["steps"] as? Int) ?? losses.last?.step ?? 0
        let result = ["adapter.gguf", "model.gguf"].map(dir.file).first { FileManager.default.fileExists(atPath: $0) }
        return TrainRunSummary(path: path, name: (path as NSString).lastPathComponent, kind: kind, model: model,
                               step: losses.last?.step ?? 0, totalSteps: total, losses: downsample(losses, to: points),
                               evalLosses: downsample(evals, to: points), result: result)
    }

    /// At most `count` points, evenly spaced, always keeping the last.
    static func downsample(_ points: [TrainPoint], to count: Int) -> [TrainPoint] {
        guard points.count > count, count > 1 else { return points }
        return (0..<count).map { points[$0 * (points.count - 1) / (count - 1)] }
    }
}
