// Crash-safe runs: stopping at step N and resuming gives the metrics and weights of an uninterrupted run bit
// for bit, and a corrupt newest checkpoint is detected (checksum) and the previous one used.
import Foundation
import Testing
import Trainer

@Suite struct ResumeTests {
    static func config(_ dir: String, steps: Int = 16) -> PretrainConfig {
        var c = PretrainConfig(dataFiles: Corpus.licenseFiles, preset: .tiny, steps: steps, runDirectory: dir, seed: 3)
        c.shape = ModelShape(layers: 2, dim: 64, heads: 4, kvHeads: 2, ffn: 128, vocab: 512, context: 32)
        c.vocabularySize = 512
        c.sequences = 4
        c.accumulation = 2
        c.evalEvery = 4
        c.evalBatches = 2
        c.checkpointEvery = 4
        c.sampleEvery = 0
        return c
    }

    /// Metrics that must match exactly (time-dependent fields excluded).
    static func curve(_ dir: String) -> [String] {
        RunDirectory(path: dir).readMetrics().map { m in
            ["step", "loss", "lr", "grad_norm", "eval_loss", "epoch"].map { "\(m[$0] ?? "-")" }.joined(separator: " ")
        }
    }

    static func weights(_ run: Pretraining) -> [Float] { Array(UnsafeBufferPointer(start: run.parameters.values, count: run.parameters.count)) }

    @Test func stopAndResumeEqualsUninterrupted() throws {
        let a = Corpus.temporaryDirectory("whole"), b = Corpus.temporaryDirectory("split")
        defer { [a, b].forEach { try? FileManager.default.removeItem(atPath: $0) } }
        let whole = try Pretraining.create(Self.config(a))
        #expect(try whole.train(control: { .run }, emit: { _ in }) == .finished(step: 16))

        let first = try Pretraining.create(Self.config(b))
        var calls = 0
        let outcome = try first.train(control: {
            calls += 1
            return calls > 7 ? .stop : .run  // stop after 7 steps: not on a checkpoint boundary
        }, emit: { _ in })
        guard case .stopped(step: 7, let checkpoint) = outcome else {
            Issue.record("expected a stop at step 7, got \(outcome)")
            return
        }
        #expect(checkpoint.hasSuffix(Checkpoint.fileName(step: 7)))
        let resumed = try Pretraining.resume(runDirectory: b)
        #expect(resumed.startStep == 7)
        #expect(try resumed.train(control: { .run }, emit: { _ in }) == .finished(step: 16))

        let curveA = Self.curve(a), curveB = Self.curve(b)
        #expect(curveA.count == 16)
        #expect(curveA == curveB)
        #expect(Self.weights(whole) == Self.weights(resumed), "weights differ after resume")
        #expect(FileManager.default.fileExists(atPath: RunDirectory(path: b).model))
    }

    @Test func corruptCheckpointFallsBackToThePreviousOne() throws {
        let dir = Corpus.temporaryDirectory("corrupt")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try Pretraining.create(Self.config(dir, steps: 8))
        _ = try run.train(control: { .run }, emit: { _ in })
        let expected = Self.curve(dir)
        let files = Checkpoint.list(in: RunDirectory(path: dir).checkpoints)
        #expect(files.map { ($0 as NSString).lastPathComponent } == [Checkpoint.fileName(step: 8), Checkpoint.fileName(step: 4)])

        // Flip one byte in the middle of the newest checkpoint: the checksum must catch it.
        let handle = try #require(FileHandle(forUpdatingAtPath: files[0]))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size / 2)
        let byte = try #require(try handle.read(upToCount: 1))
        try handle.seek(toOffset: size / 2)
        try handle.write(contentsOf: Data([byte[0] ^ 0x40]))
        try handle.close()
        let resumed = try Pretraining.resume(runDirectory: dir)
        #expect(resumed.startStep == 4)
        #expect(resumed.skippedCheckpoints.count == 1)
        #expect(resumed.skippedCheckpoints.first?.1.contains("checksum") == true)
        #expect(Self.curve(dir).count == 4, "metrics after the checkpoint are dropped on resume")
        _ = try resumed.train(control: { .run }, emit: { _ in })
        #expect(Self.curve(dir) == expected)

        // A truncated file (a crash mid-write without the atomic rename) is reported too.
        let newest = Checkpoint.list(in: RunDirectory(path: dir).checkpoints)[0]
        let data = try #require(FileManager.default.contents(atPath: newest))
        try data.prefix(data.count - 100).write(to: URL(fileURLWithPath: newest))
        #expect(throws: TrainerError.self) {
            try Checkpoint.load(path: newest, store: resumed.parameters, optimizer: resumed.loop.optimizer)
        }
    }
}
