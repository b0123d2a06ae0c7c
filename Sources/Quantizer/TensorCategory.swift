// Broad tensor roles the mixes key on (llama.cpp's tensor_category in src/llama-quant.cpp), decided from the
// GGUF tensor name, and whether a tensor may be quantized at all (tensor_allows_quantization).

enum TensorCategory: Equatable {
    case tokenEmbedding, attentionQ, attentionV, attentionK, attentionQKV, attentionKVB, attentionOutput
    case ffnUp, ffnGate, ffnDown, output, other

    init(name: String) {
        if name == "output.weight" { self = .output; return }
        if name == "token_embd.weight" || name == "per_layer_token_embd.weight" { self = .tokenEmbedding; return }
        let table: [(String, TensorCategory)] = [
            ("attn_qkv.weight", .attentionQKV), ("attn_kv_b.weight", .attentionKVB), ("attn_v.weight", .attentionV),
            ("attn_k.weight", .attentionK), ("attn_q.weight", .attentionQ), ("attn_output.weight", .attentionOutput),
            ("ffn_up", .ffnUp), ("ffn_gate", .ffnGate), ("ffn_down", .ffnDown),
        ]
        self = table.first { name.contains($0.0) }?.1 ?? .other
    }

    /// attention-v-like tensors are the most sensitive to quantization.
    var isAttentionV: Bool { self == .attentionV || self == .attentionQKV || self == .attentionKVB }

    /// Number of dimensions ignoring trailing 1s (ggml_n_dims).
    static func dimensionCount(_ dims: [Int]) -> Int {
        var count = dims.count
        while count > 1 && dims[count - 1] == 1 { count -= 1 }
        return max(count, 1)
    }

    /// Whether llama-quantize would quantize this tensor: 2-D or more, a `weight`, and none of the small or
    /// sensitive tensors it always keeps (norms, expert gates, position/token-type embeddings, conv1d, ...).
    static func allowsQuantization(name: String, dims: [Int], quantizeOutput: Bool = true) -> Bool {
        guard dimensionCount(dims) >= 2, name.hasSuffix("weight") else { return false }
        if !quantizeOutput && name == "output.weight" { return false }
        if name == "position_embd.weight" || name == "token_types.weight" { return false }
        let kept = ["_norm.weight", "ffn_gate_inp.weight", "ffn_gate_tid2eid.weight", "altup", "laurel",
                    "per_layer_model_proj", "ssm_conv1d", "shortconv.conv.weight", "indexer.k_proj.weight",
                    "indexer.q_proj.weight", "time_mix_first.weight", "time_mix_w0.weight", "time_mix_w1.weight",
                    "time_mix_w2.weight", "time_mix_v0.weight", "time_mix_v1.weight", "time_mix_v2.weight",
                    "time_mix_a0.weight", "time_mix_a1.weight", "time_mix_a2.weight", "time_mix_g1.weight",
                    "time_mix_g2.weight", "time_mix_decay_w1.weight", "time_mix_decay_w2.weight",
                    "time_mix_lerp_fused.weight", "attn_rel_b.weight", ".position_embd", "sam.pos_embd", "sam.neck.",
                    "sam.net_", ".rel_pos", ".patch_embd", ".patch_merger", "a.rvq.codebook", "mm.a.code_embd"]
        return !kept.contains { name.contains($0) }
    }

    /// llama.cpp's tensor order (its weight_name_comparer): tensors outside blocks first, then by block number,
    /// by name within each group. The mixes count attn_v/ffn_down in this order, so it matters.
    static func llamaOrder(_ a: String, _ b: String) -> Bool {
        let (la, lb) = (layerIndex(a) ?? -1, layerIndex(b) ?? -1)
        return la != lb ? la < lb : a < b
    }

    /// N of a `blk.N.` prefix.
    static func layerIndex(_ name: String) -> Int? {
        guard name.hasPrefix("blk.") else { return nil }
        let digits = name.dropFirst(4).prefix { $0.isNumber }
        return digits.isEmpty ? nil : Int(digits)
    }
}
