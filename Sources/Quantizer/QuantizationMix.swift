// Chooses each tensor's output type the way llama-quantize does (llama_tensor_get_type in llama.cpp's
// src/llama-quant.cpp, without imatrix and IQ types): the file type's default, more bits for output/embedding,
// attn_v and some ffn_down layers in the _M mixes, manual --tensor-type overrides, and fallbacks for rows that
// do not divide into the type's blocks. Tensors are visited in llama.cpp's order because the attn_v/ffn_down
// counters depend on it.
import GGUF

/// A `--tensor-type PATTERN=TYPE` override: the first pattern found in a tensor's name wins (regex search).
public struct TensorTypeOverride: Sendable, Equatable {
    public let pattern: String
    public let type: GGMLType

    public init(pattern: String, type: GGMLType) {
        self.pattern = pattern
        self.type = type
    }

    /// Parses `PATTERN=TYPE` (TYPE a ggml type name such as q8_0 or Q6_K).
    public init(parsing text: String) throws {
        guard let equals = text.lastIndex(of: "="), equals != text.startIndex else {
            throw QuantizerError.invalidArgument("--tensor-type '\(text)': expected PATTERN=TYPE")
        }
        let name = String(text[text.index(after: equals)...])
        guard let type = GGMLType(name: name), QuantizerTypes.canQuantize(to: type) else {
            throw QuantizerError.invalidArgument("--tensor-type '\(text)': unknown or unsupported type '\(name)' (expected one of \(QuantizerTypes.targetNames))")
        }
        let pattern = String(text[..<equals])
        guard (try? Regex(pattern)) != nil else {
            throw QuantizerError.invalidArgument("--tensor-type '\(text)': '\(pattern)' is not a valid regular expression")
        }
        self.init(pattern: pattern, type: type)
    }
}

/// The few hyperparameters the mixes look at.
public struct MixModelInfo: Sendable, Equatable {
    public var architecture: String
    public var layerCount: Int
    public var headCount: Int
    public var kvHeadCount: Int
    public var expertCount: Int

    public init(architecture: String, layerCount: Int, headCount: Int, kvHeadCount: Int, expertCount: Int) {
        self.architecture = architecture
        self.layerCount = layerCount
        self.headCount = headCount
        self.kvHeadCount = kvHeadCount
        self.expertCount = expertCount
    }

    public init(file: GGUFFile) {
        let arch = file.architecture ?? "llama"
        func first(_ key: String) -> Int? {
            if let value = file.int("\(arch).\(key)") { return value }
            return file.array("\(arch).\(key)")?.integers?.first
        }
        let heads = first("attention.head_count") ?? 1
        self.init(architecture: arch, layerCount: first("block_count") ?? 0, headCount: heads,
                  kvHeadCount: first("attention.head_count_kv") ?? heads, expertCount: first("expert_count") ?? 0)
    }

    var groupedQueryFactor: Int { kvHeadCount > 0 ? headCount / kvHeadCount : 1 }
    var isFalcon: Bool { architecture == "falcon" }
    /// llama.cpp's LLM_TYPE_70B test (only it changes a choice).
    var isLlama70B: Bool { architecture == "llama" && layerCount == 80 && headCount != kvHeadCount }
}

/// One tensor's plan: what it is and what it becomes.
public struct PlannedTensor: Sendable, Equatable {
    public let info: GGUFTensorInfo
    public let targetType: GGMLType
    /// The mix wanted another type whose blocks do not fit the rows.
    public let fellBack: Bool
    /// Chosen by a --tensor-type override.
    public let overridden: Bool

    public var name: String { info.name }
    public var needsConversion: Bool { info.type != targetType }
    public var targetByteCount: Int { targetType.byteCount(elements: info.elementCount) ?? 0 }
}

public enum QuantizationMix {
    /// The output plan for every tensor of a file, in llama.cpp's output order.
    public static func plan(tensors: [GGUFTensorInfo], model: MixModelInfo, fileType: QuantFileType,
                            overrides: [TensorTypeOverride] = [], pure: Bool = false) throws -> [PlannedTensor] {
        let ordered = tensors.sorted { TensorCategory.llamaOrder($0.name, $1.name) }
        var state = MixState(model: model, fileType: fileType)
        state.attentionVCount = ordered.filter { TensorCategory(name: $0.name).isAttentionV }.count
        state.tiedEmbeddings = !ordered.contains { TensorCategory(name: $0.name) == .output }
        let regexes = try overrides.map { (try Regex($0.pattern), $0.type) }
        return try ordered.map { info in
            guard TensorCategory.allowsQuantization(name: info.name, dims: info.dims) else {
                // Kept as they are, except that 1-D half-precision tensors (norms, biases) become F32.
                let keep = TensorCategory.dimensionCount(info.dims) == 1 && (info.type == .f16 || info.type == .bf16)
                return PlannedTensor(info: info, targetType: keep ? .f32 : info.type, fellBack: false, overridden: false)
            }
            var type = fileType.defaultType
            var manual = false
            var fellBack = false
            if type.isQuantized {
                if let match = regexes.first(where: { (try? $0.0.firstMatch(in: info.name)) != nil }) {
                    type = match.1
                    manual = true
                }
                if !manual && !pure { type = state.choose(type, for: info) }
                let fallback = try fallbackType(type, rowLength: info.rowLength, name: info.name)
                fellBack = fallback != type
                type = fallback
            }
            return PlannedTensor(info: info, targetType: type, fellBack: fellBack, overridden: manual)
        }
    }

    /// tensor_type_fallback: a type whose blocks fit the row length (K-quants need multiples of 256).
    static func fallbackType(_ type: GGMLType, rowLength: Int, name: String) throws -> GGMLType {
        guard rowLength % type.blockSize != 0 else { return type }
        var result: GGMLType
        switch type {
        case .q2_K, .q3_K: result = .q4_0
        case .q4_K: result = .q5_0
        case .q5_K: result = .q5_1
        case .q6_K: result = .q8_0
        default:
            throw QuantizerError.invalidArgument("tensor '\(name)': rows of \(rowLength) do not fit \(type) blocks of \(type.blockSize) and no fallback is defined")
        }
        if rowLength % result.blockSize != 0 { result = .f16 }
        return result
    }
}

/// The counters llama_tensor_get_type_impl keeps while it walks the tensors.
private struct MixState {
    let model: MixModelInfo
    let fileType: QuantFileType
    var attentionVCount = 0
    var attentionVIndex = 0
    var ffnDownIndex = 0
    var tiedEmbeddings = true

    init(model: MixModelInfo, fileType: QuantFileType) {
        self.model = model
        self.fileType = fileType
    }

    static func useMoreBits(_ layer: Int, _ layers: Int) -> Bool {
        layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2
    }

    /// The layer of an ffn tensor: the running counter, or the name's block number for MoE models.
    func layer(_ counter: Int, _ info: GGUFTensorInfo) -> Int {
        model.expertCount > 1 ? (TensorCategory.layerIndex(info.name) ?? counter) : counter
    }

    mutating func choose(_ defaultType: GGMLType, for info: GGUFTensorInfo) -> GGMLType {
        var newType = defaultType
        let category = TensorCategory(name: info.name)
        let ftype = fileType
        let gqa = model.groupedQueryFactor
        let experts = model.expertCount
        let layers = model.layerCount
        if category == .output || (tiedEmbeddings && category == .tokenEmbedding) {
            if model.isFalcon || info.rowLength % newType.blockSize != 0 {
                newType = .q8_0
            } else if newType != .q8_0 {
                newType = .q6_K
            }
        } else if category == .tokenEmbedding {
            // Only IQ/ternary file types change untied embeddings.
        } else if category.isAttentionV {
            switch ftype {
            case .q2_K: newType = gqa >= 4 ? .q4_K : .q3_K
            case .q3_K_M: newType = attentionVIndex < 2 ? .q5_K : .q4_K
            case .q3_K_L: newType = .q5_K
            case .q4_K_M, .q5_K_M: if Self.useMoreBits(attentionVIndex, attentionVCount) { newType = .q6_K }
            case .q4_K_S: if attentionVIndex < 4 { newType = .q5_K }
            default: break
            }
            if model.isLlama70B && (newType == .q3_K || newType == .q4_K) { newType = .q5_K }
            if experts == 8 { newType = .q8_0 }
            attentionVIndex += 1
        } else if category == .attentionK {
            if experts == 8 { newType = .q8_0 }
        } else if category == .ffnDown {
            let layer = layer(ffnDownIndex, info)
            switch ftype {
            case .q2_K: newType = .q3_K
            case .q3_K_M:
                newType = layer < layers / 16 ? .q5_K
                    : (!model.isFalcon || Self.useMoreBits(layer, layers)) ? .q4_K : .q3_K
            case .q3_K_L: newType = model.isFalcon ? .q4_K : .q5_K
            case .q4_K_M:
                if model.isFalcon {
                    newType = layer < layers / 16 ? .q6_K : Self.useMoreBits(layer, layers) ? .q5_K : .q4_K
                } else if Self.useMoreBits(layer, layers) {
                    newType = .q6_K
                }
            case .q5_K_M: if Self.useMoreBits(layer, layers) { newType = .q6_K }
            case .q4_K_S: if !model.isFalcon && layer < layers / 8 { newType = .q5_K }
            default: break
            }
            ffnDownIndex += 1
        } else if category == .attentionOutput {
            if !model.isFalcon {
                if experts == 8 {
                    if [.q2_K, .q3_K_S, .q3_K_M, .q4_K_S, .q4_K_M].contains(ftype) { newType = .q5_K }
                } else {
                    switch ftype {
                    case .q2_K: newType = .q3_K
                    case .q3_K_M: newType = .q4_K
                    case .q3_K_L: newType = .q5_K
                    default: break
                    }
                }
            } else if ftype == .q3_K_L {
                newType = .q4_K
            }
        } else if category == .attentionQKV {
            switch ftype {
            case .q3_K_M, .q3_K_L: newType = .q4_K
            case .q4_K_M: newType = .q5_K
            case .q5_K_M: newType = .q6_K
            default: break
            }
        }
        return newType
    }
}
