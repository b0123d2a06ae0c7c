// Per-tensor type choices against llama-quantize: tensor-type histograms of Llama-2-7B quantized by llama.cpp
// (f32 65, and e.g. Q4_K_M = q4_K 193 + q6_K 33, Q3_K_M = q3_K 129 + q4_K 92 + q5_K 4 + q6_K 1), SmolLM2's
// fallbacks (576-wide rows do not fit K-quant super-blocks), overrides and the file-type spellings.
import GGUF
import LatheTestSupport
import Quantizer
import Testing

@Suite struct QuantizationMixTests {
    /// Llama-2-7B's tensor table (F16): 32 layers, n_embd 4096, n_ff 11008, 32 heads and 32 KV heads, untied output.
    static let llama7B: [GGUFTensorInfo] = {
        var tensors = [
            GGUFTensorInfo(name: "token_embd.weight", dims: [4096, 32000], type: .f16, offset: 0),
            GGUFTensorInfo(name: "output_norm.weight", dims: [4096], type: .f32, offset: 0),
            GGUFTensorInfo(name: "output.weight", dims: [4096, 32000], type: .f16, offset: 0),
        ]
        for layer in 0..<32 {
            func add(_ name: String, _ dims: [Int], _ type: GGMLType = .f16) {
                tensors.append(GGUFTensorInfo(name: "blk.\(layer).\(name)", dims: dims, type: type, offset: 0))
            }
            add("attn_norm.weight", [4096], .f32)
            add("ffn_norm.weight", [4096], .f32)
            for name in ["attn_q", "attn_k", "attn_v", "attn_output"] { add("\(name).weight", [4096, 4096]) }
            add("ffn_gate.weight", [4096, 11008])
            add("ffn_up.weight", [4096, 11008])
            add("ffn_down.weight", [11008, 4096])
        }
        return tensors
    }()
    static let llama7BInfo = MixModelInfo(architecture: "llama", layerCount: 32, headCount: 32, kvHeadCount: 32, expertCount: 0)

    static func histogram(_ plan: [PlannedTensor]) -> [String: Int] {
        plan.reduce(into: [:]) { $0[$1.targetType.name, default: 0] += 1 }
    }

    @Test(arguments: [
        (QuantFileType.q4_K_M, ["F32": 65, "Q4_K": 193, "Q6_K": 33]),
        (.q4_K_S, ["F32": 65, "Q4_K": 217, "Q5_K": 8, "Q6_K": 1]),
        (.q5_K_M, ["F32": 65, "Q5_K": 193, "Q6_K": 33]),
        (.q3_K_M, ["F32": 65, "Q3_K": 129, "Q4_K": 92, "Q5_K": 4, "Q6_K": 1]),
        (.q2_K, ["F32": 65, "Q2_K": 129, "Q3_K": 96, "Q6_K": 1]),
        (.q6_K, ["F32": 65, "Q6_K": 226]),
        (.q8_0, ["F32": 65, "Q8_0": 226]),
        (.q4_0, ["F32": 65, "Q4_0": 225, "Q6_K": 1]),
        (.f16, ["F32": 65, "F16": 226]),
    ])
    func llama7BHistogramsMatchLlamaQuantize(fileType: QuantFileType, expected: [String: Int]) throws {
        let plan = try QuantizationMix.plan(tensors: Self.llama7B, model: Self.llama7BInfo, fileType: fileType)
        #expect(Self.histogram(plan) == expected)
        #expect(plan.allSatisfy { !$0.fellBack })
    }

    @Test func q4KMGivesAttentionVAndFFNDownMoreBitsInTheRightLayers() throws {
        let plan = try QuantizationMix.plan(tensors: Self.llama7B, model: Self.llama7BInfo, fileType: .q4_K_M)
        let types = Dictionary(uniqueKeysWithValues: plan.map { ($0.name, $0.targetType) })
        // use_more_bits: the first and last eighth of the layers, and every third layer in between.
        let moreBits: Set = [0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31]
        for layer in 0..<32 {
            let expected: GGMLType = moreBits.contains(layer) ? .q6_K : .q4_K
            #expect(types["blk.\(layer).attn_v.weight"] == expected, "layer \(layer) attn_v")
            #expect(types["blk.\(layer).ffn_down.weight"] == expected, "layer \(layer) ffn_down")
            #expect(types["blk.\(layer).attn_q.weight"] == .q4_K)
        }
        #expect(types["output.weight"] == .q6_K && types["token_embd.weight"] == .q4_K)
        // llama.cpp's order: non-block tensors first, then block by block (numerically, not as strings).
        #expect(plan.prefix(3).map(\.name) == ["output.weight", "output_norm.weight", "token_embd.weight"])
        #expect(plan[3].name.hasPrefix("blk.0.") && plan.last!.name.hasPrefix("blk.31."))
    }

    @Test func q3KMGivesTheFirstTwoAttentionVQ5K() throws {
        let plan = try QuantizationMix.plan(tensors: Self.llama7B, model: Self.llama7BInfo, fileType: .q3_K_M)
        let attnV = plan.filter { $0.name.hasSuffix("attn_v.weight") }.map(\.targetType)
        #expect(attnV == [.q5_K, .q5_K] + Array(repeating: .q4_K, count: 30))
    }

    @Test func groupedQueryAttentionChangesQ2KAttentionV() throws {
        var info = Self.llama7BInfo
        info.kvHeadCount = 8  // n_gqa 4
        let plan = try QuantizationMix.plan(tensors: Self.llama7B, model: info, fileType: .q2_K)
        #expect(plan.filter { $0.name.hasSuffix("attn_v.weight") }.allSatisfy { $0.targetType == .q4_K })
    }

    /// SmolLM2 (n_embd 576, tied embeddings): 576-wide rows fall back (Q4_K -> Q5_0, Q6_K -> Q8_0), the tied
    /// embedding gets the output's treatment, ffn_down (1536 = 6 x 256 wide) keeps K-quants.
    @Test func smolLM2FallsBackLikeLlamaQuantize() throws {
        let file = try GGUFFile(path: TestPaths.smollm2)
        let plan = try QuantizeModel.plan(file, options: QuantizeOptions(fileType: .q4_K_M, allowRequantize: true))
        #expect(Self.histogram(plan) == ["F32": 61, "Q4_K": 16, "Q5_0": 166, "Q6_K": 14, "Q8_0": 15])
        let types = Dictionary(uniqueKeysWithValues: plan.map { ($0.name, $0.targetType) })
        #expect(types["token_embd.weight"] == .q8_0)
        #expect(types["blk.0.attn_v.weight"] == .q8_0 && types["blk.4.attn_v.weight"] == .q5_0)
        #expect(types["blk.0.ffn_down.weight"] == .q6_K && types["blk.4.ffn_down.weight"] == .q4_K)
        #expect(plan.filter(\.fellBack).count == 180)
        #expect(QuantizeModel.requantizes(plan))
        // Q5_K_M: llama.cpp's tensor_type_fallback sends Q5_K to Q5_1 (Q4_K goes to Q5_0), so the 576-wide
        // tensors are Q5_1 here, while ffn_down keeps Q5_K/Q6_K and the more-bits attn_v Q6_K falls to Q8_0.
        let q5 = try QuantizeModel.plan(file, options: QuantizeOptions(fileType: .q5_K_M, allowRequantize: true))
        #expect(Self.histogram(q5) == ["F32": 61, "Q5_1": 166, "Q5_K": 16, "Q6_K": 14, "Q8_0": 15])
    }

    /// Ground truth from llama-quantize itself: the Gemma 3 270M file is llama.cpp's Q4_K_M (n_embd 640, so
    /// 640-wide rows fall back Q4_K -> Q5_0 and Q6_K -> Q8_0, while 1024/2048-wide ones keep K-quants). Planning
    /// Q4_K_M for it must give every tensor the type llama-quantize gave it.
    @Test func gemma3PlanReproducesLlamaQuantizesQ4KM() throws {
        let file = try GGUFFile(path: TestPaths.gemma3)
        let plan = try QuantizeModel.plan(file, options: QuantizeOptions(fileType: .q4_K_M, allowRequantize: true))
        #expect(plan.count == file.tensors.count)
        for entry in plan {
            #expect(entry.targetType == entry.info.type, "\(entry.name): planned \(entry.targetType.name), llama-quantize wrote \(entry.info.type.name)")
        }
        #expect(Self.histogram(plan) == ["F32": 109, "Q5_0": 81, "Q4_K": 27, "Q8_0": 10, "Q6_K": 9])
    }

    @Test func requantizingNeedsPermission() throws {
        let file = try GGUFFile(path: TestPaths.smollm2)
        #expect(throws: QuantizerError.requantizeDisabled(tensor: "blk.0.attn_k.weight", type: "Q4_1")) {
            try QuantizeModel.plan(file, options: QuantizeOptions(fileType: .q4_K_M))
        }
    }

    @Test func overridesWinAndStillFallBack() throws {
        let overrides = [try TensorTypeOverride(parsing: "attn_v=q8_0"), try TensorTypeOverride(parsing: "ffn_down\\.weight$=Q5_K")]
        let plan = try QuantizationMix.plan(tensors: Self.llama7B, model: Self.llama7BInfo, fileType: .q4_K_M,
                                            overrides: overrides)
        for entry in plan where entry.name.contains("attn_v") { #expect(entry.targetType == .q8_0 && entry.overridden) }
        for entry in plan where entry.name.contains("ffn_down") { #expect(entry.targetType == .q5_K) }
        // Odd row lengths: no K-quant and no 32-block fits 100, so F16; 96 fits Q5_0 blocks.
        let odd = [GGUFTensorInfo(name: "blk.0.attn_q.weight", dims: [100, 8], type: .f32, offset: 0),
                   GGUFTensorInfo(name: "blk.0.attn_k.weight", dims: [96, 8], type: .f32, offset: 0)]
        let small = try QuantizationMix.plan(tensors: odd, model: Self.llama7BInfo, fileType: .q4_K_S)
        #expect(small.map(\.targetType) == [.q5_0, .f16] && small.allSatisfy(\.fellBack))
    }

    @Test func oneDimensionalHalfTensorsBecomeF32() throws {
        let tensors = [GGUFTensorInfo(name: "blk.0.attn_norm.weight", dims: [64], type: .f16, offset: 0),
                       GGUFTensorInfo(name: "blk.0.attn_q.bias", dims: [64], type: .bf16, offset: 0)]
        let plan = try QuantizationMix.plan(tensors: tensors, model: Self.llama7BInfo, fileType: .q8_0)
        #expect(plan.map(\.targetType) == [.f32, .f32])
    }

    @Test func spellingsFollowLlamaQuantize() throws {
        #expect(QuantFileType(name: "q4_k_m") == .q4_K_M)
        #expect(QuantFileType(name: "Q4_K") == .q4_K_M && QuantFileType(name: "Q3_K") == .q3_K_M)
        #expect(QuantFileType(name: "Q5_K") == .q5_K_M && QuantFileType(name: "bf16") == .bf16)
        #expect(QuantFileType(name: "Q4_K_X") == nil)
        #expect(QuantFileType.q4_K_M.id == 15 && QuantFileType.q8_0.id == 7 && QuantFileType.bf16.id == 32)
        #expect(throws: QuantizerError.self) { try TensorTypeOverride(parsing: "attn_v") }
        #expect(throws: QuantizerError.self) { try TensorTypeOverride(parsing: "attn_v=q9_9") }
        #expect(throws: QuantizerError.self) { try TensorTypeOverride(parsing: "(=q8_0") }
    }
}
