// The whole craft through the `lathe` binary, CI-sized: pretrain the tiny preset on the Debian license texts,
// SIGTERM the process mid-run, resume it, and check that
//   - the interrupted + resumed loss curve equals an uninterrupted in-process run of the same config, bit for bit;
//   - the eval loss ends clearly below the unigram baseline of the same split;
//   - RUN_DIR/model.gguf loads in the Engine and `lathe run` generates text from it.
import Engine
import Foundation
import LatheTestSupport
import Testing
import Trainer

@Suite struct PretrainEndToEndTests {
    static let steps = 150

    static func arguments(_ dir: String) -> [String] {
        ["train", "pretrain", "--data"] + Corpus.licenseFiles
            + ["--preset", "tiny", "--steps", "\(steps)", "--out", dir, "--seed", "7", "--eval-every", "25",
               "--checkpoint-every", "50", "--sample-every", "0"]
    }

    @Test func sigtermResumeMatchesUninterruptedAndBeatsUnigram() throws {
        let cli = Corpus.temporaryDirectory("cli"), reference = Corpus.temporaryDirectory("ref")
        defer { [cli, reference].forEach { try? FileManager.default.removeItem(atPath: $0) } }

        // Interrupted run: SIGTERM once 30 steps are logged (between checkpoints at 0 and 50).
        let child = try SpawnedProcess(TestPaths.latheBinary, Self.arguments(cli), currentDirectory: TestPaths.packageRoot)
        let run = RunDirectory(path: cli)
        let deadline = Date().addingTimeInterval(120)
        while run.readMetrics().count < 30 && Date() < deadline { usleep(20_000) }
        child.signal(SIGTERM)
        let stopped = child.wait()
        #expect(stopped.status == 143, "exit \(stopped.status): \(stopped.stderr)")
        let stoppedAt = run.readMetrics().count
        #expect(stoppedAt >= 30 && stoppedAt < Self.steps, "stopped at \(stoppedAt)")
        #expect(stopped.stdout.contains("stopped at step \(stoppedAt)"))
        #expect(FileManager.default.fileExists(atPath: run.checkpoints + "/" + Checkpoint.fileName(step: stoppedAt)))

        let resumed = try Run.lathe(["train", "--resume", cli])
        #expect(resumed.status == 0, "resume failed: \(resumed.stderr)")
        #expect(resumed.stdout.contains("resuming \(cli) at step \(stoppedAt)"))
        #expect(resumed.stdout.contains("finished: \(run.model)"))

        // The same config in-process, uninterrupted.
        var config = PretrainConfig(dataFiles: Corpus.licenseFiles, preset: .tiny, steps: Self.steps,
                                    runDirectory: reference, seed: 7)
        config.evalEvery = 25
        config.checkpointEvery = 50
        config.sampleEvery = 0
        let whole = try Pretraining.create(config)
        _ = try whole.train(control: { .run }, emit: { _ in })
        let curve = { (dir: String) in
            RunDirectory(path: dir).readMetrics().map { m in
                ["step", "loss", "lr", "grad_norm", "eval_loss"].map { "\(m[$0] ?? "-")" }.joined(separator: " ")
            }
        }
        #expect(curve(cli).count == Self.steps)
        #expect(curve(cli) == curve(reference), "the resumed loss curve differs from the uninterrupted one")

        // Learning: eval loss well below the unigram baseline.
        let baseline = whole.dataset.unigramCrossEntropy(vocab: whole.config.modelShape.vocab)
        let evals = run.readMetrics().compactMap { $0["eval_loss"] as? Double }
        let finalEval = try #require(evals.last)
        print("tiny pretrain: unigram baseline \(baseline), eval losses \(evals)")
        #expect(finalEval < baseline - 1.0, "eval loss \(finalEval) is not clearly below the unigram \(baseline)")

        // The exported model runs in the Engine and through `lathe run`.
        let lm = try LanguageModel(path: run.model, threads: 1)
        #expect(lm.config.architecture == "llama")
        #expect(lm.config.vocabularySize == whole.config.modelShape.vocab)
        let generated = try Run.lathe(["run", run.model, "This License", "-n", "24", "--temp", "0"])
        #expect(generated.status == 0, "lathe run failed: \(generated.stderr)")
        #expect(generated.stdout.count > "This License".count + 10, "no text generated: \(generated.stdout)")
        print("lathe run sample: \(generated.stdout)")
    }
}
