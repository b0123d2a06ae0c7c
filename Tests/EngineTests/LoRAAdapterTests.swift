// LoRA adapters in the engine: the run-time update equals a naive B·(A·x), run-time adapters equal merged
// weights, GGUF and PEFT files round-trip, and wrong adapters fail with one-line errors.
import Engine
import Foundation
import GGUF
import LatheTestSupport
import Testing

@Suite struct LoRAAdapterTests {
    @Test func runtimeUpdateEqualsNaiveLowRankProduct() throws {
        let path = try TinyLlama.write()
        defer { unlink(path) }
        let config = try ModelConfig(file: try GGUFFile(path: path))
        let adapter = TinyLlama.adapter(rank: 3, alpha: 6, targets: [.up], seed: 1, config: config)
        let stack = try LoRAStack([ScaledLoRA(adapter: adapter, scale: 0.5)], config: config)
        let pair = try #require(adapter.pairs[LoRAKey(layer: 1, target: .up)])
        let tokens = 2
        let x = (0..<(tokens * pair.inputs)).map { Float($0 % 7) - 3 }
        var y = [Float](repeating: 1, count: tokens * pair.outputs)
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                stack.apply(.up, layer: 1, input: xp.baseAddress!, into: yp.baseAddress!, tokens: tokens,
                            pool: ThreadPoolAccess.pool)
            }
        }
        // y = 1 + 0.5 · (6 / 3) · B (A x), written out as plain loops.
        for t in 0..<tokens {
            let ax = (0..<3).map { r in (0..<pair.inputs).reduce(Float(0)) { $0 + pair.a[r * pair.inputs + $1] * x[t * pair.inputs + $1] } }
            for o in 0..<pair.outputs {
                let expected = 1 + 1.0 * (0..<3).reduce(Float(0)) { $0 + pair.b[o * 3 + $1] * ax[$1] }
                #expect(abs(y[t * pair.outputs + o] - expected) < 1e-4, "token \(t) row \(o)")
            }
        }
    }

    @Test func runtimeAdaptersMatchMergedWeights() throws {
        let base = try TinyLlama.write()
        let merged = base + ".merged.gguf"
        defer { unlink(base); unlink(merged) }
        let transformer = try Transformer(file: try GGUFFile(path: base), threads: 2)
        let config = transformer.config
        let first = TinyLlama.adapter(rank: 2, alpha: 4, targets: LoRATarget.allCases, seed: 2, config: config)
        let second = TinyLlama.adapter(rank: 4, alpha: 0, targets: [.query, .value], seed: 3, config: config)
        let adapters = [ScaledLoRA(adapter: first, scale: 0.7), ScaledLoRA(adapter: second, scale: 0.2)]
        let tokens: [Int32] = [1, 5, 9, 2, 33, 7]
        let plain = try TinyLlama.logits(transformer, tokens)
        transformer.lora = try LoRAStack(adapters, config: config)
        let adapted = try TinyLlama.logits(transformer, tokens)

        let report = try LoRAMerge.merge(base: base, adapters: adapters, output: merged, type: .f32)
        #expect(report.mergedTensors == 7 * config.layerCount)
        let bakedIn = try TinyLlama.logits(try Transformer(file: try GGUFFile(path: merged), threads: 2), tokens)
        let change = zip(plain, adapted).map { abs($0 - $1) }.max()!
        let gap = zip(adapted, bakedIn).map { abs($0 - $1) }.max()!
        #expect(change > 0.05, "the adapters barely change the logits (\(change))")
        #expect(gap < 1e-3 * max(1, adapted.map(abs).max()!), "run-time and merged logits differ by \(gap)")
    }

    @Test func ggufRoundTripKeepsEveryValue() throws {
        let base = try TinyLlama.write()
        let out = base + ".adapter.gguf"
        defer { unlink(base); unlink(out) }
        let config = try ModelConfig(file: try GGUFFile(path: base))
        let adapter = TinyLlama.adapter(rank: 4, alpha: 8, targets: [.query, .key, .down], seed: 4, config: config)
        try adapter.writeGGUF(to: out)
        let file = try GGUFFile(path: out)
        #expect(file.string("general.type") == "adapter")
        #expect(file.string("adapter.type") == "lora")
        #expect(file["adapter.lora.alpha"] == .float32(8))
        #expect(file.architecture == "llama")
        let a = try file.requireTensor("blk.1.attn_k.weight.lora_a"), b = try file.requireTensor("blk.1.attn_k.weight.lora_b")
        #expect(a.dims == [config.embeddingLength, 4] && b.dims == [4, config.kvLength])
        let back = try LoRAAdapter(ggufPath: out)
        #expect(back.pairs == adapter.pairs && back.alpha == 8 && back.baseModelName == "tiny-llama")
    }

    @Test func peftRoundTripUndoesAndRedoesTheQKPermutation() throws {
        let base = try TinyLlama.write()
        let dir = base + ".peft"
        defer { unlink(base); try? FileManager.default.removeItem(atPath: dir) }
        let config = try ModelConfig(file: try GGUFFile(path: base))
        var adapter = TinyLlama.adapter(rank: 2, alpha: 16, targets: [.query, .key, .value], seed: 5, config: config)
        adapter.dropout = 0.05
        try adapter.writePEFT(to: dir, headCount: config.headCount, kvHeadCount: config.kvHeadCount)
        let tensors = try Safetensors.read(path: dir + "/adapter_model.safetensors")
        let name = "base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight"
        let b = try #require(tensors[name])
        #expect(b.shape == [config.queryLength, 2])
        #expect(tensors["base_model.model.model.layers.1.self_attn.v_proj.lora_A.weight"]?.shape == [2, config.embeddingLength])
        // HF row 1 of head 0 (first half, i = 1) is GGUF row 2 (i = 1, half 0).
        let gguf = adapter.pairs[LoRAKey(layer: 0, target: .query)]!.b
        #expect(Array(b.values[2..<4]) == Array(gguf[4..<6]))
        // V rows are not permuted.
        #expect(tensors["base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight"]!.values
                == adapter.pairs[LoRAKey(layer: 0, target: .value)]!.b)
        let config_json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/adapter_config.json"))) as! [String: Any]
        #expect(config_json["peft_type"] as? String == "LORA" && config_json["r"] as? Int == 2)
        #expect(config_json["target_modules"] as? [String] == ["q_proj", "k_proj", "v_proj"])
        // The decimal written, not the float32 it is stored as (that would read 0.05000000074505806).
        #expect(config_json["lora_dropout"] as? Double == 0.05)
        let back = try LoRAAdapter(peftDirectory: dir, architecture: "llama", headCount: config.headCount,
                                   kvHeadCount: config.kvHeadCount)
        #expect(back.pairs == adapter.pairs && back.alpha == 16 && abs(back.dropout - 0.05) < 1e-6)
    }

    @Test func mismatchedAdaptersFailWithOneLineErrors() throws {
        let base = try TinyLlama.write()
        defer { unlink(base) }
        let config = try ModelConfig(file: try GGUFFile(path: base))
        var adapter = TinyLlama.adapter(rank: 2, alpha: 4, targets: [.query], seed: 6, config: config)
        adapter.architecture = "gemma3"
        #expect(throws: LoRAError.mismatch(path: "x.gguf", reason: "adapter is for 'gemma3', the model is 'llama'")) {
            try LoRAStack([ScaledLoRA(adapter: adapter, path: "x.gguf")], config: config)
        }
        adapter.architecture = "llama"
        let pair = LoRAPair(rank: 1, inputs: 5, outputs: 3, a: [Float](repeating: 0, count: 5), b: [0, 0, 0])
        adapter.pairs[LoRAKey(layer: 0, target: .down)] = pair
        #expect(throws: LoRAError.mismatch(path: "x.gguf", reason: "'blk.0.ffn_down.weight' maps 5 → 3, the weight maps 48 → 32")) {
            try LoRAStack([ScaledLoRA(adapter: adapter, path: "x.gguf")], config: config)
        }
        // A model file is not an adapter.
        #expect(throws: LoRAError.badAdapter(path: base, reason: "general.type is 'absent', expected 'adapter'")) {
            try LoRAAdapter(ggufPath: base)
        }
        #expect(throws: LoRAError.badTargets("'x' is not one of q,k,v,o,gate,up,down (or all)")) {
            try LoRATarget.parseList("q,x")
        }
        #expect(try LoRATarget.parseList("v,q,up_proj") == [.query, .value, .up])
    }
}

enum ThreadPoolAccess {
    static var pool: Kernels.ThreadPool { Kernels.ThreadPool.shared(threads: 2) }
}

import Kernels
