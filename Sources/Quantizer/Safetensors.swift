// The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header mapping each
// tensor name to {dtype, shape, data_offsets: [begin, end]} (offsets relative to the end of the header), then the
// raw little-endian data. Shapes are row-major, slowest dimension first (the reverse of GGUF's dims).
// Reading maps the file; writing streams tensors after a header computed up front.
import CKernels
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public enum SafetensorsDType: String, Sendable, CaseIterable {
    case f32 = "F32", f16 = "F16", bf16 = "BF16"

    public var byteSize: Int { self == .f32 ? 4 : 2 }

    /// Converts `count` values at `source` to f32.
    func toFloat(_ source: UnsafeRawPointer, into out: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .f32: out.update(from: source.assumingMemoryBound(to: Float.self), count: count)
        case .f16: lk_fp16_to_fp32_row(source.assumingMemoryBound(to: UInt16.self), out, Int64(count))
        case .bf16:
            let halves = source.assumingMemoryBound(to: UInt16.self)
            for i in 0..<count { out[i] = Float(bitPattern: UInt32(halves[i]) << 16) }
        }
    }

    /// Converts `count` f32 values to this type (round to nearest even, as torch and numpy do).
    func fromFloat(_ values: UnsafePointer<Float>, into out: UnsafeMutableRawPointer, count: Int) {
        switch self {
        case .f32: out.copyMemory(from: values, byteCount: count * 4)
        case .f16: lk_fp32_to_fp16_row(values, out.assumingMemoryBound(to: UInt16.self), Int64(count))
        case .bf16:
            let halves = out.assumingMemoryBound(to: UInt16.self)
            for i in 0..<count { halves[i] = lk_fp32_to_bf16(values[i]) }
        }
    }
}

public struct SafetensorsTensor: Sendable {
    public let name: String
    public let dtype: SafetensorsDType
    /// Row-major shape, slowest dimension first.
    public let shape: [Int]
    let begin: Int
    let end: Int

    public var elementCount: Int { shape.reduce(1, *) }
}

/// One mapped .safetensors file.
public final class SafetensorsFile: @unchecked Sendable {  // immutable after init; the mapping is read-only
    public let path: String
    public let tensors: [SafetensorsTensor]
    private let base: UnsafeRawPointer
    private let size: Int
    private let dataStart: Int

    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw QuantizerError.badInput(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size >= 8 else {
            throw QuantizerError.badInput(path: path, reason: "too short for a safetensors header")
        }
        size = Int(info.st_size)
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw QuantizerError.badInput(path: path, reason: "mmap failed: \(String(cString: strerror(errno)))")
        }
        base = UnsafeRawPointer(mapped)
        let headerLength = Int(base.loadUnaligned(as: UInt64.self).littleEndian)
        guard headerLength > 0, headerLength <= size - 8 else {
            munmap(mapped, size)
            throw QuantizerError.badInput(path: path, reason: "header length \(headerLength) exceeds the file size \(size)")
        }
        dataStart = 8 + headerLength
        let header = Data(bytes: base + 8, count: headerLength)
        do {
            tensors = try Self.parseHeader(header, dataSize: size - dataStart, path: path)
        } catch {
            munmap(mapped, size)
            throw error
        }
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), size) }

    static func parseHeader(_ header: Data, dataSize: Int, path: String) throws -> [SafetensorsTensor] {
        guard let object = try? JSONSerialization.jsonObject(with: header) as? [String: Any] else {
            throw QuantizerError.badInput(path: path, reason: "header is not a JSON object")
        }
        var tensors: [SafetensorsTensor] = []
        for (name, value) in object where name != "__metadata__" {
            guard let entry = value as? [String: Any], let dtypeName = entry["dtype"] as? String,
                  let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2 else {
                throw QuantizerError.badInput(path: path, reason: "tensor '\(name)': expected dtype, shape and data_offsets")
            }
            guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
                throw QuantizerError.badInput(path: path, reason: "tensor '\(name)': dtype \(dtypeName) is not supported (expected F32, F16 or BF16)")
            }
            let tensor = SafetensorsTensor(name: name, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1])
            guard tensor.begin >= 0, tensor.end <= dataSize, tensor.end - tensor.begin == tensor.elementCount * dtype.byteSize else {
                throw QuantizerError.badInput(path: path, reason: "tensor '\(name)': data_offsets \(offsets) do not hold \(shape) \(dtypeName)")
            }
            tensors.append(tensor)
        }
        return tensors.sorted { $0.begin < $1.begin }
    }

    public func data(_ tensor: SafetensorsTensor) -> UnsafeRawPointer { base + dataStart + tensor.begin }
}

/// Streams tensors into a .safetensors file: the header is written first from the declared tensors, then each
/// tensor's bytes in declaration order. Written to `path.tmp` and renamed by `finish()`.
struct SafetensorsWriter {
    let path: String
    private let fd: Int32
    private var declared: [(name: String, bytes: Int)]
    private var next = 0

    init(path: String, tensors: [(name: String, dtype: SafetensorsDType, shape: [Int])]) throws {
        self.path = path
        var header: [String: Any] = ["__metadata__": ["format": "pt"]]
        var offset = 0
        declared = []
        for tensor in tensors {
            let bytes = tensor.shape.reduce(1, *) * tensor.dtype.byteSize
            header[tensor.name] = ["dtype": tensor.dtype.rawValue, "shape": tensor.shape, "data_offsets": [offset, offset + bytes]]
            declared.append((tensor.name, bytes))
            offset += bytes
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad the header with spaces so the data starts 8-byte aligned (as the reference writer does).
        while (8 + json.count) % 8 != 0 { json.append(0x20) }
        fd = open(path + ".tmp", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw QuantizerError.writeFailed(path: path, reason: String(cString: strerror(errno))) }
        var length = UInt64(json.count).littleEndian
        try withUnsafeBytes(of: &length) { try writeAll(fd, $0, path: path) }
        try json.withUnsafeBytes { try writeAll(fd, $0, path: path) }
    }

    mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard next < declared.count, bytes.count == declared[next].bytes else {
            throw QuantizerError.writeFailed(path: path, reason: "tensor \(next) has \(bytes.count) bytes, not as declared")
        }
        try writeAll(fd, bytes, path: path)
        next += 1
    }

    func finish() throws {
        close(fd)
        guard next == declared.count else { throw QuantizerError.writeFailed(path: path, reason: "only \(next) of \(declared.count) tensors written") }
        guard rename(path + ".tmp", path) == 0 else {
            throw QuantizerError.writeFailed(path: path, reason: String(cString: strerror(errno)))
        }
    }

    func abort() {
        close(fd)
        unlink(path + ".tmp")
    }
}
