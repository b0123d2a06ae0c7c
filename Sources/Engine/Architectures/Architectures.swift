// The registry of supported architectures (`general.architecture` values) and their traits.
// llama family (SmolLM2, Llama 2/3, Mistral, TinyLlama), Gemma 3, Qwen 2/2.5.

public enum Architectures {
    public static let supported = ["llama", "mistral", "gemma3", "qwen2"]

    public static func traits(for architecture: String) -> ArchitectureTraits? {
        switch architecture {
        case "llama", "mistral": return Llama.traits
        case "gemma3": return Gemma3.traits
        case "qwen2": return Qwen2.traits
        default: return nil
        }
    }
}

/// llama.cpp's LLM_ARCH_LLAMA: pre-norm, SwiGLU, rope on adjacent pairs (the converter permutes Q/K).
public enum Llama {
    public static let traits = ArchitectureTraits(ropeStyle: .adjacentPairs, activation: .silu)
}

/// Qwen 2/2.5: llama with biases on Q/K/V and NEOX rope.
public enum Qwen2 {
    public static let traits = ArchitectureTraits(ropeStyle: .halfSplit, activation: .silu, hasQKVBias: true)
}

/// Gemma 3 (text): embeddings scaled by sqrt(n_embd), RMS norms on Q and K per head, extra norms after
/// attention and FFN, GELU-gated FFN, NEOX rope; 5 of every 6 layers use a sliding window with rope base
/// 10 000 (llama.cpp hard-codes this; the GGUF's freq_base is for the global layers). Norm weights in
/// the GGUF already include Gemma's +1.
public enum Gemma3 {
    public static let traits = ArchitectureTraits(
        ropeStyle: .halfSplit, activation: .gelu, hasQKNorm: true, hasPostNorms: true,
        scalesEmbedding: true, slidingWindowPattern: 6, slidingWindowRopeBase: 10_000)
}
