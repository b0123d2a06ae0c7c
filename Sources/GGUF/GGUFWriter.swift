// Writes GGUF v3 files in the layout llama.cpp's reader expects: header, metadata, tensor infos,
// zero padding to the alignment, then each tensor's data padded to the alignment. Writing back a file
// that was read (same metadata order, same tensors) reproduces it byte for byte.
import Foundation

public struct GGUFWriter {
    public var metadata: [(key: String, value: GGUFValue)] = []
    public private(set) var tensors: [(info: GGUFTensorInfo, data: @Sendable () -> UnsafeRawBufferPointer)] = []
    /// Data alignment; changing it re-lays out the tensors added so far and keeps `general.alignment` in step
    /// (readers take the alignment from that key, 32 when it is absent).
    public var alignment: Int = 32 {
        didSet {
            relayout()
            guard alignment > 0, alignment & (alignment - 1) == 0, alignment <= Int(UInt32.max) else { return }
            let value = GGUFValue.uint32(UInt32(alignment))
            if let index = metadata.firstIndex(where: { $0.key == "general.alignment" }) {
                metadata[index].value = value
            } else if alignment != 32 {
                metadata.append(("general.alignment", value))
            }
        }
    }
    public var version: UInt32 = 3

    public init() {}

    /// Starts from a read file: same version, metadata (in order), alignment and tensors; a split model
    /// becomes one file (its split.* keys dropped).
    public init(copying file: GGUFFile) {
        version = file.version
        metadata = file.metadata.filter { !GGUFSplit.keys.contains($0.key) }
        alignment = file.alignment
        for info in file.tensors { addTensor(name: info.name, dims: info.dims, type: info.type) { file.data(for: info) } }
    }

    public mutating func set(_ key: String, _ value: GGUFValue) {
        if let index = metadata.firstIndex(where: { $0.key == key }) {
            metadata[index].value = value
        } else {
            metadata.append((key, value))
        }
        if key == "general.alignment", case .uint32(let a) = value, a > 0, a & (a - 1) == 0 {
            alignment = Int(a)
        }
    }

    /// Recomputes every tensor's offset for the current alignment (packed in insertion order).
    private mutating func relayout() {
        guard alignment > 0 else { return }
        var offset = 0
        for index in tensors.indices {
            let info = tensors[index].info
            tensors[index].info = GGUFTensorInfo(name: info.name, dims: info.dims, type: info.type, offset: UInt64(offset))
            offset = GGUFParser.align(offset + info.byteCount, to: alignment)
        }
    }

    /// Adds a tensor whose bytes are produced on demand (so a large model streams through memory).
    public mutating func addTensor(name: String, dims: [Int], type: GGMLType,
                                   data: @escaping @Sendable () -> UnsafeRawBufferPointer) {
        // An invalid alignment (refused by write(to:)) must not trap here.
        let offset = tensors.last.map { GGUFParser.align(Int($0.info.offset) + $0.info.byteCount, to: max(alignment, 1)) } ?? 0
        tensors.append((GGUFTensorInfo(name: name, dims: dims, type: type, offset: UInt64(offset)), data))
    }

    /// Serialises everything before the data section (header, metadata, tensor infos, padding).
    public func headerBytes() -> [UInt8] {
        var out: [UInt8] = []
        out.append(contentsOf: "GGUF".utf8)
        append(&out, version)
        append(&out, UInt64(tensors.count))
        append(&out, UInt64(metadata.count))
        for (key, value) in metadata {
            appendString(&out, key)
            append(&out, value.type.rawValue)
            appendValue(&out, value)
        }
        for (info, _) in tensors {
            appendString(&out, info.name)
            append(&out, UInt32(info.dims.count))
            for d in info.dims { append(&out, UInt64(d)) }
            append(&out, info.type.rawValue)
            append(&out, info.offset)
        }
        out.append(contentsOf: repeatElement(0, count: GGUFParser.align(out.count, to: max(alignment, 1)) - out.count))
        return out
    }

    /// Writes the file atomically: to `path.tmp`, then renamed over `path`.
    public func write(to path: String) throws {
        let temporary = path + ".tmp"
        guard alignment > 0, alignment & (alignment - 1) == 0 else {
            throw GGUFError.writeFailed(path: path, reason: "alignment \(alignment) is not a non-zero power of two")
        }
        // Readers lay out the data by general.alignment (32 when absent): it must say what we write.
        let declared = metadata.first { $0.key == "general.alignment" }?.value ?? .uint32(32)
        guard declared == .uint32(UInt32(truncatingIfNeeded: alignment)) else {
            throw GGUFError.writeFailed(path: path, reason: "general.alignment is \(declared.type) \(declared), but the data is aligned to \(alignment)")
        }
        guard FileManager.default.createFile(atPath: temporary, contents: nil),
              let handle = FileHandle(forWritingAtPath: temporary) else {
            throw GGUFError.writeFailed(path: path, reason: "cannot create \(temporary)")
        }
        do {
            try handle.write(contentsOf: headerBytes())
            for (info, data) in tensors {
                let bytes = data()
                guard bytes.count == info.byteCount else {
                    throw GGUFError.writeFailed(path: path, reason: "tensor '\(info.name)' has \(bytes.count) bytes, expected \(info.byteCount)")
                }
                if let start = bytes.baseAddress, !bytes.isEmpty {
                    try handle.write(contentsOf: Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: start),
                                                      count: bytes.count, deallocator: .none))
                }
                // ggml pads after every tensor, the last one included.
                let padding = GGUFParser.align(info.byteCount, to: alignment) - info.byteCount
                if padding > 0 {
                    try handle.write(contentsOf: Data(repeating: 0, count: padding))
                }
            }
            try handle.synchronize()
            try handle.close()
            guard rename(temporary, path) == 0 else {
                throw GGUFError.writeFailed(path: path, reason: String(cString: strerror(errno)))
            }
        } catch let error as GGUFError {
            try? handle.close()
            unlink(temporary)
            throw error
        } catch {
            try? handle.close()
            unlink(temporary)
            throw GGUFError.writeFailed(path: path, reason: error.localizedDescription)
        }
    }

    private func append<T: FixedWidthInteger>(_ out: inout [UInt8], _ value: T) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    private func appendString(_ out: inout [UInt8], _ s: String) {
        append(&out, UInt64(s.utf8.count))
        out.append(contentsOf: s.utf8)
    }

    private func appendValue(_ out: inout [UInt8], _ value: GGUFValue) {
        switch value {
        case .uint8(let v): append(&out, v)
        case .int8(let v): append(&out, v)
        case .uint16(let v): append(&out, v)
        case .int16(let v): append(&out, v)
        case .uint32(let v): append(&out, v)
        case .int32(let v): append(&out, v)
        case .float32(let v): append(&out, v.bitPattern)
        case .bool(let v): append(&out, UInt8(v ? 1 : 0))
        case .string(let v): appendString(&out, v)
        case .uint64(let v): append(&out, v)
        case .int64(let v): append(&out, v)
        case .float64(let v): append(&out, v.bitPattern)
        case .array(let a): appendArray(&out, a)
        }
    }

    private func appendArray(_ out: inout [UInt8], _ array: GGUFArray) {
        append(&out, array.elementType.rawValue)
        append(&out, UInt64(array.count))
        switch array {
        case .uint8(let a): out.append(contentsOf: a)
        case .int8(let a): a.forEach { append(&out, $0) }
        case .uint16(let a): a.forEach { append(&out, $0) }
        case .int16(let a): a.forEach { append(&out, $0) }
        case .uint32(let a): a.forEach { append(&out, $0) }
        case .int32(let a): a.forEach { append(&out, $0) }
        case .float32(let a): a.forEach { append(&out, $0.bitPattern) }
        case .bool(let a): a.forEach { append(&out, UInt8($0 ? 1 : 0)) }
        case .string(let a): a.forEach { appendString(&out, $0) }
        case .uint64(let a): a.forEach { append(&out, $0) }
        case .int64(let a): a.forEach { append(&out, $0) }
        case .float64(let a): a.forEach { append(&out, $0.bitPattern) }
        case .array(let a): a.forEach { appendArray(&out, $0) }
        }
    }
}
