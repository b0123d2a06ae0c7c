// `lathe train pretrain --data FILE... --preset tiny|small --steps N --out RUN_DIR`: trains a BPE tokenizer on
// the text, then a llama model from scratch; RUN_DIR/model.gguf is the result (`lathe run RUN_DIR/model.gguf`).
import ArgumentParser
import Foundation
import Trainer

struct TrainPretrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretrain", abstract: "Train a small llama model from scratch on text files.")

    @Option(name: .customLong("data"), parsing: .upToNextOption, help: "UTF-8 text files to train on.")
    var dataFiles: [String] = []
    @Option(help: "Model size: tiny (~0.9M parameters, context 128) or small (~5M, context 256).") var preset: ModelPreset = .tiny
    @Option(help: "Optimizer steps.") var steps: Int
    @Option(name: .customLong("out"), help: "Run directory to create (config, metrics.jsonl, checkpoints, model.gguf).")
    var runDirectory: String
    @Option(help: "Seed for initialisation and data order.") var seed: UInt64 = 1
    @Option(help: "Sequences per micro-batch (default: the preset's).") var batch: Int?
    @Option(help: "Micro-batches per optimizer step (gradient accumulation).") var accumulation = 1
    @Option(help: "Sequence length (default: the preset's context).") var context: Int?
    @Option(help: "BPE vocabulary size (default: the preset's).") var vocab: Int?
    @Option(help: "Peak learning rate.") var lr: Double?
    @Option(help: "Warmup steps (default: 10% of steps, at most 100).") var warmup: Int?
    @Option(help: "Decay after warmup: cosine, linear or constant.") var decay: String = "cosine"
    @Option(help: "Evaluate every N steps.") var evalEvery: Int?
    @Option(help: "Checkpoint every N steps.") var checkpointEvery: Int?
    @Option(help: "Generate a sample every N steps (0 = never).") var sampleEvery: Int?

    func validate() throws {
        if dataFiles.isEmpty { throw ValidationError("Give at least one text file with --data.") }
        if steps < 1 { throw ValidationError("--steps must be at least 1.") }
        if LearningRateSchedule.Decay(rawValue: decay) == nil {
            throw ValidationError("--decay must be cosine, linear or constant (got '\(decay)').")
        }
    }

    func run() throws {
        try CLIErrors.guarded {
            var config = PretrainConfig(dataFiles: dataFiles, preset: preset, steps: steps, runDirectory: runDirectory,
                                        seed: seed)
            if let batch { config.sequences = batch }
            config.accumulation = accumulation
            if let vocab { config.vocabularySize = vocab }
            if let context {
                var shape = config.modelShape
                shape.context = context
                config.shape = shape
            }
            if let lr {
                config.learningRate = lr
                config.minLearningRate = lr / 10
            }
            if let warmup { config.warmupSteps = warmup }
            config.decay = LearningRateSchedule.Decay(rawValue: decay)!
            if let evalEvery { config.evalEvery = evalEvery }
            if let checkpointEvery { config.checkpointEvery = checkpointEvery }
            if let sampleEvery { config.sampleEvery = sampleEvery }
            let signals = TrainingSignals.install()
            let run = try Pretraining.create(config)
            let shape = run.config.modelShape
            TrainProgress.say("model: \(shape.parameterCount) parameters (\(shape.layers) layers, d=\(shape.dim), vocab \(shape.vocab)); "
                  + "data: \(run.dataset.train.count) train / \(run.dataset.eval.count) eval tokens; "
                  + String(format: "unigram baseline %.4f", run.dataset.unigramCrossEntropy(vocab: shape.vocab)))
            try TrainProgress.drive(run, signals: signals)
        }
    }
}
