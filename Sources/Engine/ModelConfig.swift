// Hyperparameters and per-architecture traits of a decoder-only transformer, decoded from GGUF
// metadata. Architectures/*.swift describe what differs between model families.
import GGUF

public enum RopeStyle: Sendable { case adjacentPairs, halfSplit }  // ggml's NORM and NEOX rope modes
public enum FeedForwardActivation: Sendable { case silu, gelu }

/// What distinguishes one architecture family's forward pass from another's.
public struct ArchitectureTraits: Sendable {
    public var ropeStyle: RopeStyle
    public var activation: FeedForwardActivation
    public var hasQKNorm = false
    public var hasPostNorms = false          // Gemma: norms after attention and FFN outputs
    public var hasQKVBias = false            // Qwen 2
    public var scalesEmbedding = false       // Gemma: embeddings × sqrt(n_embd)
    /// Every n-th layer is global (full attention); the others use the sliding window. 0 = all global.
    public var slidingWindowPattern = 0
    public var slidingWindowRopeBase: Float?
}

public struct ModelConfig: Sendable {
    public var architecture: String
    public var traits: ArchitectureTraits
    public var layerCount: Int
    public var embeddingLength: Int
    public var feedForwardLength: Int
    public var headCount: Int
    public var kvHeadCount: Int
    public var headDim: Int
    public var valueHeadDim: Int
    public var ropeDimensions: Int
    public var ropeBase: Float
    public var ropeScale: Float
    public var normEpsilon: Float
    public var trainedContextLength: Int
    public var slidingWindow: Int?
    public var attentionScale: Float
    public var finalLogitSoftcap: Float?
    public var vocabularySize: Int

    public init(file: GGUFFile) throws {
        guard let arch = file.architecture else { throw EngineError.missingMetadata("general.architecture") }
        guard let traits = Architectures.traits(for: arch) else { throw EngineError.unsupportedArchitecture(arch) }
        func int(_ suffix: String) throws -> Int {
            guard let v = file.archInt(suffix) else { throw EngineError.missingMetadata("\(arch).\(suffix)") }
            guard v > 0, v < 1 << 24 else { throw EngineError.badMetadata("\(arch).\(suffix)", "\(v)") }
            return v
        }
        architecture = arch
        self.traits = traits
        layerCount = try int("block_count")
        embeddingLength = try int("embedding_length")
        feedForwardLength = try int("feed_forward_length")
        headCount = try int("attention.head_count")
        kvHeadCount = file.archInt("attention.head_count_kv") ?? headCount
        headDim = file.archInt("attention.key_length") ?? embeddingLength / headCount
        valueHeadDim = file.archInt("attention.value_length") ?? headDim
        ropeDimensions = file.archInt("rope.dimension_count") ?? headDim
        ropeBase = Float(file.archDouble("rope.freq_base") ?? 10_000)
        ropeScale = 1 / Float(file.archDouble("rope.scaling.factor") ?? 1)
        normEpsilon = Float(file.archDouble("attention.layer_norm_rms_epsilon") ?? 1e-5)
        trainedContextLength = file.archInt("context_length") ?? 2048
        slidingWindow = file.archInt("attention.sliding_window")
        finalLogitSoftcap = file.archDouble("final_logit_softcapping").map(Float.init)
        vocabularySize = file.archInt("vocab_size") ?? file.array("tokenizer.ggml.tokens")?.count ?? 0
        attentionScale = 1 / Float(headDim).squareRoot()
        guard headCount % kvHeadCount == 0, kvHeadCount > 0 else {
            throw EngineError.badMetadata("\(arch).attention.head_count_kv", "\(kvHeadCount) does not divide \(headCount)")
        }
        guard ropeDimensions <= headDim, ropeDimensions % 2 == 0 else {
            throw EngineError.badMetadata("\(arch).rope.dimension_count", "\(ropeDimensions)")
        }
        guard vocabularySize > 0 else { throw EngineError.missingMetadata("tokenizer.ggml.tokens") }
    }

    public var queryLength: Int { headCount * headDim }
    public var kvLength: Int { kvHeadCount * headDim }

    /// Whether layer `index` attends only within the sliding window.
    public func usesSlidingWindow(layer index: Int) -> Bool {
        guard slidingWindow != nil, traits.slidingWindowPattern > 0 else { return false }
        return (index + 1) % traits.slidingWindowPattern != 0
    }

    public func ropeBase(layer index: Int) -> Float {
        usesSlidingWindow(layer: index) ? (traits.slidingWindowRopeBase ?? ropeBase) : ropeBase
    }
}
