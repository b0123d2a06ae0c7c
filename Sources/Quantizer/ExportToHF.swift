// GGUF (llama family) -> a Hugging Face checkpoint directory: config.json, tokenizer.json,
// tokenizer_config.json (with the chat template), and the weights dequantized to F32/F16/BF16 safetensors,
// sharded with model.safetensors.index.json when they exceed the shard size. q/k rows are un-permuted back to
// HF's order. This makes a real checkpoint to test the converter with, and lets GGUF-only models be fine-tuned
// by HF tooling.
import Foundation
import GGUF
import Kernels

public enum ExportToHF {
    public struct Options: Sendable {
        public var dtype: SafetensorsDType
        /// Bytes per shard before a new one starts (a tensor never spans shards).
        public var shardBytes: Int

        public init(dtype: SafetensorsDType = .f16, shardBytes: Int = 2 << 30) {
            self.dtype = dtype
            self.shardBytes = shardBytes
        }
    }

    public struct Result: Sendable {
        public var files: [String]
        public var tensors: Int
    }

    public static func run(model path: String, to directory: String, options: Options = Options()) throws -> Result {
        let file = try GGUFFile(path: path)
        guard file.architecture == "llama" else {
            throw QuantizerError.badInput(path: path, reason: "general.architecture is '\(file.architecture ?? "missing")'; only llama models can be exported")
        }
        let info = MixModelInfo(file: file)
        let vocab = try GGUFVocabulary(file: file)
        let dir = URL(fileURLWithPath: directory)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)

        // Weights: every tensor with an HF name, in GGUF order, grouped into shards.
        var entries: [(info: GGUFTensorInfo, hf: String)] = []
        for tensor in file.tensors {
            guard let hf = LlamaTensorNames.hf(fromGGUF: tensor.name) else {
                throw QuantizerError.badInput(path: path, reason: "tensor '\(tensor.name)' has no Hugging Face llama name")
            }
            guard tensor.type.isSupportedByKernels else { throw QuantizerError.unsupportedType(tensor: tensor.name, type: tensor.type.name) }
            entries.append((tensor, hf))
        }
        var shards: [[(info: GGUFTensorInfo, hf: String)]] = [[]]
        var shardSize = 0
        for entry in entries {
            let bytes = entry.info.elementCount * options.dtype.byteSize
            if shardSize > 0 && shardSize + bytes > options.shardBytes {
                shards.append([])
                shardSize = 0
            }
            shards[shards.count - 1].append(entry)
            shardSize += bytes
        }
        let names = shards.count == 1 ? ["model.safetensors"]
            : (1...shards.count).map { String(format: "model-%05d-of-%05d.safetensors", $0, shards.count) }
        var weightMap: [String: String] = [:]
        var total = 0
        for (shard, name) in zip(shards, names) {
            let shapes = shard.map { (name: $0.hf, dtype: options.dtype, shape: Array($0.info.dims.reversed())) }
            var writer = try SafetensorsWriter(path: dir.appendingPathComponent(name).path, tensors: shapes)
            do {
                for entry in shard {
                    try writeTensor(entry.info, file: file, info: info, dtype: options.dtype, into: &writer)
                    weightMap[entry.hf] = name
                    total += entry.info.elementCount * options.dtype.byteSize
                }
                try writer.finish()
            } catch {
                writer.abort()
                throw error
            }
        }
        if shards.count > 1 {
            try HFTokenizerFiles.writeJSON(["metadata": ["total_size": total], "weight_map": weightMap],
                                           to: dir.appendingPathComponent("model.safetensors.index.json"))
        }
        try HFTokenizerFiles.writeJSON(config(file, info: info, vocab: vocab, dtype: options.dtype),
                                       to: dir.appendingPathComponent("config.json"))
        try HFTokenizerFiles.writeJSON(HFTokenizerFiles.tokenizerJSON(vocab), to: dir.appendingPathComponent("tokenizer.json"))
        try HFTokenizerFiles.writeJSON(HFTokenizerFiles.tokenizerConfigJSON(vocab, contextLength: file.archInt("context_length")),
                                       to: dir.appendingPathComponent("tokenizer_config.json"))
        return Result(files: names + (shards.count > 1 ? ["model.safetensors.index.json"] : [])
                      + ["config.json", "tokenizer.json", "tokenizer_config.json"], tensors: entries.count)
    }

    static func writeTensor(_ tensor: GGUFTensorInfo, file: GGUFFile, info: MixModelInfo, dtype: SafetensorsDType,
                            into writer: inout SafetensorsWriter) throws {
        let count = tensor.elementCount
        let floats = UnsafeMutablePointer<Float>.allocate(capacity: count)
        defer { floats.deallocate() }
        Quantization.dequantize(tensor.type, file.data(for: tensor).baseAddress!, into: floats, count: count)
        if let heads = LlamaTensorNames.permuteHeads(tensor.name, headCount: info.headCount, kvHeadCount: info.kvHeadCount) {
            let permuted = UnsafeMutablePointer<Float>.allocate(capacity: count)
            defer { permuted.deallocate() }
            LlamaTensorNames.permuteToHF(floats, into: permuted, rows: tensor.rowCount, rowLength: tensor.rowLength, heads: heads)
            floats.update(from: permuted, count: count)
        }
        let out = UnsafeMutableRawPointer.allocate(byteCount: count * dtype.byteSize, alignment: 64)
        defer { out.deallocate() }
        dtype.fromFloat(floats, into: out, count: count)
        try writer.write(UnsafeRawBufferPointer(start: out, count: count * dtype.byteSize))
    }

    static func config(_ file: GGUFFile, info: MixModelInfo, vocab: GGUFVocabulary, dtype: SafetensorsDType) -> [String: Any] {
        let embedding = file.archInt("embedding_length") ?? 0
        var config: [String: Any] = [
            "architectures": ["LlamaForCausalLM"], "model_type": "llama",
            "hidden_size": embedding,
            "intermediate_size": file.archInt("feed_forward_length") ?? 0,
            "num_hidden_layers": info.layerCount,
            "num_attention_heads": info.headCount,
            "num_key_value_heads": info.kvHeadCount,
            "max_position_embeddings": file.archInt("context_length") ?? 2048,
            "rms_norm_eps": file.archDouble("attention.layer_norm_rms_epsilon") ?? 1e-5,
            "rope_theta": file.archDouble("rope.freq_base") ?? 10_000,
            "vocab_size": file.archInt("vocab_size") ?? vocab.tokens.count,
            "tie_word_embeddings": file.tensor(named: "output.weight") == nil,
            "hidden_act": "silu", "attention_bias": false, "mlp_bias": false,
            "torch_dtype": ["F32": "float32", "F16": "float16", "BF16": "bfloat16"][dtype.rawValue]!,
        ]
        if let head = file.archInt("rope.dimension_count"), info.headCount > 0, head != embedding / info.headCount {
            config["head_dim"] = head
        }
        if let bos = vocab.bos { config["bos_token_id"] = bos }
        if let eos = vocab.eos { config["eos_token_id"] = eos }
        return config
    }
}
