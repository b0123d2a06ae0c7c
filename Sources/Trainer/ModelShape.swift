// The hyperparameters of a llama-architecture model the Trainer builds, plus the named presets.
import Foundation

public struct ModelShape: Codable, Sendable, Equatable {
    public var layers: Int
    public var dim: Int
    public var heads: Int
    public var kvHeads: Int
    public var headDim: Int
    public var ffn: Int
    public var vocab: Int
    /// The longest sequence the model is trained on (exported as llama.context_length).
    public var context: Int
    public var ropeBase: Double
    public var normEps: Double
    /// Output projection shares the token embedding matrix (SmolLM2 does this).
    public var tiedEmbeddings: Bool

    public init(layers: Int, dim: Int, heads: Int, kvHeads: Int, headDim: Int? = nil, ffn: Int, vocab: Int,
                context: Int, ropeBase: Double = 10_000, normEps: Double = 1e-5, tiedEmbeddings: Bool = true) {
        self.layers = layers
        self.dim = dim
        self.heads = heads
        self.kvHeads = kvHeads
        self.headDim = headDim ?? dim / heads
        self.ffn = ffn
        self.vocab = vocab
        self.context = context
        self.ropeBase = ropeBase
        self.normEps = normEps
        self.tiedEmbeddings = tiedEmbeddings
    }

    public var queryWidth: Int { heads * headDim }
    public var kvWidth: Int { kvHeads * headDim }

    /// Checks the shape is one the model code supports; the message names the field.
    public func validate() throws {
        func check(_ ok: Bool, _ field: String, _ expected: String) throws {
            if !ok { throw TrainerError.badConfig(field, expected) }
        }
        try check(layers > 0, "layers", "a positive count")
        try check(dim > 0 && heads > 0 && kvHeads > 0, "dim/heads/kv_heads", "positive values")
        try check(heads % kvHeads == 0, "kv_heads", "a divisor of heads (\(heads))")
        try check(headDim % 2 == 0, "head_dim", "an even number (rope rotates pairs)")
        try check(ffn > 0 && vocab > 1 && context > 1, "ffn/vocab/context", "positive values")
    }

    /// Parameters in the model (tied embeddings counted once).
    public var parameterCount: Int {
        let perLayer = 2 * dim + dim * queryWidth + 2 * dim * kvWidth + queryWidth * dim + 3 * dim * ffn
        return vocab * dim + layers * perLayer + dim + (tiedEmbeddings ? 0 : vocab * dim)
    }
}

/// Named sizes for `lathe train pretrain --preset`. The vocabulary size is the BPE size trained on the corpus.
public enum ModelPreset: String, CaseIterable, Codable, Sendable {
    case tiny, small

    public func shape(vocab: Int) -> ModelShape {
        switch self {
        // ~0.87M parameters with a 1024 vocabulary: CI-sized.
        case .tiny: ModelShape(layers: 4, dim: 128, heads: 4, kvHeads: 2, ffn: 352, vocab: vocab, context: 128)
        // ~4.95M parameters with a 2048 vocabulary.
        case .small: ModelShape(layers: 6, dim: 256, heads: 8, kvHeads: 4, ffn: 704, vocab: vocab, context: 256)
        }
    }

    public var defaultVocabulary: Int { self == .tiny ? 1024 : 2048 }
    public var defaultBatch: Int { self == .tiny ? 8 : 8 }
}
