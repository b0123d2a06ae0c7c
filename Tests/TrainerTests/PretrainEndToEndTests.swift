// The whole craft, CI-sized, on the Debian license texts (/usr/share/common-licenses):
//   - through the `lathe` binary: SIGTERM a run mid-way, `lathe train --resume` it, and the loss curve equals
//     an uninterrupted in-process run of the same config bit for bit (a reduced config keeps this cheap);
//   - the tiny preset reaches an eval loss clearly below the unigram baseline of the same split, and its
//     RUN_DIR/model.gguf loads in the Engine and generates through `lathe run`.
import Engine
import Foundation
import LatheTestSupport
import Testing
import Trainer

@Suite struct PretrainEndToEndTests {
    static func curve(_ dir: String) -> [String] {
        RunDirectory(path: dir).readMetrics().map { m in
            ["step", "loss", "lr", "grad_norm", "eval_loss"].map { "\(m[$0] ?? "-")" }.joined(separator: " ")
        }
    }

    @Test func sigtermThenResumeMatchesUninterrupted() throws {
        let steps = 60
        let cli = Corpus.temporaryDirectory("cli"), reference = Corpus.temporaryDirectory("ref")
        defer { [cli, reference].forEach { try? FileManager.default.removeItem(atPath: $0) } }
        let arguments = ["train", "pretrain", "--data"] + Corpus.licenseFiles
            + ["--preset", "tiny", "--steps", "\(steps)", "--out", cli, "--seed", "7", "--context", "32", "--batch", "4",
               "--vocab", "512", "--eval-every", "10", "--checkpoint-every", "25", "--sample-every", "0"]

        // SIGTERM once 12 steps are logged (between the checkpoints at 0 and 25).
        let child = try SpawnedProcess(TestPaths.latheBinary, arguments, currentDirectory: TestPaths.packageRoot)
        let run = RunDirectory(path: cli)
        let deadline = Date().addingTimeInterval(120)
        while run.readMetrics().count < 12 && Date() < deadline { usleep(10_000) }
        child.signal(SIGTERM)
        let stopped = child.wait()
        #expect(stopped.status == 143, "exit \(stopped.status): \(stopped.stderr)")
        let stoppedAt = run.readMetrics().count
        #expect(stoppedAt >= 12 && stoppedAt < steps, "stopped at \(stoppedAt)")
        #expect(stopped.stdout.contains("stopped at step \(stoppedAt)"), "\(stopped.stdout)")
        #expect(FileManager.default.fileExists(atPath: run.checkpoints + "/" + Checkpoint.fileName(step: stoppedAt)))

        // A stopped run can be tried as it is: export its newest checkpoint.
        let early = cli + "-early.gguf"
        defer { try? FileManager.default.removeItem(atPath: early) }
        let exported = try Run.lathe(["train", "export", cli, "--out", early])
        #expect(exported.status == 0, "export failed: \(exported.stderr)")
        #expect(exported.stdout.contains("exported step \(stoppedAt) of \(steps)"))
        #expect(try LanguageModel(path: early, threads: 1).config.layerCount == 4)

        let resumed = try Run.lathe(["train", "--resume", cli])
        #expect(resumed.status == 0, "resume failed: \(resumed.stderr)")
        #expect(resumed.stdout.contains("resuming \(cli) at step \(stoppedAt)"))
        #expect(resumed.stdout.contains("finished: \(run.model)"))

        var config = PretrainConfig(dataFiles: Corpus.licenseFiles, preset: .tiny, steps: steps,
                                    runDirectory: reference, seed: 7)
        config.shape = ModelPreset.tiny.shape(vocab: 512)
        config.shape?.context = 32
        config.sequences = 4
        config.vocabularySize = 512
        config.evalEvery = 10
        config.checkpointEvery = 25
        config.sampleEvery = 0
        let whole = try Pretraining.create(config)
        _ = try whole.train(control: { .run }, emit: { _ in })
        #expect(Self.curve(cli).count == steps)
        #expect(Self.curve(cli) == Self.curve(reference), "the resumed loss curve differs from the uninterrupted one")
    }

    @Test func tinyPresetBeatsUnigramAndExportsARunnableModel() throws {
        let dir = Corpus.temporaryDirectory("tiny")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var config = PretrainConfig(dataFiles: Corpus.licenseFiles, preset: .tiny, steps: 200, runDirectory: dir, seed: 7)
        config.evalEvery = 50
        config.sampleEvery = 0
        let run = try Pretraining.create(config)
        var samples: [String] = []
        _ = try run.train(control: { .run }, emit: { if case .sample(_, let text) = $0 { samples.append(text) } })

        let baseline = run.dataset.unigramCrossEntropy(vocab: run.config.modelShape.vocab)
        let evals = run.directory.readMetrics().compactMap { $0["eval_loss"] as? Double }
        let finalEval = try #require(evals.last)
        print("tiny pretrain: unigram baseline \(baseline), eval losses \(evals)")
        // Clearly below: less than half the unigram model's perplexity.
        #expect(finalEval < baseline - 0.75, "eval loss \(finalEval) is not clearly below the unigram \(baseline)")

        let lm = try LanguageModel(path: run.directory.model, threads: 1)
        #expect(lm.config.architecture == "llama")
        #expect(lm.config.vocabularySize == run.config.modelShape.vocab)
        let generated = try Run.lathe(["run", run.directory.model, "This License", "-n", "24", "--temp", "0"])
        #expect(generated.status == 0, "lathe run failed: \(generated.stderr)")
        let text = generated.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(text.count > 20, "too little text generated: \(generated.stdout)")
        print("lathe run \"This License\": \(text)")
    }
}
