// A LoRA adapter in memory: for each adapted projection (layer, target) a pair of low-rank matrices A and B
// such that the adapted layer computes y = W x + scale · (alpha / rank) · B (A x).
// Layouts are PyTorch's row-major ones, which are also what llama.cpp's GGUF adapters store:
//   A = lora_A.weight: [rank][inputs]    (GGUF dims, fastest first: [inputs, rank])
//   B = lora_B.weight: [outputs][rank]   (GGUF dims: [rank, outputs])
// Rows of B follow the GGUF model's row order (for llama Q/K that is the converter's permuted order; PEFT
// export and import undo and redo that permutation).

public struct LoRAKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var layer: Int
    public var target: LoRATarget

    public init(layer: Int, target: LoRATarget) {
        self.layer = layer
        self.target = target
    }

    public static func < (a: LoRAKey, b: LoRAKey) -> Bool { (a.layer, a.target) < (b.layer, b.target) }
    public var description: String { target.tensorName(layer: layer) }
}

public struct LoRAPair: Sendable, Equatable {
    public var rank: Int
    public var inputs: Int
    public var outputs: Int
    /// [rank][inputs]
    public var a: [Float]
    /// [outputs][rank]
    public var b: [Float]

    public init(rank: Int, inputs: Int, outputs: Int, a: [Float], b: [Float]) {
        precondition(a.count == rank * inputs && b.count == outputs * rank, "LoRA pair shapes")
        self.rank = rank
        self.inputs = inputs
        self.outputs = outputs
        self.a = a
        self.b = b
    }

    /// The dense update B·A as [outputs][inputs], times `scale`.
    public func delta(scale: Float) -> [Float] {
        var out = [Float](repeating: 0, count: outputs * inputs)
        for o in 0..<outputs {
            for r in 0..<rank {
                let coefficient = scale * b[o * rank + r]
                if coefficient == 0 { continue }
                for i in 0..<inputs { out[o * inputs + i] += coefficient * a[r * inputs + i] }
            }
        }
        return out
    }
}

public struct LoRAAdapter: Sendable, Equatable {
    /// `general.architecture` of the base model ("llama").
    public var architecture: String
    /// LoRA alpha; the effective scale of each pair is alpha / rank (1 when alpha is 0, as llama.cpp does).
    public var alpha: Float
    public var pairs: [LoRAKey: LoRAPair]
    /// Informational: the base model's name and the dropout used in training (PEFT config fields).
    public var baseModelName: String?
    public var dropout: Float = 0

    public init(architecture: String, alpha: Float, pairs: [LoRAKey: LoRAPair], baseModelName: String? = nil) {
        self.architecture = architecture
        self.alpha = alpha
        self.pairs = pairs
        self.baseModelName = baseModelName
    }

    /// The rank of the first pair (adapters written by Lathe use one rank throughout).
    public var rank: Int { pairs.values.first?.rank ?? 0 }
    public var targets: [LoRATarget] { Array(Set(pairs.keys.map(\.target))).sorted() }
    public var layers: [Int] { Array(Set(pairs.keys.map(\.layer))).sorted() }
    public var parameterCount: Int { pairs.values.reduce(0) { $0 + $1.a.count + $1.b.count } }

    /// The factor in front of B·A for a pair at user scale `scale`, as llama.cpp computes it.
    public func effectiveScale(_ pair: LoRAPair, userScale: Float) -> Float {
        alpha == 0 ? userScale : userScale * alpha / Float(pair.rank)
    }
}
