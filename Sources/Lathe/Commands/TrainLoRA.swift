// `lathe train lora --model M --data D --out RUN_DIR [...]`: LoRA fine-tuning of a GGUF model with its base
// weights frozen in their quantized form (QLoRA-style), or `--full` fine-tuning of every weight. Writes
// RUN_DIR/metrics.jsonl, checkpoints, and RUN_DIR/adapter.gguf + RUN_DIR/peft/ (or model.gguf with --full).
import ArgumentParser
import Engine
import Foundation
import Trainer

struct TrainLoRA: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lora", abstract: "Fine-tune a GGUF model with LoRA adapters (QLoRA-style) or fully.")

    @Option(help: "The base model: a path, or a name (or unique part of one) in the models directory.") var model: String
    @OptionGroup var location: ModelsDirectoryOption
    @Option(name: .customLong("data"), parsing: .upToNextOption,
            help: "Datasets: alpaca / chat (messages) / ShareGPT (conversations) JSON or JSONL, or raw text.")
    var dataFiles: [String] = []
    @Option(help: "Force the dataset format: alpaca, chat, sharegpt or text (default: detected per row).")
    var format: String?
    @Option(name: .customLong("out"), help: "Run directory to create.") var runDirectory: String
    @Option(help: "LoRA rank.") var rank = 8
    @Option(help: "LoRA alpha (the update is scaled by alpha / rank).") var alpha: Double = 16
    @Option(help: "Dropout on the adapters' input while training, 0 to 0.9 (masks follow --seed, so resuming is exact).")
    var dropout: Double = 0
    @Option(help: "Projections to adapt: q,k,v,o,gate,up,down or all.") var targets = "q,v"
    @Flag(help: "Train every weight instead of adapters (small models only: needs memory for weights, gradients and AdamW).")
    var full = false
    @Option(help: "Peak learning rate.") var lr: Double = 2e-4
    @Option(help: "Epochs over the training split.") var epochs: Double = 1
    @Option(help: "Optimizer steps (overrides --epochs).") var steps: Int?
    @Option(help: "Sequences per micro-batch.") var batch = 4
    @Option(name: .customLong("grad-accum"), help: "Micro-batches per optimizer step.") var gradAccum = 1
    @Option(help: "Most tokens per training sequence (longer examples are truncated).") var cutoff = 256
    @Option(name: .customLong("eval-split"), help: "Fraction of examples held out for evaluation.") var evalSplit: Double = 0.1
    @Flag(help: "Pack several examples into each sequence instead of padding.") var packing = false
    @Option(help: "Warmup steps (default: 10% of steps).") var warmup: Int?
    @Option(help: "Decay after warmup: cosine, linear or constant.") var decay: String = "cosine"
    @Option(name: .customLong("weight-decay"), help: "AdamW weight decay.") var weightDecay: Double = 0
    @Option(help: "Evaluate every N steps.") var evalEvery: Int?
    @Option(help: "Checkpoint every N steps.") var checkpointEvery: Int?
    @Option(help: "Generate a sample reply every N steps (0 = never).") var sampleEvery: Int = 0
    @Option(name: .customLong("sample-prompt"), help: "The user message for sample replies.") var samplePrompt = "Hello! Who are you?"
    @Option(help: "Seed for adapter initialisation, split and data order.") var seed: UInt64 = 1

    func validate() throws {
        if dataFiles.isEmpty { throw ValidationError("Give at least one dataset with --data.") }
        if let format, DatasetFormat(rawValue: format) == nil {
            throw ValidationError("--format must be alpaca, chat, sharegpt or text (got '\(format)').")
        }
        if LearningRateSchedule.Decay(rawValue: decay) == nil {
            throw ValidationError("--decay must be cosine, linear or constant (got '\(decay)').")
        }
    }

    func makeConfig() throws -> FineTuneConfig {
        var config = FineTuneConfig(model: try location.directory.resolve(model), dataFiles: dataFiles,
                                    runDirectory: runDirectory)
        config.method = full ? .full : .lora
        config.format = format.flatMap(DatasetFormat.init(rawValue:))
        config.rank = rank
        config.alpha = alpha
        config.dropout = dropout
        config.targets = try LoRATarget.parseList(targets)
        config.learningRate = lr
        config.epochs = epochs
        config.steps = steps
        config.batch = batch
        config.accumulation = gradAccum
        config.data.cutoff = cutoff
        config.data.evalSplit = evalSplit
        config.data.packing = packing
        config.warmupSteps = warmup
        config.decay = LearningRateSchedule.Decay(rawValue: decay)!
        config.weightDecay = weightDecay
        config.evalEvery = evalEvery
        config.checkpointEvery = checkpointEvery
        config.sampleEvery = sampleEvery
        config.samplePrompt = samplePrompt
        config.seed = seed
        return config
    }

    func run() throws {
        try CLIErrors.guarded {
            let signals = TrainingSignals.install()
            let run = try FineTuning.create(try makeConfig())
            let data = run.dataset
            TrainProgress.say("\(run.config.method == .lora ? "LoRA r\(rank) on \(run.config.targets.map(\.rawValue).joined(separator: ","))" : "full fine-tuning"): "
                  + "\(run.parameters.count) trainable parameters; data: \(data.trainItems.count) train / \(data.evalItems.count) eval sequences, "
                  + "\(data.trainedTokenCount) trained tokens"
                  + (data.droppedExamples > 0 ? " (\(data.droppedExamples) examples dropped: nothing left to train after --cutoff)" : "")
                  + "; \(run.totalSteps) steps")
            try Self.drive(run, signals: signals)
        }
    }

    /// Runs to the end or to a signal, one progress line per event (as `lathe train pretrain` prints them).
    static func drive(_ run: FineTuning, signals: TrainingSignals) throws {
        let outcome = try run.train(control: { signals.stopRequested ? .stop : .run }) { event in
            if let line = TrainProgress.line(for: event) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
        }
        if case .stopped = outcome {
            FileHandle.standardOutput.write(Data("adapter so far: \(run.directory.file("adapter.gguf"))\n".utf8))
            throw ExitCode(signals.exitCode)
        }
    }
}
