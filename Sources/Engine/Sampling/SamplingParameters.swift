// Everything that shapes how the next token is chosen and when generation stops.

public struct SamplingParameters: Sendable, Equatable, Codable {
    /// 0 or less: greedy (argmax, ties go to the lowest id).
    public var temperature: Float = 0.8
    public var topK: Int = 40            // 0 = off
    public var topP: Float = 0.95        // 1 = off
    public var minP: Float = 0.05        // 0 = off
    public var typicalP: Float = 1.0     // 1 = off
    public var repeatPenalty: Float = 1.0
    public var presencePenalty: Float = 0
    public var frequencyPenalty: Float = 0
    /// How many recent tokens the penalties look at (0 = off, -1 = the whole context).
    public var penaltyWindow: Int = 64
    public var seed: UInt64 = 0xC0FFEE
    public var logitBias: [Int32: Float] = [:]

    public init() {}

    public static let greedy: SamplingParameters = {
        var p = SamplingParameters()
        p.temperature = 0
        return p
    }()

    public var isGreedy: Bool { temperature <= 0 }
}

public struct GenerationParameters: Sendable, Equatable, Codable {
    public var sampling = SamplingParameters()
    public var maxTokens: Int = 512
    /// Generation stops when the text contains any of these (the stop string itself is not emitted).
    public var stopStrings: [String] = []
    /// Keep going past end-of-generation tokens (benchmarks and fixtures).
    public var ignoreEndOfGeneration = false

    public init() {}
}
