// Writes a trained model as a GGUF the Engine (and llama.cpp) loads: architecture llama, F32 tensors named and
// shaped as llama.cpp expects (dims fastest-first: a [rows × columns] matrix is [columns, rows]), the
// tokenizer metadata and a chat template. Written to a temporary file and renamed.
import GGUF

public enum GGUFExport {
    public static func write(shape c: ModelShape, parameters: ParameterStore<Float>, vocabulary: BPEVocabulary?,
                             name: String, to path: String) throws {
        var w = GGUFWriter()
        w.set("general.architecture", .string("llama"))
        w.set("general.name", .string(name))
        w.set("general.file_type", .uint32(0))  // all F32
        w.set("llama.block_count", .uint32(UInt32(c.layers)))
        w.set("llama.context_length", .uint32(UInt32(c.context)))
        w.set("llama.embedding_length", .uint32(UInt32(c.dim)))
        w.set("llama.feed_forward_length", .uint32(UInt32(c.ffn)))
        w.set("llama.attention.head_count", .uint32(UInt32(c.heads)))
        w.set("llama.attention.head_count_kv", .uint32(UInt32(c.kvHeads)))
        if c.headDim != c.dim / c.heads {
            w.set("llama.attention.key_length", .uint32(UInt32(c.headDim)))
            w.set("llama.attention.value_length", .uint32(UInt32(c.headDim)))
        }
        w.set("llama.rope.dimension_count", .uint32(UInt32(c.headDim)))
        w.set("llama.rope.freq_base", .float32(Float(c.ropeBase)))
        w.set("llama.attention.layer_norm_rms_epsilon", .float32(Float(c.normEps)))
        w.set("llama.vocab_size", .uint32(UInt32(c.vocab)))
        if let vocabulary {
            for (key, value) in vocabulary.metadata { w.set(key, value) }
        }
        for (i, spec) in parameters.specs.enumerated() {
            let offset = parameters.offsets[i], count = spec.count
            w.addTensor(name: spec.name, dims: spec.shape.reversed(), type: .f32) { [parameters] in
                UnsafeRawBufferPointer(start: parameters.values + offset, count: count * 4)
            }
        }
        try w.write(to: path)
    }
}
