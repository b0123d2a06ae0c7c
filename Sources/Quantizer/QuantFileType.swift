// The file types llama-quantize accepts (llama_ftype), spelled as it spells them, with the id stored in
// `general.file_type` and the tensor type most weights get (llama_ftype_get_default_type).
import GGUF

public enum QuantFileType: String, CaseIterable, Sendable, Codable {
    case f32 = "F32", f16 = "F16", bf16 = "BF16"
    case q8_0 = "Q8_0", q4_0 = "Q4_0", q4_1 = "Q4_1", q5_0 = "Q5_0", q5_1 = "Q5_1"
    case q2_K = "Q2_K", q3_K_S = "Q3_K_S", q3_K_M = "Q3_K_M", q3_K_L = "Q3_K_L"
    case q4_K_S = "Q4_K_S", q4_K_M = "Q4_K_M", q5_K_S = "Q5_K_S", q5_K_M = "Q5_K_M", q6_K = "Q6_K"

    /// llama_ftype's value (written to `general.file_type`).
    public var id: UInt32 {
        switch self {
        case .f32: 0
        case .f16: 1
        case .q4_0: 2
        case .q4_1: 3
        case .q8_0: 7
        case .q5_0: 8
        case .q5_1: 9
        case .q2_K: 10
        case .q3_K_S: 11
        case .q3_K_M: 12
        case .q3_K_L: 13
        case .q4_K_S: 14
        case .q4_K_M: 15
        case .q5_K_S: 16
        case .q5_K_M: 17
        case .q6_K: 18
        case .bf16: 32
        }
    }

    /// The type of the weights the mix does not single out.
    public var defaultType: GGMLType {
        switch self {
        case .f32: .f32
        case .f16: .f16
        case .bf16: .bf16
        case .q8_0: .q8_0
        case .q4_0: .q4_0
        case .q4_1: .q4_1
        case .q5_0: .q5_0
        case .q5_1: .q5_1
        case .q2_K: .q2_K
        case .q3_K_S, .q3_K_M, .q3_K_L: .q3_K
        case .q4_K_S, .q4_K_M: .q4_K
        case .q5_K_S, .q5_K_M: .q5_K
        case .q6_K: .q6_K
        }
    }

    /// Parses llama-quantize's spelling, including its aliases (Q3_K = Q3_K_M, Q4_K = Q4_K_M, Q5_K = Q5_K_M),
    /// case-insensitively.
    public init?(name: String) {
        let upper = name.uppercased()
        let aliases = ["Q3_K": QuantFileType.q3_K_M, "Q4_K": .q4_K_M, "Q5_K": .q5_K_M]
        if let alias = aliases[upper] { self = alias; return }
        guard let match = QuantFileType(rawValue: upper) else { return nil }
        self = match
    }

    /// The file type llama.cpp would record for a file whose weights are mostly `type` (for the pane's default).
    public static func named(forID id: Int) -> QuantFileType? { allCases.first { Int($0.id) == id } }

    /// Every accepted spelling, for error messages and help.
    public static var spellings: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
