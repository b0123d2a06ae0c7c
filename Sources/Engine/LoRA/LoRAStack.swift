// Adapters applied at run time: after each adapted projection y = W x, the engine adds
// factor · B (A x) with factor = scale · alpha / rank per adapter (llama.cpp's llm_build_lora_mm).
// Weights are laid out for the hot loop: A as [rank][inputs] and B transposed to [rank][outputs], so
// each token costs rank dot products over the input and rank axpys over the output.
import CKernels
import Kernels

/// An adapter with the user's scale, as `--lora FILE:SCALE` gives it.
public struct ScaledLoRA: Sendable {
    public var adapter: LoRAAdapter
    public var scale: Float
    public var path: String

    public init(adapter: LoRAAdapter, scale: Float = 1, path: String = "<memory>") {
        self.adapter = adapter
        self.scale = scale
        self.path = path
    }

    /// Parses `FILE[:SCALE]` and reads the adapter (GGUF, or a PEFT directory when `FILE` is one).
    public static func load(_ spec: String, config: ModelConfig) throws -> ScaledLoRA {
        var path = spec, scale: Float = 1
        if let colon = spec.lastIndex(of: ":"), let value = Float(spec[spec.index(after: colon)...]) {
            path = String(spec[..<colon])
            scale = value
        }
        var isDirectory: ObjCBool = false
        let adapter: LoRAAdapter
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            adapter = try LoRAAdapter(peftDirectory: path, architecture: config.architecture,
                                      headCount: config.headCount, kvHeadCount: config.kvHeadCount)
        } else {
            adapter = try LoRAAdapter(ggufPath: path)
        }
        return ScaledLoRA(adapter: adapter, scale: scale, path: path)
    }
}

public final class LoRAStack: @unchecked Sendable {  // immutable after init
    struct Entry {
        let rank: Int, inputs: Int, outputs: Int
        let factor: Float
        let a: UnsafeMutablePointer<Float>       // [rank][inputs]
        let bTransposed: UnsafeMutablePointer<Float>  // [rank][outputs]
    }

    /// entries[layer][target]: the adapters on that projection, in load order.
    private let entries: [[LoRATarget: [Entry]]]
    private var owned: [UnsafeMutablePointer<Float>] = []
    public let adapters: [ScaledLoRA]

    /// Checks every pair against the model's shapes; errors name the adapter file and the tensor.
    public init(_ adapters: [ScaledLoRA], config: ModelConfig) throws {
        self.adapters = adapters
        var entries = [[LoRATarget: [Entry]]](repeating: [:], count: config.layerCount)
        var owned: [UnsafeMutablePointer<Float>] = []
        for scaled in adapters {
            let adapter = scaled.adapter
            guard adapter.architecture == config.architecture else {
                throw LoRAError.mismatch(path: scaled.path,
                                         reason: "adapter is for '\(adapter.architecture)', the model is '\(config.architecture)'")
            }
            for key in adapter.pairs.keys.sorted() {
                let pair = adapter.pairs[key]!
                guard key.layer < config.layerCount else {
                    throw LoRAError.mismatch(path: scaled.path, reason: "'\(key)': the model has \(config.layerCount) layers")
                }
                let (rows, columns) = Self.shape(key.target, config)
                guard pair.inputs == columns, pair.outputs == rows else {
                    throw LoRAError.mismatch(path: scaled.path,
                                             reason: "'\(key)' maps \(pair.inputs) → \(pair.outputs), the weight maps \(columns) → \(rows)")
                }
                let a = UnsafeMutablePointer<Float>.allocate(capacity: pair.a.count)
                a.initialize(from: pair.a, count: pair.a.count)
                let bT = UnsafeMutablePointer<Float>.allocate(capacity: pair.b.count)
                for o in 0..<pair.outputs { for r in 0..<pair.rank { bT[r * pair.outputs + o] = pair.b[o * pair.rank + r] } }
                owned += [a, bT]
                entries[key.layer][key.target, default: []].append(
                    Entry(rank: pair.rank, inputs: pair.inputs, outputs: pair.outputs,
                          factor: adapter.effectiveScale(pair, userScale: scaled.scale), a: a, bTransposed: bT))
            }
        }
        self.entries = entries
        self.owned = owned
    }

    deinit { owned.forEach { $0.deallocate() } }

    /// (rows, columns) of the base weight a target adapts.
    public static func shape(_ target: LoRATarget, _ c: ModelConfig) -> (rows: Int, columns: Int) {
        switch target {
        case .query: (c.queryLength, c.embeddingLength)
        case .key: (c.kvLength, c.embeddingLength)
        case .value: (c.kvHeadCount * c.valueHeadDim, c.embeddingLength)
        case .output: (c.embeddingLength, c.headCount * c.valueHeadDim)
        case .gate, .up: (c.feedForwardLength, c.embeddingLength)
        case .down: (c.embeddingLength, c.feedForwardLength)
        }
    }

    /// y[t] += factor · Bᵀ (A x[t]) for each adapter on (layer, target); x is [tokens][inputs], y [tokens][outputs].
    public func apply(_ target: LoRATarget, layer: Int, input x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>,
               tokens: Int, pool: ThreadPool) {
        guard let list = entries[layer][target] else { return }
        for e in list {
            pool.parallelFor(tokens) { t in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: e.rank) { hidden in
                    let xt = x + t * e.inputs, yt = y + t * e.outputs
                    for r in 0..<e.rank { hidden[r] = e.factor * lk_dot_f32(e.a + r * e.inputs, xt, Int64(e.inputs)) }
                    for r in 0..<e.rank { lk_axpy_f32(hidden[r], e.bTransposed + r * e.outputs, yt, Int64(e.outputs)) }
                }
            }
        }
    }
}

import Foundation
