// Errors of the engine: one line each, naming the key, tensor or limit at fault.
import Foundation

public enum EngineError: Error, LocalizedError, Equatable, Sendable {
    case unsupportedArchitecture(String)
    case missingMetadata(String)
    case badMetadata(String, String)
    case missingTensor(String)
    case badTensor(String, String)
    case unsupportedTensorType(String, String)
    case contextFull(used: Int, limit: Int)
    case promptTooLong(tokens: Int, limit: Int)
    case invalidToken(Int32)
    case badBatch(String)
    case cancelled

    public var errorDescription: String? {
        switch self {
        case let .unsupportedArchitecture(a):
            return "unsupported architecture '\(a)' (supported: \(Architectures.supported.joined(separator: ", ")))"
        case let .missingMetadata(k): return "missing metadata key '\(k)'"
        case let .badMetadata(k, v): return "metadata '\(k)' has an invalid value: \(v)"
        case let .missingTensor(n): return "missing tensor '\(n)'"
        case let .badTensor(n, why): return "tensor '\(n)': \(why)"
        case let .unsupportedTensorType(n, t): return "tensor '\(n)': type \(t) is not supported by the engine"
        case let .contextFull(used, limit): return "context full: \(used) of \(limit) tokens used"
        case let .promptTooLong(tokens, limit):
            return "prompt of \(tokens) tokens does not fit the context of \(limit) tokens"
        case let .invalidToken(t): return "token id \(t) is outside the vocabulary"
        case let .badBatch(why): return "bad batch: \(why)"
        case .cancelled: return "generation cancelled"
        }
    }
}
