// A Hugging Face llama-family checkpoint directory -> GGUF, as convert_hf_to_gguf.py does it: hyperparameters
// from config.json, the SentencePiece vocabulary from tokenizer.model or else the byte-level BPE one from
// tokenizer.json, special tokens and the chat template from tokenizer_config.json, weights from
// model.safetensors or the shards listed in model.safetensors.index.json (F32/F16/BF16). q/k projections are permuted to llama.cpp's rotary layout;
// 1-D tensors are stored F32, matrices in the requested type. Streams one tensor at a time.
import Foundation
import GGUF
import Kernels

public enum ConvertHFToGGUF {
    public enum OutType: String, CaseIterable, Sendable {
        case f32, f16, bf16, q8_0

        var ggmlType: GGMLType {
            switch self {
            case .f32: .f32
            case .f16: .f16
            case .bf16: .bf16
            case .q8_0: .q8_0
            }
        }

        var fileType: QuantFileType {
            switch self {
            case .f32: .f32
            case .f16: .f16
            case .bf16: .bf16
            case .q8_0: .q8_0
            }
        }
    }

    public struct Result: Sendable {
        public var output: String
        public var tensors: Int
        public var outputBytes: Int
        public var warnings: [String]
    }

    /// Hyperparameters read from config.json.
    struct Config {
        var hidden: Int, intermediate: Int, layers: Int, heads: Int, kvHeads: Int
        var contextLength: Int, rmsEpsilon: Double, ropeTheta: Double, vocabularySize: Int?, headDimension: Int

        init(_ json: [String: Any], path: String) throws {
            let architectures = json["architectures"] as? [String] ?? []
            guard json["model_type"] as? String == "llama" || architectures.contains("LlamaForCausalLM") else {
                throw QuantizerError.badInput(path: path, reason: "model_type '\(json["model_type"] ?? "missing")': only llama models (LlamaForCausalLM) can be converted")
            }
            func int(_ key: String) throws -> Int {
                guard let value = json[key] as? Int else {
                    throw QuantizerError.badInput(path: path, reason: "\(key): expected an integer")
                }
                return value
            }
            hidden = try int("hidden_size")
            intermediate = try int("intermediate_size")
            layers = try int("num_hidden_layers")
            heads = try int("num_attention_heads")
            kvHeads = json["num_key_value_heads"] as? Int ?? heads
            contextLength = json["max_position_embeddings"] as? Int ?? 2048
            rmsEpsilon = json["rms_norm_eps"] as? Double ?? 1e-6
            ropeTheta = json["rope_theta"] as? Double ?? 10_000
            vocabularySize = json["vocab_size"] as? Int
            headDimension = json["head_dim"] as? Int ?? hidden / max(heads, 1)
        }
    }

    public static func run(directory: String, output: String, outType: OutType = .f16,
                           progress: (Int, Int, String) -> Void = { _, _, _ in }) throws -> Result {
        let dir = URL(fileURLWithPath: directory)
        let configURL = dir.appendingPathComponent("config.json")
        let configJSON = try HFTokenizerFiles.readJSON(configURL)
        let config = try Config(configJSON, path: configURL.path)
        var warnings: [String] = []
        if let scaling = configJSON["rope_scaling"], !(scaling is NSNull) {
            warnings.append("config.json rope_scaling is not converted (the model will use plain rope)")
        }
        let vocab = try HFTokenizerFiles.read(directory: dir, vocabularySize: config.vocabularySize, config: configJSON)
        let files = try weightFiles(dir).map { try SafetensorsFile(path: $0) }

        // Map every checkpoint tensor to its GGUF name and output type.
        var sources: [String: (file: SafetensorsFile, tensor: SafetensorsTensor)] = [:]
        var infos: [GGUFTensorInfo] = []
        for file in files {
            for tensor in file.tensors {
                if tensor.name.hasSuffix("rotary_emb.inv_freq") { continue }
                guard let name = LlamaTensorNames.gguf(fromHF: tensor.name) else {
                    throw QuantizerError.badInput(path: file.path, reason: "tensor '\(tensor.name)' is not a llama tensor this converter knows")
                }
                let dims = Array(tensor.shape.reversed())
                var type = TensorCategory.dimensionCount(dims) == 1 ? GGMLType.f32 : outType.ggmlType
                if type == .q8_0 && dims[0] % 32 != 0 { type = .f16 }
                sources[name] = (file, tensor)
                infos.append(GGUFTensorInfo(name: name, dims: dims, type: type, offset: 0))
            }
        }
        guard sources["token_embd.weight"] != nil else {
            throw QuantizerError.badInput(path: directory, reason: "no model.embed_tokens.weight in the safetensors files")
        }
        infos.sort { TensorCategory.llamaOrder($0.name, $1.name) }

        var header = metadata(config: config, vocab: vocab, name: dir.lastPathComponent, fileType: outType.fileType)
        for info in infos {
            header.addTensor(name: info.name, dims: info.dims, type: info.type) { UnsafeRawBufferPointer(start: nil, count: 0) }
        }
        var writer = try GGUFStreamWriter(path: output, header: header)
        do {
            for (index, info) in infos.enumerated() {
                progress(index, infos.count, info.name)
                let source = sources[info.name]!
                try convertTensor(source.file, source.tensor, to: info, config: config, writer: &writer)
            }
            try writer.finish()
        } catch {
            writer.abort()
            throw error
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
        return Result(output: output, tensors: infos.count, outputBytes: size, warnings: warnings)
    }

    /// The safetensors files of a checkpoint: those of the index when there is one, else model.safetensors,
    /// else every *.safetensors in the directory.
    static func weightFiles(_ dir: URL) throws -> [String] {
        let index = dir.appendingPathComponent("model.safetensors.index.json")
        if FileManager.default.fileExists(atPath: index.path) {
            guard let map = try HFTokenizerFiles.readJSON(index)["weight_map"] as? [String: String] else {
                throw QuantizerError.badInput(path: index.path, reason: "weight_map: expected an object of tensor -> file")
            }
            return Set(map.values).sorted().map { dir.appendingPathComponent($0).path }
        }
        let single = dir.appendingPathComponent("model.safetensors")
        if FileManager.default.fileExists(atPath: single.path) { return [single.path] }
        let all = (try? FileManager.default.contentsOfDirectory(atPath: dir.path))?.filter { $0.hasSuffix(".safetensors") }.sorted() ?? []
        guard !all.isEmpty else { throw QuantizerError.badInput(path: dir.path, reason: "no *.safetensors files") }
        return all.map { dir.appendingPathComponent($0).path }
    }

    static func convertTensor(_ file: SafetensorsFile, _ tensor: SafetensorsTensor, to info: GGUFTensorInfo,
                              config: Config, writer: inout GGUFStreamWriter) throws {
        let count = tensor.elementCount
        let floats = UnsafeMutablePointer<Float>.allocate(capacity: count)
        defer { floats.deallocate() }
        tensor.dtype.toFloat(file.data(tensor), into: floats, count: count)
        if let heads = LlamaTensorNames.permuteHeads(info.name, headCount: config.heads, kvHeadCount: config.kvHeads) {
            guard info.rowCount % (2 * heads) == 0 else {
                throw QuantizerError.badInput(path: file.path, reason: "tensor '\(tensor.name)': \(info.rowCount) rows do not split into \(heads) heads of rotary pairs")
            }
            let permuted = UnsafeMutablePointer<Float>.allocate(capacity: count)
            defer { permuted.deallocate() }
            LlamaTensorNames.permuteToGGUF(floats, into: permuted, rows: info.rowCount, rowLength: info.rowLength, heads: heads)
            floats.update(from: permuted, count: count)
        }
        let bytes = info.byteCount
        let out = UnsafeMutableRawPointer.allocate(byteCount: max(bytes, 1), alignment: 64)
        defer { out.deallocate() }
        Quantization.quantizeReference(info.type, floats, into: out, count: count)
        try writer.append(UnsafeRawBufferPointer(start: out, count: bytes))
        try writer.endTensor()
    }

    /// The metadata convert_hf_to_gguf.py writes for a llama model (byte-level BPE or SentencePiece tokenizer).
    static func metadata(config: Config, vocab: GGUFVocabulary, name: String, fileType: QuantFileType) -> GGUFWriter {
        var writer = GGUFWriter()
        writer.set("general.architecture", .string("llama"))
        writer.set("general.type", .string("model"))
        writer.set("general.name", .string(name))
        writer.set("llama.block_count", .uint32(UInt32(config.layers)))
        writer.set("llama.context_length", .uint32(UInt32(config.contextLength)))
        writer.set("llama.embedding_length", .uint32(UInt32(config.hidden)))
        writer.set("llama.feed_forward_length", .uint32(UInt32(config.intermediate)))
        writer.set("llama.attention.head_count", .uint32(UInt32(config.heads)))
        writer.set("llama.attention.head_count_kv", .uint32(UInt32(config.kvHeads)))
        writer.set("llama.rope.freq_base", .float32(Float(config.ropeTheta)))
        writer.set("llama.attention.layer_norm_rms_epsilon", .float32(Float(config.rmsEpsilon)))
        writer.set("general.file_type", .uint32(fileType.id))
        writer.set("llama.vocab_size", .uint32(UInt32(vocab.tokens.count)))
        writer.set("llama.rope.dimension_count", .uint32(UInt32(config.headDimension)))
        writer.set("tokenizer.ggml.model", .string(vocab.model))
        writer.set("tokenizer.ggml.pre", .string(vocab.preTokenizer))
        writer.set("tokenizer.ggml.tokens", .array(.string(vocab.tokens)))
        if let scores = vocab.scores { writer.set("tokenizer.ggml.scores", .array(.float32(scores))) }
        writer.set("tokenizer.ggml.token_type", .array(.int32(vocab.tokenTypes)))
        if vocab.model == "gpt2" { writer.set("tokenizer.ggml.merges", .array(.string(vocab.merges))) }
        if !vocab.addSpacePrefix { writer.set("tokenizer.ggml.add_space_prefix", .bool(false)) }
        if let id = vocab.bos { writer.set("tokenizer.ggml.bos_token_id", .uint32(UInt32(id))) }
        if let id = vocab.eos { writer.set("tokenizer.ggml.eos_token_id", .uint32(UInt32(id))) }
        if let id = vocab.unknown { writer.set("tokenizer.ggml.unknown_token_id", .uint32(UInt32(id))) }
        if let id = vocab.padding { writer.set("tokenizer.ggml.padding_token_id", .uint32(UInt32(id))) }
        writer.set("tokenizer.ggml.add_bos_token", .bool(vocab.addBOS))
        if let template = vocab.chatTemplate { writer.set("tokenizer.chat_template", .string(template)) }
        writer.set("general.quantization_version", .uint32(2))
        return writer
    }
}
