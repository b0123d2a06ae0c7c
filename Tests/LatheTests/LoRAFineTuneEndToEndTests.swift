// The fine-tune done-when test, through the real `lathe` binary: a CI-sized LoRA run on SmolLM2 over ~100 chat
// examples about a fictional product (Tests/Fixtures/lora) halves the training loss; greedy answers to held-out
// rephrased questions contain the fact with the adapter and not without it; the same holds after
// `lathe lora merge`. Also: the run directory holds metrics.jsonl, adapter.gguf and the PEFT files.
import Foundation
import LatheTestSupport
import Testing

@Suite(.serialized) struct LoRAFineTuneEndToEndTests {
    struct HeldOut: Decodable {
        var question: String
        var expect: String
    }

    static func heldOut() throws -> [HeldOut] {
        let text = try String(contentsOf: TestPaths.fixture("lora/orvella-heldout.jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(HeldOut.self, from: Data($0.utf8)) }
    }

    /// The greedy reply to one question in a fresh chat (no earlier turns to copy from).
    static func answer(_ model: String, _ question: String, lora: String? = nil) throws -> String {
        let result = try Run.lathe(["chat", model, "--temp", "0", "-n", "32"] + (lora.map { ["--lora", $0] } ?? []),
                                   stdin: question + "\n")
        try #require(result.status == 0, "lathe chat failed: \(result.stderr)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func loraRunTeachesAFactThatSurvivesMerging() throws {
        try #require(FileManager.default.fileExists(atPath: TestPaths.smollm2), "missing \(TestPaths.smollm2)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-lora-e2e-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("run").path
        // CI-sized: 20 steps of 4 sequences (< 1 epoch), rank 16 on every projection, a high learning rate.
        let train = try Run.lathe([
            "train", "lora", "--model", TestPaths.smollm2, "--data", TestPaths.fixture("lora/orvella-train.jsonl").path,
            "--out", run, "--rank", "16", "--alpha", "32", "--targets", "all", "--lr", "3e-3", "--steps", "20",
            "--batch", "4", "--cutoff", "96", "--eval-split", "0.1", "--eval-every", "10", "--checkpoint-every", "20",
        ])
        try #require(train.status == 0, "training failed: \(train.stderr)\n\(train.stdout)")
        #expect(train.stdout.contains("89 train / 10 eval sequences"))

        let metrics = try String(contentsOfFile: run + "/metrics.jsonl", encoding: .utf8).split(separator: "\n")
            .map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(metrics.count == 20)
        let losses = metrics.compactMap { $0["loss"] as? Double }
        let first = losses[0], last = losses.suffix(3).reduce(0, +) / 3
        #expect(last <= first / 2, "loss fell only from \(first) to \(last)")
        #expect(metrics.contains { $0["eval_loss"] != nil })
        for file in ["adapter.gguf", "peft/adapter_model.safetensors", "peft/adapter_config.json"] {
            #expect(FileManager.default.fileExists(atPath: run + "/" + file), "missing \(file)")
        }

        let merged = dir.appendingPathComponent("merged.gguf").path
        let merge = try Run.lathe(["lora", "merge", TestPaths.smollm2, run + "/adapter.gguf", merged])
        try #require(merge.status == 0, "merge failed: \(merge.stderr)")
        #expect(merge.stdout.contains("merged 210 tensors"))

        for item in try Self.heldOut() {
            let base = try Self.answer(TestPaths.smollm2, item.question)
            let adapted = try Self.answer(TestPaths.smollm2, item.question, lora: run + "/adapter.gguf")
            let bakedIn = try Self.answer(merged, item.question)
            #expect(!base.contains(item.expect), "without the adapter: \(item.question) → \(base)")
            #expect(adapted.contains(item.expect), "with the adapter: \(item.question) → \(adapted)")
            #expect(bakedIn.contains(item.expect), "merged: \(item.question) → \(bakedIn)")
        }
    }
}
