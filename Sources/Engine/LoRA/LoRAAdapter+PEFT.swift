// LoRA adapters as PEFT files (Hugging Face): a directory with adapter_model.safetensors, tensors named
// `base_model.model.model.layers.N.self_attn.q_proj.lora_A.weight` ([rank, inputs]) and `…lora_B.weight`
// ([outputs, rank]), and adapter_config.json (peft_type LORA, r, lora_alpha, target_modules …).
// llama.cpp's converter permutes the rows of llama's Q and K weights for its rope layout; B's rows follow
// the GGUF order here, so export undoes that permutation and import redoes it.
import Foundation

extension LoRAAdapter {
    public static let peftWeightsFile = "adapter_model.safetensors"
    public static let peftConfigFile = "adapter_config.json"

    static func peftName(_ key: LoRAKey, _ matrix: String) -> String {
        "base_model.model.model.layers.\(key.layer).\(key.target.peftModule).\(matrix).weight"
    }

    /// Writes adapter_model.safetensors and adapter_config.json into `directory` (created if needed).
    /// `headCount`/`kvHeadCount` are needed to undo llama's Q/K row permutation.
    public func writePEFT(to directory: String, headCount: Int, kvHeadCount: Int) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var tensors: [String: Safetensors.Tensor] = [:]
        for (key, pair) in pairs {
            let b = permutesRows(key.target) ? Self.rowsGGUFToHF(pair.b, rows: pair.outputs, width: pair.rank,
                                                                heads: key.target == .query ? headCount : kvHeadCount)
                                             : pair.b
            tensors[Self.peftName(key, "lora_A")] = .init(shape: [pair.rank, pair.inputs], values: pair.a)
            tensors[Self.peftName(key, "lora_B")] = .init(shape: [pair.outputs, pair.rank], values: b)
        }
        try Safetensors.write(tensors, to: directory + "/" + Self.peftWeightsFile)
        let config: [String: Any] = [
            "peft_type": "LORA", "task_type": "CAUSAL_LM", "r": rank, "lora_alpha": Self.decimal(alpha),
            "lora_dropout": Self.decimal(dropout), "bias": "none", "fan_in_fan_out": false, "inference_mode": true,
            "target_modules": targets.map(\.peftTargetModule),
            "base_model_name_or_path": baseModelName ?? "",
        ]
        let json = try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys])
        try json.write(to: URL(fileURLWithPath: directory + "/" + Self.peftConfigFile), options: .atomic)
    }

    /// Reads a PEFT adapter directory for a base model of `architecture` with the given head counts.
    public init(peftDirectory directory: String, architecture: String, headCount: Int, kvHeadCount: Int) throws {
        let configPath = directory + "/" + Self.peftConfigFile
        guard let data = FileManager.default.contents(atPath: configPath),
              let config = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw LoRAError.badAdapter(path: configPath, reason: "missing or not a JSON object")
        }
        guard (config["peft_type"] as? String)?.uppercased() == "LORA" else {
            throw LoRAError.badAdapter(path: configPath, reason: "peft_type is not LORA")
        }
        let weightsPath = directory + "/" + Self.peftWeightsFile
        let tensors = try Safetensors.read(path: weightsPath)
        var pairs: [LoRAKey: LoRAPair] = [:]
        for (name, a) in tensors where name.hasSuffix(".lora_A.weight") {
            let stem = String(name.dropLast(".lora_A.weight".count))
            guard let b = tensors[stem + ".lora_B.weight"] else {
                throw LoRAError.badAdapter(path: weightsPath, reason: "'\(name)' has no lora_B partner")
            }
            let parts = stem.split(separator: ".")
            guard let index = parts.firstIndex(of: "layers"), index + 3 < parts.count, let layer = Int(parts[index + 1]),
                  let target = LoRATarget.allCases.first(where: { $0.peftModule == parts[(index + 2)...].joined(separator: ".") }),
                  a.shape.count == 2, b.shape.count == 2, a.shape[0] == b.shape[1] else {
                throw LoRAError.badAdapter(path: weightsPath, reason: "tensor '\(name)' is not a LoRA pair of a known projection")
            }
            let key = LoRAKey(layer: layer, target: target)
            let rank = a.shape[0]
            let heads = target == .query ? headCount : kvHeadCount
            let rows = architecture == "llama" && (target == .query || target == .key)
                ? Self.rowsHFToGGUF(b.values, rows: b.shape[0], width: rank, heads: heads) : b.values
            pairs[key] = LoRAPair(rank: rank, inputs: a.shape[1], outputs: b.shape[0], a: a.values, b: rows)
        }
        guard !pairs.isEmpty else { throw LoRAError.badAdapter(path: weightsPath, reason: "no lora_A/lora_B tensors") }
        self.init(architecture: architecture, alpha: Float(config["lora_alpha"] as? Double ?? 0), pairs: pairs,
                  baseModelName: config["base_model_name_or_path"] as? String)
        dropout = Float(config["lora_dropout"] as? Double ?? 0)
    }

    /// The Double that prints as `value` does (0.05, not Double(Float(0.05)) = 0.05000000074505806), for JSON.
    private static func decimal(_ value: Float) -> Double { Double(value.description) ?? Double(value) }

    private func permutesRows(_ target: LoRATarget) -> Bool {
        architecture == "llama" && (target == .query || target == .key)
    }

    /// convert_hf_to_gguf's permute: within each head, HF row (half, i) becomes GGUF row (i, half).
    static func rowsHFToGGUF(_ m: [Float], rows: Int, width: Int, heads: Int) -> [Float] {
        permuteRows(m, rows: rows, width: width, heads: heads, toGGUF: true)
    }

    static func rowsGGUFToHF(_ m: [Float], rows: Int, width: Int, heads: Int) -> [Float] {
        permuteRows(m, rows: rows, width: width, heads: heads, toGGUF: false)
    }

    private static func permuteRows(_ m: [Float], rows: Int, width: Int, heads: Int, toGGUF: Bool) -> [Float] {
        let headDim = rows / heads, half = headDim / 2
        var out = m
        for h in 0..<heads {
            for part in 0..<2 {
                for i in 0..<half {
                    let hf = h * headDim + part * half + i
                    let gguf = h * headDim + i * 2 + part
                    let (from, to) = toGGUF ? (hf, gguf) : (gguf, hf)
                    for c in 0..<width { out[to * width + c] = m[from * width + c] }
                }
            }
        }
        return out
    }
}
