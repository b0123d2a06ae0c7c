// Every way a GGUF file can be rejected, each a one-line message that names the field at fault.
import Foundation

public enum GGUFError: Error, LocalizedError, Equatable, Sendable {
    case cannotOpen(path: String, reason: String)
    case badMagic(found: UInt32)
    case unsupportedVersion(UInt32)
    case truncated(field: String, offset: Int, needed: Int, fileSize: Int)
    case countTooLarge(field: String, count: UInt64, limit: UInt64)
    case invalidString(field: String, offset: Int)
    case unknownValueType(key: String, rawType: UInt32)
    case duplicateKey(String)
    case duplicateTensor(String)
    case unknownTensorType(tensor: String, rawType: UInt32)
    case badDimensions(tensor: String, reason: String)
    case misalignedOffset(tensor: String, offset: UInt64, alignment: Int)
    case tensorOutOfBounds(tensor: String, end: UInt64, fileSize: Int)
    case overlappingTensors(String, String)
    case invalidAlignment(UInt64)
    case wrongValueType(key: String, expected: String, found: String)
    case missingKey(String)
    case missingTensor(String)
    case writeFailed(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case let .cannotOpen(path, reason): return "cannot open '\(path)': \(reason)"
        case let .badMagic(found):
            return "bad magic 0x\(String(found, radix: 16)): not a GGUF file (expected 'GGUF')"
        case let .unsupportedVersion(v): return "unsupported GGUF version \(v) (expected 2 or 3)"
        case let .truncated(field, offset, needed, size):
            return "truncated file: \(field) needs \(needed) bytes at offset \(offset) but the file has \(size)"
        case let .countTooLarge(field, count, limit): return "\(field) = \(count) is too large (limit \(limit))"
        case let .invalidString(field, offset): return "\(field) at offset \(offset) is not valid UTF-8"
        case let .unknownValueType(key, raw): return "metadata '\(key)': unknown value type \(raw)"
        case let .duplicateKey(key): return "duplicate metadata key '\(key)'"
        case let .duplicateTensor(name): return "duplicate tensor name '\(name)'"
        case let .unknownTensorType(name, raw): return "tensor '\(name)': unknown ggml type \(raw)"
        case let .badDimensions(name, reason): return "tensor '\(name)': \(reason)"
        case let .misalignedOffset(name, offset, alignment):
            return "tensor '\(name)': offset \(offset) is not a multiple of the alignment \(alignment)"
        case let .tensorOutOfBounds(name, end, size):
            return "tensor '\(name)': data ends at byte \(end), past the end of the file (\(size) bytes)"
        case let .overlappingTensors(a, b): return "tensors '\(a)' and '\(b)' overlap"
        case let .invalidAlignment(a): return "general.alignment = \(a): must be a non-zero power of two"
        case let .wrongValueType(key, expected, found):
            return "metadata '\(key)': expected \(expected), found \(found)"
        case let .missingKey(key): return "missing metadata key '\(key)'"
        case let .missingTensor(name): return "missing tensor '\(name)'"
        case let .writeFailed(path, reason): return "cannot write '\(path)': \(reason)"
        }
    }
}
