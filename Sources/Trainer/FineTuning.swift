// A fine-tuning run of an existing llama-family GGUF: LoRA adapters on chosen projections with the base
// weights frozen in their quantized GGUF form (QLoRA-style: memory stays near the file size), or full
// fine-tuning of every weight (small models). Data: chat/alpaca/ShareGPT/raw text (see Datasets/).
//
//     let run = try FineTuning.create(FineTuneConfig(model: "models/SmolLM2-135M-Instruct.Q4_1.gguf",
//                                                    dataFiles: ["facts.jsonl"], runDirectory: "runs/facts"))
//     _ = try run.train(control: { .run }, emit: { print($0) })   // → runs/facts/adapter.gguf (+ peft/)
//     let again = try FineTuning.resume(runDirectory: "runs/facts")
//
// The run directory: config.json (kind "lora" or "full"), metrics.jsonl, checkpoints/ (adapter or all weights
// with AdamW moments), and at the end adapter.gguf + peft/ (LoRA) or model.gguf (full).
import Bus
import Engine
import Foundation
import GGUF
import Tokenizers

public struct FineTuneConfig: Codable, Sendable, Equatable {
    public enum Method: String, Codable, Sendable, CaseIterable { case lora, full }

    public var kind = "finetune"
    public var method: Method = .lora
    /// The base model (GGUF path).
    public var model: String
    public var dataFiles: [String]
    public var format: DatasetFormat?
    public var rank = 8
    public var alpha: Double = 16
    public var dropout: Double = 0
    public var targets: [LoRATarget] = [.query, .value]
    public var learningRate: Double = 2e-4
    public var minLearningRate: Double?
    public var warmupSteps: Int?
    public var decay: LearningRateSchedule.Decay = .cosine
    public var weightDecay: Double = 0
    public var maxGradientNorm: Double = 1
    public var epochs: Double = 1
    /// Optimizer steps; when nil, derived from `epochs`.
    public var steps: Int?
    public var batch = 4
    public var accumulation = 1
    public var data = FineTuneDataSettings()
    public var evalEvery: Int?
    public var checkpointEvery: Int?
    public var sampleEvery: Int?
    /// The user message whose greedy reply is shown every `sampleEvery` steps.
    public var samplePrompt = "Hello! Who are you?"
    public var seed: UInt64 = 1
    public var runDirectory: String
    /// Steps of the run, recorded when it is created (for listings; `steps`/`epochs` decide it).
    public var totalSteps: Int?

    public init(model: String, dataFiles: [String], runDirectory: String) {
        self.model = model
        self.dataFiles = dataFiles
        self.runDirectory = runDirectory
    }

    public func validate() throws {
        if dataFiles.isEmpty { throw TrainerError.badConfig("data", "at least one dataset file") }
        if method == .lora {
            if rank < 1 || rank > 1024 { throw TrainerError.badConfig("rank", "between 1 and 1024") }
            if targets.isEmpty { throw TrainerError.badConfig("targets", "at least one of q,k,v,o,gate,up,down") }
        }
        if !(dropout >= 0 && dropout <= 0.9) { throw TrainerError.badConfig("dropout", "between 0 and 0.9") }
        if dropout > 0 && method == .full { throw TrainerError.badConfig("dropout", "0 for full fine-tuning (it applies to adapters)") }
        if !(learningRate > 0) { throw TrainerError.badConfig("lr", "positive") }
        if !(epochs > 0) && steps == nil { throw TrainerError.badConfig("epochs", "positive") }
        if let steps, steps < 1 { throw TrainerError.badConfig("steps", "at least 1") }
        if batch < 1 || accumulation < 1 { throw TrainerError.badConfig("batch/grad-accum", "at least 1") }
    }

    /// Steps for `trainItems` examples: epochs × items / (batch × accumulation), at least 1.
    public func totalSteps(trainItems: Int) -> Int {
        steps ?? max(1, Int((epochs * Double(trainItems) / Double(batch * accumulation)).rounded(.up)))
    }

    func loopSettings(totalSteps: Int) -> LoopSettings {
        let warmup = warmupSteps ?? max(1, min(100, totalSteps / 10))
        return LoopSettings(
            totalSteps: totalSteps, accumulation: accumulation,
            schedule: LearningRateSchedule(peak: learningRate, minimum: minLearningRate ?? learningRate / 10,
                                           warmupSteps: warmup, totalSteps: totalSteps, decay: decay),
            optimizer: AdamWSettings(beta1: 0.9, beta2: 0.999, weightDecay: weightDecay), maxGradientNorm: maxGradientNorm,
            evalEvery: evalEvery ?? max(1, totalSteps / 10), checkpointEvery: checkpointEvery ?? max(1, totalSteps / 4),
            sampleEvery: sampleEvery ?? 0)
    }
}

public final class FineTuning: @unchecked Sendable {  // driven by one thread
    public let config: FineTuneConfig
    public let directory: RunDirectory
    public let dataset: FineTuneDataset
    public let encoder: FineTuneEncoder
    public let model: LlamaModel<Float>
    /// What is trained: the adapters' A and B matrices (LoRA) or every weight (full).
    public let parameters: ParameterStore<Float>
    public let loop: TrainingLoop
    public let totalSteps: Int
    public let startStep: Int
    public private(set) var skippedCheckpoints: [(String, String)] = []
    private let file: GGUFFile
    private let modelConfig: ModelConfig
    /// The engine's view of the base model, for sample generations with the adapter as trained so far.
    private lazy var sampler: LanguageModel? = try? LanguageModel(path: config.model, threads: ThreadCount.default)

    private init(config: FineTuneConfig, startStep: Int = 0) throws {
        try config.validate()
        self.config = config
        directory = RunDirectory(path: config.runDirectory)
        file = try GGUFFile(path: config.model)
        modelConfig = try ModelConfig(file: file)
        encoder = try FineTuneEncoder(file: file)
        var data = config.data
        data.batchSize = config.batch
        data.seed = config.seed
        dataset = try FineTuneDataset(paths: config.dataFiles, format: config.format, encoder: encoder, settings: data)
        totalSteps = config.totalSteps(trainItems: dataset.trainItems.count)
        let maxTokens = config.data.cutoff
        let (model, store) = try LlamaModel<Float>.load(gguf: file, mode: config.method == .full ? .trainable : .frozenQuantized,
                                                        maxSequences: config.batch, maxTokens: maxTokens)
        self.model = model
        if config.method == .lora {
            parameters = ParameterStore(specs: Self.adapterSpecs(config, modelConfig))
            Self.initializeAdapters(parameters, seed: config.seed)
            Self.attach(parameters, to: model, config: config, maxRows: config.batch * maxTokens)
        } else {
            parameters = store
        }
        let settings = config.loopSettings(totalSteps: totalSteps)
        let optimizer = AdamW<Float>(count: parameters.count, settings: settings.optimizer)
        loop = TrainingLoop(model: model, parameters: parameters, optimizer: optimizer, settings: settings,
                            source: FineTuneBatches(dataset: dataset, accumulation: config.accumulation), run: directory)
        self.startStep = startStep
        if config.dropout > 0 { loop.dropoutSeed = config.seed ^ 0xD409 }
        loop.sampler = { [unowned self] _ in self.sample() }
    }

    /// Starts a new run: validates and encodes the data, writes the run directory and checkpoint 0.
    public static func create(_ config: FineTuneConfig) throws -> FineTuning {
        let dir = RunDirectory(path: config.runDirectory)
        if FileManager.default.fileExists(atPath: dir.config) {
            throw TrainerError.io(dir.path, "already holds a run (config.json); resume it with --resume or pick a new --out")
        }
        var config = config
        let run = try FineTuning(config: config)
        config.totalSteps = run.totalSteps
        try dir.create()
        try? FileManager.default.removeItem(atPath: dir.metrics)
        try run.loop.checkpoint(step: 0, elapsed: 0)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicWrite.write(try encoder.encode(config), to: dir.config)  // last: marks the run as complete
        return run
    }

    /// Whether `runDirectory` holds a fine-tuning run (rather than pretraining).
    public static func isFineTuneRun(_ runDirectory: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: RunDirectory(path: runDirectory).config),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return false }
        return object["kind"] as? String == "finetune"
    }

    /// Reopens a run at its newest valid checkpoint (the data files are read and encoded again).
    public static func resume(runDirectory: String) throws -> FineTuning {
        let dir = RunDirectory(path: runDirectory)
        guard let data = FileManager.default.contents(atPath: dir.config) else {
            throw TrainerError.io(dir.config, "missing; is \(runDirectory) a training run directory?")
        }
        var config: FineTuneConfig
        do { config = try JSONDecoder().decode(FineTuneConfig.self, from: data) } catch {
            throw TrainerError.badData(dir.config, "not a valid fine-tuning config (\(error))")
        }
        config.runDirectory = runDirectory
        let fresh = try FineTuning(config: config)
        var skipped: [(String, String)] = []
        let (state, _) = try Checkpoint.loadLatestValid(in: dir.checkpoints, store: fresh.parameters,
                                                        optimizer: fresh.loop.optimizer) { path, error in
            skipped.append((path, "\(error)"))
        }
        try dir.truncateMetrics(after: state.step)
        let run = try FineTuning(resuming: fresh, state: state)
        run.skippedCheckpoints = skipped
        return run
    }

    private init(resuming other: FineTuning, state: CheckpointState) throws {
        config = other.config
        directory = other.directory
        dataset = other.dataset
        encoder = other.encoder
        model = other.model
        parameters = other.parameters
        loop = other.loop
        totalSteps = other.totalSteps
        file = other.file
        modelConfig = other.modelConfig
        startStep = state.step
        loop.elapsedBefore = state.extra["elapsed"] ?? 0
        loop.sampler = { [unowned self] _ in self.sample() }
    }

    /// Trains to the last step; on finishing writes the adapter (adapter.gguf + peft/) or the model (model.gguf).
    /// A stopped run also writes its adapter so far, so it can be tried before resuming.
    public func train(control: () -> LoopControl, emit: (TrainEvent) -> Void) throws -> LoopOutcome {
        let outcome = try loop.run(from: startStep, control: control, emit: emit)
        switch (outcome, config.method) {
        case (.finished, .lora):
            try exportAdapter()
            emit(.finished(modelPath: directory.file("adapter.gguf")))
        case (.finished, .full):
            try exportModel(to: directory.model)
            emit(.finished(modelPath: directory.model))
        case (.stopped, .lora): try exportAdapter()
        case (.stopped, .full): break
        }
        return outcome
    }

    // MARK: Adapters

    static func adapterName(_ key: LoRAKey, _ half: String) -> String { "\(key).lora_\(half)" }

    static func adapterKeys(_ config: FineTuneConfig, _ model: ModelConfig) -> [LoRAKey] {
        (0..<model.layerCount).flatMap { layer in config.targets.sorted().map { LoRAKey(layer: layer, target: $0) } }
    }

    static func adapterSpecs(_ config: FineTuneConfig, _ model: ModelConfig) -> [ParameterSpec] {
        adapterKeys(config, model).flatMap { key -> [ParameterSpec] in
            let (rows, columns) = LoRAStack.shape(key.target, model)
            return [ParameterSpec(name: adapterName(key, "a"), shape: [config.rank, columns], decays: true),
                    ParameterSpec(name: adapterName(key, "b"), shape: [rows, config.rank], decays: true)]
        }
    }

    /// PEFT's default: A uniform in ±1/√inputs (Kaiming-uniform with a = √5), B zero, so training starts
    /// from exactly the base model.
    static func initializeAdapters(_ store: ParameterStore<Float>, seed: UInt64) {
        var random = SplitMix64(seed: seed ^ 0x10AA)
        for (i, spec) in store.specs.enumerated() {
            let t = store.tensor(at: i)
            if spec.name.hasSuffix("lora_b") {
                t.values.update(repeating: 0, count: t.count)
            } else {
                let bound = 1 / Double(spec.shape[1]).squareRoot()
                for j in 0..<t.count { t.values[j] = Float((random.unit() * 2 - 1) * bound) }
            }
        }
    }

    static func attach(_ store: ParameterStore<Float>, to model: LlamaModel<Float>, config: FineTuneConfig, maxRows: Int) {
        let scale = Float(config.alpha / Double(config.rank))
        for (layer, block) in model.blocks.enumerated() {
            for target in config.targets {
                let key = LoRAKey(layer: layer, target: target)
                let linear: Linear<Float> = switch target {
                case .query: block.query
                case .key: block.key
                case .value: block.value
                case .output: block.output
                case .gate: block.gate
                case .up: block.up
                case .down: block.down
                }
                linear.attach(LoRA(a: store[adapterName(key, "a")], b: store[adapterName(key, "b")], rank: config.rank,
                                   scale: scale, dropout: config.dropout), maxRows: maxRows)
            }
        }
    }

    /// The adapter as trained so far.
    public func currentAdapter() -> LoRAAdapter {
        var pairs: [LoRAKey: LoRAPair] = [:]
        for key in Self.adapterKeys(config, modelConfig) {
            let a = parameters[Self.adapterName(key, "a")], b = parameters[Self.adapterName(key, "b")]
            let (rows, columns) = LoRAStack.shape(key.target, modelConfig)
            pairs[key] = LoRAPair(rank: config.rank, inputs: columns, outputs: rows,
                                  a: Array(UnsafeBufferPointer(start: a.values, count: a.count)),
                                  b: Array(UnsafeBufferPointer(start: b.values, count: b.count)))
        }
        var adapter = LoRAAdapter(architecture: modelConfig.architecture, alpha: Float(config.alpha), pairs: pairs,
                                  baseModelName: file.string("general.name"))
        adapter.dropout = Float(config.dropout)
        return adapter
    }

    /// Writes RUN_DIR/adapter.gguf (llama.cpp format) and RUN_DIR/peft/ (Hugging Face PEFT).
    public func exportAdapter() throws {
        let adapter = currentAdapter()
        let name = "LoRA r\(config.rank) for \(file.string("general.name") ?? "model") (\((config.runDirectory as NSString).lastPathComponent))"
        try adapter.writeGGUF(to: directory.file("adapter.gguf"), name: name)
        try adapter.writePEFT(to: directory.file("peft"), headCount: modelConfig.headCount, kvHeadCount: modelConfig.kvHeadCount)
    }

    /// Full fine-tuning: the base GGUF with every trained tensor replaced (F32), metadata and tokenizer kept.
    public func exportModel(to path: String) throws {
        var writer = GGUFWriter()
        writer.metadata = file.metadata.filter { !GGUFSplit.keys.contains($0.key) }  // one file out, even from a split base
        writer.alignment = file.alignment
        for info in file.tensors {
            if let index = parameters.specs.firstIndex(where: { $0.name == info.name }) {
                let t = parameters.tensor(at: index)
                nonisolated(unsafe) let view = UnsafeRawBufferPointer(start: t.values, count: t.count * 4)
                writer.addTensor(name: info.name, dims: info.dims, type: .f32) { view }
            } else {
                writer.addTensor(name: info.name, dims: info.dims, type: info.type) { self.file.data(for: info) }
            }
        }
        try writer.write(to: path)
    }

    /// The greedy reply to `config.samplePrompt` with the adapter as trained so far (LoRA runs; full runs
    /// sample from the training model itself).
    public func sample(maxTokens: Int = 40) -> String {
        guard config.method == .lora, let engine = sampler else { return "" }
        do {
            try engine.setAdapters([ScaledLoRA(adapter: currentAdapter())])
            let generator = TextGenerator(model: engine, contextLength: 512)
            var parameters = GenerationParameters()
            parameters.sampling = .greedy
            parameters.maxTokens = maxTokens
            let prompt = engine.tokenizeChatPrompt(try engine.renderChat([.user(config.samplePrompt)]))
            var text = ""
            _ = try generator.generate(prompt: prompt, parameters: parameters) { piece, _ in
                text += piece
                return true
            }
            return text
        } catch {
            return "(sample failed: \(error))"
        }
    }
}

/// Batches for the loop: micro-batch m of step s holds the `batch` items starting at global index
/// (s · accumulation + m) · batch.
final class FineTuneBatches: BatchSource {
    let dataset: FineTuneDataset
    let accumulation: Int
    private lazy var eval = dataset.evalBatches().map(Self.convert)

    init(dataset: FineTuneDataset, accumulation: Int) {
        self.dataset = dataset
        self.accumulation = accumulation
    }

    static func convert(_ b: FineTuneBatch) -> TrainingBatch {
        TrainingBatch(tokens: b.tokens, targets: b.targets, sequences: b.sequences, length: b.length)
    }

    func trainBatch(step: Int, micro: Int) -> TrainingBatch {
        let size = dataset.settings.batchSize
        return Self.convert(dataset.trainBatch(first: (step * accumulation + micro) * size, count: size))
    }

    func evalBatches() -> [TrainingBatch] { eval }

    func epoch(afterSteps steps: Int) -> Double {
        dataset.epoch(afterSequences: steps * accumulation * dataset.settings.batchSize)
    }
}

/// Anything the TrainerService can drive: pretraining and fine-tuning runs.
public protocol TrainingRun: AnyObject {
    func train(control: () -> LoopControl, emit: (TrainEvent) -> Void) throws -> LoopOutcome
}

extension Pretraining: TrainingRun {}
extension FineTuning: TrainingRun {}

extension FineTuneConfig {
    /// The config for a request from the bus (the TUI's form).
    public init(request r: FineTuneRequest, runDirectory: String) throws {
        self.init(model: r.model, dataFiles: r.dataFiles, runDirectory: runDirectory)
        guard let method = Method(rawValue: r.method) else { throw TrainerError.badConfig("method", "lora or full") }
        self.method = method
        rank = r.rank
        alpha = r.alpha
        dropout = r.dropout
        targets = try LoRATarget.parseList(r.targets)
        learningRate = r.learningRate
        epochs = r.epochs
        steps = r.steps
        batch = r.batch
        data.cutoff = r.cutoff
        data.evalSplit = r.evalSplit
        evalEvery = r.evalEvery
        checkpointEvery = r.checkpointEvery
        sampleEvery = r.sampleEvery
        samplePrompt = r.samplePrompt
        seed = r.seed
    }
}
