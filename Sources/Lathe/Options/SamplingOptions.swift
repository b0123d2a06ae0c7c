// Sampling flags shared by `run`, `chat` and `serve`, turned into library values.
import ArgumentParser
import Engine
import Workbench

struct SamplingOptions: ParsableArguments {
    @Option(name: [.customShort("n"), .long], help: "Tokens to generate at most.") var maxTokens = 128
    @Option(name: .customLong("temp"), help: "Temperature; 0 = greedy (ties go to the lowest id).") var temperature: Float = 0.8
    @Option(name: .customLong("top-k"), help: "Top-k (0 = off).") var topK = 40
    @Option(name: .customLong("top-p"), help: "Top-p (1 = off).") var topP: Float = 0.95
    @Option(name: .customLong("min-p"), help: "Min-p (0 = off).") var minP: Float = 0.05
    @Option(name: .customLong("typical-p"), help: "Typical-p (1 = off).") var typicalP: Float = 1
    @Option(name: .customLong("repeat-penalty"), help: "Repetition penalty (1 = off).") var repeatPenalty: Float = 1
    @Option(name: .customLong("repeat-last-n"), help: "Tokens the penalties look back over (-1 = all).") var repeatLastN = 64
    @Option(name: .customLong("presence-penalty")) var presencePenalty: Float = 0
    @Option(name: .customLong("frequency-penalty")) var frequencyPenalty: Float = 0
    @Option(help: "Random seed.") var seed: UInt64 = 0xC0FFEE
    @Option(name: .customLong("stop"), help: "Stop when this text appears (repeatable).") var stops: [String] = []
    @Flag(name: .customLong("ignore-eos"), help: "Keep generating past end-of-generation tokens.") var ignoreEOS = false

    func validate() throws {
        guard maxTokens >= 0 else { throw ValidationError("-n/--max-tokens must be 0 or more.") }
        guard temperature >= 0 else { throw ValidationError("--temp must be 0 or more.") }
        guard (0...1).contains(topP) else { throw ValidationError("--top-p must be between 0 and 1.") }
    }

    var parameters: GenerationParameters {
        var p = GenerationParameters()
        p.maxTokens = maxTokens
        p.stopStrings = stops
        p.ignoreEndOfGeneration = ignoreEOS
        p.sampling.temperature = temperature
        p.sampling.topK = topK
        p.sampling.topP = topP
        p.sampling.minP = minP
        p.sampling.typicalP = typicalP
        p.sampling.repeatPenalty = repeatPenalty
        p.sampling.penaltyWindow = repeatLastN
        p.sampling.presencePenalty = presencePenalty
        p.sampling.frequencyPenalty = frequencyPenalty
        p.sampling.seed = seed
        return p
    }
}

extension SamplingOptions {
    /// The fields an OpenAI-compatible server understands (top-k, min-p and penalties stay local).
    var remoteSampling: RemoteSampling {
        RemoteSampling(temperature: Double(temperature), topP: Double(topP), maxTokens: maxTokens, seed: seed,
                       stop: stops)
    }
}

struct RuntimeOptions: ParsableArguments {
    @Option(name: [.customShort("t"), .long], help: "Threads (default: all cores).") var threads: Int?
    @Option(name: [.customShort("c"), .customLong("ctx")], help: "Context length (default: the model's, at most 4096).")
    var contextLength: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1.") }
        if let contextLength, contextLength < 8 { throw ValidationError("--ctx must be at least 8.") }
    }

    var threadCount: Int { threads ?? ThreadCount.default }
}
