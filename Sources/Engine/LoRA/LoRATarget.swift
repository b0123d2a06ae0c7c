// The projections a LoRA adapter can adapt, with their names in GGUF (llama.cpp) and in PEFT (Hugging Face).

public enum LoRATarget: String, Sendable, CaseIterable, Codable, Comparable {
    case query = "q", key = "k", value = "v", output = "o", gate, up, down

    /// The short names `--targets` accepts: q,k,v,o,gate,up,down.
    public var shortName: String { rawValue }

    /// llama.cpp's tensor name inside block N: `blk.N.<name>.weight`.
    public var ggufName: String {
        switch self {
        case .query: "attn_q"
        case .key: "attn_k"
        case .value: "attn_v"
        case .output: "attn_output"
        case .gate: "ffn_gate"
        case .up: "ffn_up"
        case .down: "ffn_down"
        }
    }

    /// The Hugging Face module path inside a decoder layer (`self_attn.q_proj`); the last part is what
    /// PEFT's `target_modules` lists.
    public var peftModule: String {
        switch self {
        case .query: "self_attn.q_proj"
        case .key: "self_attn.k_proj"
        case .value: "self_attn.v_proj"
        case .output: "self_attn.o_proj"
        case .gate: "mlp.gate_proj"
        case .up: "mlp.up_proj"
        case .down: "mlp.down_proj"
        }
    }

    public var peftTargetModule: String { String(peftModule.split(separator: ".").last!) }

    /// `blk.N.attn_q.weight`: the base tensor the adapter pair modifies.
    public func tensorName(layer: Int) -> String { "blk.\(layer).\(ggufName).weight" }

    /// Parses "q,v" or "all" (every projection) into targets; throws a one-line error naming the bad part.
    public static func parseList(_ text: String) throws -> [LoRATarget] {
        if text == "all" { return allCases }
        var out: [LoRATarget] = []
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let t = LoRATarget(rawValue: part) ?? allCases.first(where: { $0.peftTargetModule == part }) else {
                throw LoRAError.badTargets("'\(part)' is not one of q,k,v,o,gate,up,down (or all)")
            }
            if !out.contains(t) { out.append(t) }
        }
        guard !out.isEmpty else { throw LoRAError.badTargets("no targets given") }
        return out.sorted()
    }

    public static func < (a: LoRATarget, b: LoRATarget) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// The target for a llama.cpp tensor name part (`attn_q` → `.query`).
    init?(ggufName: String) {
        guard let t = LoRATarget.allCases.first(where: { $0.ggufName == ggufName }) else { return nil }
        self = t
    }
}

import Foundation

public enum LoRAError: Error, LocalizedError, Equatable, Sendable {
    case badTargets(String)
    case badAdapter(path: String, reason: String)
    case mismatch(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .badTargets(let why): return "--targets: \(why)"
        case let .badAdapter(path, why): return "\(path): \(why)"
        case let .mismatch(path, why): return "\(path): adapter does not fit the model: \(why)"
        }
    }
}
