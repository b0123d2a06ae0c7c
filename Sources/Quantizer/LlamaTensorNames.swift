// Hugging Face llama checkpoint names <-> GGUF tensor names, and the row permutation of q/k projections.
// HF stores each head's rotary pairs as two halves (rows [h, s, i] with s the half); llama.cpp's rope wants
// them interleaved (rows [h, i, s]), so convert_hf_to_gguf.py permutes q_proj (heads = head_count) and
// k_proj (heads = head_count_kv) on the way in; the exporter undoes it on the way out.

enum LlamaTensorNames {
    static let global: [(hf: String, gguf: String)] = [
        ("model.embed_tokens.weight", "token_embd.weight"),
        ("model.norm.weight", "output_norm.weight"),
        ("lm_head.weight", "output.weight"),
    ]
    static let perLayer: [(hf: String, gguf: String)] = [
        ("input_layernorm.weight", "attn_norm.weight"),
        ("self_attn.q_proj.weight", "attn_q.weight"),
        ("self_attn.k_proj.weight", "attn_k.weight"),
        ("self_attn.v_proj.weight", "attn_v.weight"),
        ("self_attn.o_proj.weight", "attn_output.weight"),
        ("post_attention_layernorm.weight", "ffn_norm.weight"),
        ("mlp.gate_proj.weight", "ffn_gate.weight"),
        ("mlp.up_proj.weight", "ffn_up.weight"),
        ("mlp.down_proj.weight", "ffn_down.weight"),
    ]

    /// The GGUF name of an HF tensor, nil for tensors llama.cpp does not keep (rotary inv_freq).
    static func gguf(fromHF name: String) -> String? {
        if let match = global.first(where: { $0.hf == name }) { return match.gguf }
        let prefix = "model.layers."
        guard name.hasPrefix(prefix) else { return nil }
        let rest = name.dropFirst(prefix.count)
        guard let dot = rest.firstIndex(of: "."), let layer = Int(rest[..<dot]) else { return nil }
        let suffix = String(rest[rest.index(after: dot)...])
        return perLayer.first { $0.hf == suffix }.map { "blk.\(layer).\($0.gguf)" }
    }

    /// The HF name of a GGUF tensor, nil when it has none.
    static func hf(fromGGUF name: String) -> String? {
        if let match = global.first(where: { $0.gguf == name }) { return match.hf }
        guard let layer = TensorCategory.layerIndex(name) else { return nil }
        let suffix = String(name.dropFirst("blk.\(layer).".count))
        return perLayer.first { $0.gguf == suffix }.map { "model.layers.\(layer).\($0.hf)" }
    }

    /// Heads to permute by for a GGUF tensor name (q: heads, k: kv heads), nil for tensors left alone.
    static func permuteHeads(_ ggufName: String, headCount: Int, kvHeadCount: Int) -> Int? {
        if ggufName.hasSuffix(".attn_q.weight") { return headCount }
        if ggufName.hasSuffix(".attn_k.weight") { return kvHeadCount }
        return nil
    }

    /// HF row order -> GGUF row order (convert_hf_to_gguf's permute): row (h, s, i) moves to (h, i, s).
    static func permuteToGGUF(_ source: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
                              rows: Int, rowLength: Int, heads: Int) {
        let half = rows / heads / 2
        for h in 0..<heads {
            for s in 0..<2 {
                for i in 0..<half {
                    let from = (h * 2 + s) * half + i, to = (h * half + i) * 2 + s
                    (out + to * rowLength).update(from: source + from * rowLength, count: rowLength)
                }
            }
        }
    }

    /// GGUF row order -> HF row order (the inverse permutation).
    static func permuteToHF(_ source: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
                            rows: Int, rowLength: Int, heads: Int) {
        let half = rows / heads / 2
        for h in 0..<heads {
            for s in 0..<2 {
                for i in 0..<half {
                    let hfRow = (h * 2 + s) * half + i, ggufRow = (h * half + i) * 2 + s
                    (out + hfRow * rowLength).update(from: source + ggufRow * rowLength, count: rowLength)
                }
            }
        }
    }
}
