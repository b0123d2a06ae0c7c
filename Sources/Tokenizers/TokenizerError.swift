// Why a tokenizer could not be built from a GGUF file: one readable line each.
import Foundation

public enum TokenizerError: Error, LocalizedError, Equatable {
    case missingKey(String)
    case wrongType(key: String, expected: String)
    case unsupportedModel(String)
    case unsupportedPreTokenizer(String)
    case lengthMismatch(key: String, count: Int, expected: Int)
    case missingSpecialToken(flag: String, key: String)

    public var errorDescription: String? {
        switch self {
        case .missingKey(let key): return "tokenizer metadata '\(key)' is missing"
        case .wrongType(let key, let expected): return "tokenizer metadata '\(key)' is not \(expected)"
        case .unsupportedModel(let model): return "unsupported tokenizer model '\(model)' (supported: gpt2, llama)"
        case .unsupportedPreTokenizer(let pre): return "unsupported pre-tokenizer '\(pre)'"
        case .lengthMismatch(let key, let count, let expected):
            return "tokenizer metadata '\(key)' has \(count) entries, expected \(expected)"
        case .missingSpecialToken(let flag, let key): return "\(flag) is true, but \(key) is not set"
        }
    }
}
