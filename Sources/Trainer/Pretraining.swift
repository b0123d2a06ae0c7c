// A from-scratch pretraining run: text files → BPE tokenizer trained on them → packed token windows →
// a llama model of a preset size → TrainingLoop → RUN_DIR/model.gguf.
//
//     let run = try Pretraining.create(PretrainConfig(dataFiles: ["a.txt"], preset: .tiny, steps: 200,
//                                                     runDirectory: "runs/tiny"))
//     let outcome = try run.train(control: { .run }, emit: { print($0) })   // .finished → runs/tiny/model.gguf
//     let again = try Pretraining.resume(runDirectory: "runs/tiny")         // continues bit for bit
//
// The run directory holds everything a resume needs, independent of the original files: config.json,
// tokenizer.json (the trained BPE), tokens.bin (the tokenized corpus), checkpoints/ and metrics.jsonl.
import Bus
import Foundation

public struct PretrainConfig: Codable, Sendable, Equatable {
    public var dataFiles: [String]
    public var preset: ModelPreset
    public var shape: ModelShape?
    public var vocabularySize: Int
    public var sequences: Int
    public var steps: Int
    public var accumulation: Int
    public var learningRate: Double
    public var minLearningRate: Double
    public var warmupSteps: Int
    public var decay: LearningRateSchedule.Decay
    public var weightDecay: Double
    public var maxGradientNorm: Double
    public var evalEvery: Int
    public var evalBatches: Int
    public var checkpointEvery: Int
    public var sampleEvery: Int
    public var seed: UInt64
    public var runDirectory: String

    public init(dataFiles: [String], preset: ModelPreset, steps: Int, runDirectory: String, seed: UInt64 = 1) {
        self.dataFiles = dataFiles
        self.preset = preset
        shape = nil
        vocabularySize = preset.defaultVocabulary
        sequences = preset.defaultBatch
        self.steps = steps
        accumulation = 1
        learningRate = preset == .tiny ? 3e-3 : 2e-3
        minLearningRate = learningRate / 10
        warmupSteps = min(100, max(1, steps / 10))
        decay = .cosine
        weightDecay = 0.1
        maxGradientNorm = 1
        evalEvery = max(1, min(100, steps / 10))
        evalBatches = 4
        checkpointEvery = max(1, min(200, steps / 4))
        sampleEvery = evalEvery
        self.seed = seed
        self.runDirectory = runDirectory
    }

    public var modelShape: ModelShape { shape ?? preset.shape(vocab: vocabularySize) }

    public var loopSettings: LoopSettings {
        LoopSettings(totalSteps: steps, accumulation: accumulation,
                     schedule: LearningRateSchedule(peak: learningRate, minimum: minLearningRate,
                                                    warmupSteps: warmupSteps, totalSteps: steps, decay: decay),
                     optimizer: AdamWSettings(weightDecay: weightDecay), maxGradientNorm: maxGradientNorm,
                     evalEvery: evalEvery, checkpointEvery: checkpointEvery, sampleEvery: sampleEvery)
    }

    public func validate() throws {
        if dataFiles.isEmpty { throw TrainerError.badConfig("data", "at least one text file") }
        if steps < 1 { throw TrainerError.badConfig("steps", "at least 1") }
        if sequences < 1 || accumulation < 1 { throw TrainerError.badConfig("batch/accumulation", "at least 1") }
        if vocabularySize < 256 + BPEVocabulary.specialTokens.count {
            throw TrainerError.badConfig("vocab", "at least \(256 + BPEVocabulary.specialTokens.count)")
        }
        if !(learningRate > 0) { throw TrainerError.badConfig("lr", "positive") }
        try modelShape.validate()
    }
}

public final class Pretraining: @unchecked Sendable {  // driven by one thread
    public let config: PretrainConfig
    public let directory: RunDirectory
    public let vocabulary: BPEVocabulary
    public let dataset: TokenDataset
    public let parameters: ParameterStore<Float>
    public let model: LlamaModel<Float>
    public let loop: TrainingLoop
    /// Steps completed when this object was made (0 for a new run).
    public let startStep: Int
    /// Checkpoints that failed verification while resuming (path, reason).
    public private(set) var skippedCheckpoints: [(String, String)] = []

    private init(config: PretrainConfig, vocabulary: BPEVocabulary, stream: [Int32]) throws {
        self.config = config
        directory = RunDirectory(path: config.runDirectory)
        self.vocabulary = vocabulary
        let shape = config.modelShape
        dataset = try TokenDataset(stream: stream, length: shape.context, seed: config.seed)
        parameters = ParameterStore(specs: LlamaModel<Float>.parameterSpecs(shape))
        LlamaModel<Float>.initialize(parameters, shape: shape, seed: config.seed)
        model = LlamaModel(shape: shape, parameters: parameters, maxSequences: config.sequences,
                           maxTokens: shape.context)
        let optimizer = AdamW<Float>(count: parameters.count, settings: config.loopSettings.optimizer)
        let source = PretrainBatches(dataset: dataset, sequences: config.sequences, accumulation: config.accumulation,
                                     evalBatches: config.evalBatches)
        loop = TrainingLoop(model: model, parameters: parameters, optimizer: optimizer, settings: config.loopSettings,
                            source: source, run: directory)
        startStep = 0
        loop.sampler = { [unowned self] step in self.sample(seed: config.seed ^ UInt64(step)) }
    }

    private init(resuming other: Pretraining, state: CheckpointState) {
        config = other.config
        directory = other.directory
        vocabulary = other.vocabulary
        dataset = other.dataset
        parameters = other.parameters
        model = other.model
        loop = other.loop
        startStep = state.step
        loop.elapsedBefore = state.extra["elapsed"] ?? 0
        skippedCheckpoints = other.skippedCheckpoints
        loop.sampler = { [unowned self] step in self.sample(seed: config.seed ^ UInt64(step)) }
    }

    /// Starts a new run: trains the tokenizer, tokenizes the data, writes the run directory and checkpoint 0.
    public static func create(_ config: PretrainConfig) throws -> Pretraining {
        try config.validate()
        let dir = RunDirectory(path: config.runDirectory)
        if FileManager.default.fileExists(atPath: dir.config) {
            throw TrainerError.io(dir.path, "already holds a run (config.json); resume it with --resume or pick a new --out")
        }
        let texts = try TextCorpus.read(files: config.dataFiles)
        let vocabulary = BPETrainer.train(texts: texts, vocabularySize: config.vocabularySize)
        var config = config
        config.vocabularySize = vocabulary.tokens.count  // a small corpus may run out of merges
        let tokenizer = try vocabulary.makeTokenizer()
        var stream: [Int32] = []
        for text in texts {
            stream += tokenizer.encode(text, addSpecial: false, parseSpecial: false)
            stream.append(vocabulary.endOfText)
        }
        try dir.create()
        let run = try Pretraining(config: config, vocabulary: vocabulary, stream: stream)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicWrite.write(try encoder.encode(vocabulary), to: dir.file("tokenizer.json"))
        try AtomicWrite.write(stream.withUnsafeBytes { Data($0) }, to: dir.file("tokens.bin"))
        try? FileManager.default.removeItem(atPath: dir.metrics)
        try run.loop.checkpoint(step: 0, elapsed: 0)
        try AtomicWrite.write(try encoder.encode(config), to: dir.config)  // last: marks the run as complete
        return run
    }

    /// Reopens a run directory at its newest valid checkpoint. Resuming drops metrics lines after the
    /// checkpoint (they are trained again); `truncatingMetrics: false` leaves them (export only).
    public static func resume(runDirectory: String, truncatingMetrics: Bool = true) throws -> Pretraining {
        let dir = RunDirectory(path: runDirectory)
        func read(_ name: String) throws -> Data {
            guard let data = FileManager.default.contents(atPath: dir.file(name)) else {
                throw TrainerError.io(dir.file(name), "missing; is \(runDirectory) a training run directory?")
            }
            return data
        }
        var config: PretrainConfig
        do { config = try JSONDecoder().decode(PretrainConfig.self, from: try read("config.json")) } catch let e as TrainerError {
            throw e
        } catch {
            throw TrainerError.badData(dir.config, "not a valid run config (\(error))")
        }
        config.runDirectory = runDirectory
        let vocabulary: BPEVocabulary
        do { vocabulary = try JSONDecoder().decode(BPEVocabulary.self, from: try read("tokenizer.json")) } catch let e as TrainerError {
            throw e
        } catch {
            throw TrainerError.badData(dir.file("tokenizer.json"), "not a valid tokenizer (\(error))")
        }
        let bytes = try read("tokens.bin")
        guard bytes.count % 4 == 0 else { throw TrainerError.badData(dir.file("tokens.bin"), "size is not a multiple of 4") }
        let stream = bytes.withUnsafeBytes { Array($0.bindMemory(to: Int32.self)) }
        let fresh = try Pretraining(config: config, vocabulary: vocabulary, stream: stream)
        var skipped: [(String, String)] = []
        let (state, _) = try Checkpoint.loadLatestValid(in: dir.checkpoints, store: fresh.parameters,
                                                        optimizer: fresh.loop.optimizer) { path, error in
            skipped.append((path, "\(error)"))
        }
        fresh.skippedCheckpoints = skipped
        if truncatingMetrics { try dir.truncateMetrics(after: state.step) }
        return Pretraining(resuming: fresh, state: state)
    }

    /// Trains to the configured step count; on finishing, writes RUN_DIR/model.gguf.
    public func train(control: () -> LoopControl, emit: (TrainEvent) -> Void) throws -> LoopOutcome {
        let outcome = try loop.run(from: startStep, control: control, emit: emit)
        if case .finished = outcome {
            try export(to: directory.model)
            emit(.finished(modelPath: directory.model))
        }
        return outcome
    }

    public func export(to path: String) throws {
        let name = "lathe-\(config.preset.rawValue)-" + ((config.runDirectory as NSString).lastPathComponent)
        try GGUFExport.write(shape: config.modelShape, parameters: parameters, vocabulary: vocabulary, name: name,
                             to: path)
    }

    /// A short continuation of a fixed prompt by the model as trained so far (temperature 0.8, top-k 40).
    public func sample(prompt: String = "The ", tokens count: Int = 40, seed: UInt64) -> String {
        guard let tokenizer = try? vocabulary.makeTokenizer() else { return "" }
        let shape = config.modelShape
        let length = min(shape.context, 96)
        let sampler = LlamaModel<Float>(shape: shape, parameters: parameters, maxSequences: 1, maxTokens: length)
        var ids = tokenizer.encode(prompt, addSpecial: false, parseSpecial: false)
        let promptCount = ids.count
        var rng = SplitMix64(seed: seed)
        for _ in 0..<count {
            let window = Array(ids.suffix(length))
            _ = window.withUnsafeBufferPointer {
                sampler.forward(tokens: $0.baseAddress!, targets: nil, sequences: 1, length: window.count)
            }
            let row = sampler.logits + (window.count - 1) * shape.vocab
            let next = Sampling.topK(row, count: shape.vocab, k: 40, temperature: 0.8, rng: &rng)
            if next == vocabulary.endOfText { break }
            ids.append(next)
        }
        return prompt + tokenizer.decode(Array(ids[promptCount...]))
    }
}

/// Pretraining batches: step s, micro-batch m reads `sequences` windows starting at global sequence index
/// (s · accumulation + m) · sequences.
final class PretrainBatches: BatchSource {
    let dataset: TokenDataset
    let sequences: Int
    let accumulation: Int
    let evalCount: Int
    private lazy var eval = dataset.evalBatches(sequences: sequences, maxBatches: evalCount)

    init(dataset: TokenDataset, sequences: Int, accumulation: Int, evalBatches: Int) {
        self.dataset = dataset
        self.sequences = sequences
        self.accumulation = accumulation
        evalCount = evalBatches
    }

    func trainBatch(step: Int, micro: Int) -> TrainingBatch {
        dataset.trainBatch(first: (step * accumulation + micro) * sequences, count: sequences)
    }

    func evalBatches() -> [TrainingBatch] { eval }

    func epoch(afterSteps steps: Int) -> Double { dataset.epoch(afterSequences: steps * accumulation * sequences) }
}

enum Sampling {
    /// Samples from the top `k` logits at `temperature`.
    static func topK(_ logits: UnsafePointer<Float>, count: Int, k: Int, temperature: Float,
                     rng: inout SplitMix64) -> Int32 {
        let top = (0..<count).sorted { logits[$0] > logits[$1] }.prefix(k)
        let maxLogit = logits[top.first!]
        let weights = top.map { Double(expf((logits[$0] - maxLogit) / temperature)) }
        var r = rng.unit() * weights.reduce(0, +)
        for (i, w) in zip(top, weights) {
            r -= w
            if r <= 0 { return Int32(i) }
        }
        return Int32(top.last!)
    }
}
