// Quantizer failures, each a one-line message naming the file or tensor and what was expected.
import Foundation

public enum QuantizerError: Error, LocalizedError, Equatable {
    case invalidArgument(String)
    case requantizeDisabled(tensor: String, type: String)
    case unsupportedType(tensor: String, type: String)
    case cancelled
    case writeFailed(path: String, reason: String)
    case badInput(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .invalidArgument(let message): message
        case let .requantizeDisabled(tensor, type):
            "tensor '\(tensor)' is already quantized (\(type)); requantizing is disabled (pass --allow-requantize)"
        case let .unsupportedType(tensor, type): "tensor '\(tensor)': cannot convert type \(type)"
        case .cancelled: "quantization cancelled"
        case let .writeFailed(path, reason): "cannot write '\(path)': \(reason)"
        case let .badInput(path, reason): "\(path): \(reason)"
        }
    }
}
