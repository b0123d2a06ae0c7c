// `lathe bench lora`: LoRA/QLoRA training throughput on a real GGUF model: whole optimizer steps (forward,
// backward into the adapters, AdamW) on random tokens at a given sequence length, with the base weights
// frozen in their quantized form. Reports tokens/s and the process's peak resident memory (VmHWM).
import Engine
import Foundation
import GGUF

public enum LoRABench {
    public struct Result: Sendable {
        public var sequenceLength: Int
        public var sequences: Int
        public var rank: Int
        public var dropout: Double
        public var targets: String
        public var trainableParameters: Int
        public var secondsPerStep: Double
        public var tokensPerSecond: Double
        public var peakResidentBytes: Int
        public var modelFileBytes: Int
    }

    public static func run(model path: String, sequenceLength: Int, sequences: Int, steps: Int, rank: Int,
                           targets: [LoRATarget], dropout: Double = 0, seed: UInt64 = 1) throws -> Result {
        var config = FineTuneConfig(model: path, dataFiles: ["-"], runDirectory: "-")
        config.rank = rank
        config.alpha = Double(2 * rank)
        config.targets = targets
        config.dropout = dropout
        try config.validate()
        let file = try GGUFFile(path: path)
        let modelConfig = try ModelConfig(file: file)
        let (model, _) = try LlamaModel<Float>.load(gguf: file, mode: .frozenQuantized, maxSequences: sequences,
                                                    maxTokens: sequenceLength)
        let store = ParameterStore<Float>(specs: FineTuning.adapterSpecs(config, modelConfig))
        FineTuning.initializeAdapters(store, seed: seed)
        FineTuning.attach(store, to: model, config: config, maxRows: sequences * sequenceLength)
        let optimizer = AdamW<Float>(count: store.count, settings: AdamWSettings(weightDecay: 0))
        var random = SplitMix64(seed: seed)
        let count = sequences * sequenceLength
        let tokens = (0..<count).map { _ in Int32(random.next() % UInt64(modelConfig.vocabularySize)) }
        let targets = Array(tokens.dropFirst()) + [tokens[0]]
        func step(_ index: Int) {
            // Fresh masks each step, drawn as the training loop draws them (one seed per step and micro-batch).
            if dropout > 0 { model.setLoRADropout(seed: LoRADropout.mix(seed ^ 0xD409, index, 0)) }
            store.zeroGrads()
            let (_, n) = tokens.withUnsafeBufferPointer { x in
                targets.withUnsafeBufferPointer { y in
                    model.forward(tokens: x.baseAddress!, targets: y.baseAddress!, sequences: sequences, length: sequenceLength)
                }
            }
            model.backward(lossScale: 1 / Float(n))
            _ = GradientClipping.clip(store, maxNorm: 1)
            optimizer.step(store, learningRate: 1e-4)
        }
        step(0)  // warm-up: first-touch of buffers
        let clock = ContinuousClock()
        let start = clock.now
        for i in 0..<steps { step(i + 1) }
        let perStep = seconds(clock.now - start) / Double(steps)
        return Result(sequenceLength: sequenceLength, sequences: sequences, rank: rank, dropout: dropout,
                      targets: targets.isEmpty ? "" : config.targets.map(\.rawValue).joined(separator: ","),
                      trainableParameters: store.count, secondsPerStep: perStep,
                      tokensPerSecond: Double(count) / perStep, peakResidentBytes: peakResidentBytes(),
                      modelFileBytes: file.fileSize)
    }

    /// VmHWM from /proc/self/status (Linux), in bytes; 0 where unavailable.
    public static func peakResidentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
        let kilobytes = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
        return kilobytes * 1024
    }
}
