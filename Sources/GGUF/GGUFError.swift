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
    /// A split model whose parts do not fit together (a missing part, a wrong split.count or split.no).
    case badSplit(path: String, reason: String)
    /// An error in one part of a split model, named by its file.
    indirect case inPart(path: String, GGUFError)

    public var errorDescription: String? {
        // Names come from the file: a hostile one may hold newlines, escapes or a megabyte of text. Each is shown
        // escaped and shortened so the message stays one readable line.
        let q = GGUFError.shown
        switch self {
        case let .cannotOpen(path, reason): return "cannot open '\(q(path))': \(reason)"
        case let .badMagic(found):
            return "bad magic 0x\(String(found, radix: 16)): not a GGUF file (expected 'GGUF')"
        case let .unsupportedVersion(v): return "unsupported GGUF version \(v) (expected 2 or 3)"
        case let .truncated(field, offset, needed, size):
            return "truncated file: \(q(field)) needs \(needed) bytes at offset \(offset) but the file has \(size)"
        case let .countTooLarge(field, count, limit): return "\(q(field)) = \(count) is too large (limit \(limit))"
        case let .invalidString(field, offset): return "\(q(field)) at offset \(offset) is not valid UTF-8"
        case let .unknownValueType(key, raw): return "metadata '\(q(key))': unknown value type \(raw)"
        case let .duplicateKey(key): return "duplicate metadata key '\(q(key))'"
        case let .duplicateTensor(name): return "duplicate tensor name '\(q(name))'"
        case let .unknownTensorType(name, raw): return "tensor '\(q(name))': unknown ggml type \(raw)"
        case let .badDimensions(name, reason): return "tensor '\(q(name))': \(q(reason))"
        case let .misalignedOffset(name, offset, alignment):
            return "tensor '\(q(name))': offset \(offset) is not a multiple of the alignment \(alignment)"
        case let .tensorOutOfBounds(name, end, size):
            return "tensor '\(q(name))': data ends at byte \(end), past the end of the file (\(size) bytes)"
        case let .overlappingTensors(a, b): return "tensors '\(q(a))' and '\(q(b))' overlap"
        case let .invalidAlignment(a): return "general.alignment = \(a): must be a non-zero power of two"
        case let .wrongValueType(key, expected, found):
            return "metadata '\(q(key))': expected \(expected), found \(found)"
        case let .missingKey(key): return "missing metadata key '\(q(key))'"
        case let .missingTensor(name): return "missing tensor '\(q(name))'"
        case let .writeFailed(path, reason): return "cannot write '\(q(path))': \(q(reason))"
        case let .badSplit(path, reason): return "'\(q(path))': \(q(reason))"
        case let .inPart(path, error): return "'\(q(path))': \(error.errorDescription ?? "\(error)")"
        }
    }

    /// `text` with control characters (C0, DEL, C1, line/paragraph separators) escaped as `\u{XX}` and anything
    /// past 200 characters cut to "…".
    static func shown(_ text: String) -> String {
        var out = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count == 200 { out += "…"; break }
            switch scalar.value {
            case 0..<0x20, 0x7F...0x9F, 0x2028, 0x2029:
                out += "\\u{\(String(scalar.value, radix: 16))}"
            default:
                out.unicodeScalars.append(scalar)
            }
            count += 1
        }
        return out
    }
}
