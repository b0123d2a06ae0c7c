// The runs the Train pane lists: kind, model, progress and loss curves read from each run directory.
import Bus
import Foundation
import Testing
import Trainer

@Suite struct RunCatalogTests {
    @Test func summarisesFineTuneAndPretrainRunsNewestFirst() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-runs-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        func make(_ name: String, config: String, metrics: [String], result: String?) throws {
            let dir = root + "/" + name
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try config.write(toFile: dir + "/config.json", atomically: true, encoding: .utf8)
            try metrics.joined(separator: "\n").write(toFile: dir + "/metrics.jsonl", atomically: true, encoding: .utf8)
            if let result { FileManager.default.createFile(atPath: dir + "/" + result, contents: Data()) }
        }
        try make("old", config: #"{"kind": "finetune", "method": "lora", "model": "/m/SmolLM2.gguf", "totalSteps": 300}"#,
                 metrics: (1...300).map { #"{"step": \#($0), "loss": \#(3.0 / Double($0))}"# } + [#"{"step": 300, "loss": 0.01, "eval_loss": 0.5}"#],
                 result: "adapter.gguf")
        usleep(20_000)
        try make("new", config: #"{"preset": "tiny", "steps": 50}"#, metrics: [#"{"step": 1, "loss": 5.5}"#], result: nil)
        try FileManager.default.createDirectory(atPath: root + "/not-a-run", withIntermediateDirectories: true)

        let runs = RunCatalog.scan(root, points: 100)
        #expect(runs.map(\.name) == ["new", "old"])
        #expect(runs[0].kind == "pretrain" && runs[0].model == "tiny" && runs[0].totalSteps == 50 && runs[0].result == nil)
        let old = runs[1]
        #expect(old.kind == "lora" && old.model == "SmolLM2.gguf" && old.step == 300 && old.totalSteps == 300)
        #expect(old.losses.count == 100 && old.losses.first?.step == 1 && old.losses.last?.step == 300)
        #expect(old.evalLosses == [TrainPoint(step: 300, loss: 0.5)])
        #expect(old.result == root + "/old/adapter.gguf" && old.isFinished)
    }

    @Test func aStoppedLoRARunHasItsAdapterButIsNotFinished() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-runs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try #"{"kind": "finetune", "method": "lora", "model": "/m/SmolLM2.gguf", "totalSteps": 300}"#
            .write(toFile: dir + "/config.json", atomically: true, encoding: .utf8)
        try (1...12).map { #"{"step": \#($0), "loss": 1.5}"# }.joined(separator: "\n")
            .write(toFile: dir + "/metrics.jsonl", atomically: true, encoding: .utf8)
        FileManager.default.createFile(atPath: dir + "/adapter.gguf", contents: Data())     // saved at the stop
        let run = try #require(RunCatalog.summary(of: dir))
        #expect(run.step == 12 && run.totalSteps == 300 && run.result == dir + "/adapter.gguf")
        #expect(!run.isFinished)
    }
}
