// The model's tensors: matrices are zero-copy views into the mmapped GGUF; the small 1-D tensors
// (norm weights, biases) are dequantized once into one owned arena. Names follow llama.cpp's scheme.
import CKernels
import GGUF
import Kernels

/// A float vector owned by the weights' arena.
public struct Vector: @unchecked Sendable {  // points into an arena that lives as long as the weights
    public let pointer: UnsafePointer<Float>
    public let count: Int
}

public struct LayerWeights: Sendable {
    public var attentionNorm: Vector
    public var query: WeightMatrix, key: WeightMatrix, value: WeightMatrix, output: WeightMatrix
    public var queryBias: Vector?, keyBias: Vector?, valueBias: Vector?
    public var queryNorm: Vector?, keyNorm: Vector?
    public var postAttentionNorm: Vector?
    public var feedForwardNorm: Vector
    public var gate: WeightMatrix, up: WeightMatrix, down: WeightMatrix
    public var postFeedForwardNorm: Vector?
}

public final class ModelWeights: @unchecked Sendable {  // immutable after init
    public let file: GGUFFile
    public let tokenEmbedding: WeightMatrix
    public let outputNorm: Vector
    public let output: WeightMatrix
    public let layers: [LayerWeights]
    private let arena: UnsafeMutablePointer<Float>

    public init(file: GGUFFile, config: ModelConfig) throws {
        self.file = file
        let vectorNames = file.tensors.filter { $0.dims.count == 1 }
        let total = vectorNames.reduce(0) { $0 + $1.elementCount }
        arena = .allocate(capacity: max(total, 1))
        var offsets: [String: Vector] = [:]
        var cursor = 0
        for info in vectorNames {
            guard lk_supports(Int32(info.type.rawValue)) else {
                throw EngineError.unsupportedTensorType(info.name, info.type.name)
            }
            lk_dequantize_row(Int32(info.type.rawValue), file.data(for: info).baseAddress!, arena + cursor,
                              Int64(info.elementCount))
            offsets[info.name] = Vector(pointer: UnsafePointer(arena + cursor), count: info.elementCount)
            cursor += info.elementCount
        }
        func vector(_ name: String, count: Int) throws -> Vector {
            guard let v = offsets[name] else { throw EngineError.missingTensor(name) }
            guard v.count == count else { throw EngineError.badTensor(name, "has \(v.count) values, expected \(count)") }
            return v
        }
        func optionalVector(_ name: String, count: Int) throws -> Vector? {
            offsets[name] == nil ? nil : try vector(name, count: count)
        }
        func matrix(_ name: String, rows: Int, columns: Int) throws -> WeightMatrix {
            guard let info = file.tensor(named: name) else { throw EngineError.missingTensor(name) }
            guard info.dims.count == 2, info.dims[0] == columns, info.dims[1] == rows else {
                throw EngineError.badTensor(name, "shape \(info.dims), expected [\(columns), \(rows)]")
            }
            guard lk_supports(Int32(info.type.rawValue)) else {
                throw EngineError.unsupportedTensorType(name, info.type.name)
            }
            return WeightMatrix(data: file.data(for: info).baseAddress!, type: info.type, rows: rows, columns: columns)
        }

        let c = config
        tokenEmbedding = try matrix("token_embd.weight", rows: c.vocabularySize, columns: c.embeddingLength)
        outputNorm = try vector("output_norm.weight", count: c.embeddingLength)
        output = file.tensor(named: "output.weight") == nil ? tokenEmbedding
            : try matrix("output.weight", rows: c.vocabularySize, columns: c.embeddingLength)
        layers = try (0..<c.layerCount).map { i in
            let p = "blk.\(i)."
            let t = c.traits
            return LayerWeights(
                attentionNorm: try vector(p + "attn_norm.weight", count: c.embeddingLength),
                query: try matrix(p + "attn_q.weight", rows: c.queryLength, columns: c.embeddingLength),
                key: try matrix(p + "attn_k.weight", rows: c.kvLength, columns: c.embeddingLength),
                value: try matrix(p + "attn_v.weight", rows: c.kvHeadCount * c.valueHeadDim, columns: c.embeddingLength),
                output: try matrix(p + "attn_output.weight", rows: c.embeddingLength, columns: c.headCount * c.valueHeadDim),
                queryBias: t.hasQKVBias ? try optionalVector(p + "attn_q.bias", count: c.queryLength) : nil,
                keyBias: t.hasQKVBias ? try optionalVector(p + "attn_k.bias", count: c.kvLength) : nil,
                valueBias: t.hasQKVBias ? try optionalVector(p + "attn_v.bias", count: c.kvHeadCount * c.valueHeadDim) : nil,
                queryNorm: t.hasQKNorm ? try vector(p + "attn_q_norm.weight", count: c.headDim) : nil,
                keyNorm: t.hasQKNorm ? try vector(p + "attn_k_norm.weight", count: c.headDim) : nil,
                postAttentionNorm: t.hasPostNorms ? try vector(p + "post_attention_norm.weight", count: c.embeddingLength) : nil,
                feedForwardNorm: try vector(p + "ffn_norm.weight", count: c.embeddingLength),
                gate: try matrix(p + "ffn_gate.weight", rows: c.feedForwardLength, columns: c.embeddingLength),
                up: try matrix(p + "ffn_up.weight", rows: c.feedForwardLength, columns: c.embeddingLength),
                down: try matrix(p + "ffn_down.weight", rows: c.embeddingLength, columns: c.feedForwardLength),
                postFeedForwardNorm: t.hasPostNorms ? try vector(p + "post_ffw_norm.weight", count: c.embeddingLength) : nil)
        }
    }

    deinit { arena.deallocate() }
}
