// Parses and validates a GGUF header (metadata and tensor table) from raw bytes. Every count is checked
// against the bytes that remain before anything is allocated, so a hostile count cannot exhaust memory.

struct GGUFHeader {
    var version: UInt32
    var metadata: [(key: String, value: GGUFValue)]
    var tensors: [GGUFTensorInfo]
    var alignment: Int
    var dataOffset: Int
}

enum GGUFParser {
    static let magic: UInt32 = 0x4655_4747  // "GGUF" little-endian
    static let maxDims = 4
    static let maxArrayDepth = 8
    /// Counts are checked against the bytes left, but a count can still be several times the file size in memory
    /// (a 13-byte KV becomes a ~40-byte entry): storage grows as entries are actually read, never up front.
    static let reserveLimit = 1 << 16

    static func parse(_ bytes: UnsafeRawBufferPointer) throws -> GGUFHeader {
        var cursor = ByteCursor(bytes)
        let found = try cursor.read(UInt32.self, "magic")
        guard found == magic else { throw GGUFError.badMagic(found: found) }
        let version = try cursor.read(UInt32.self, "version")
        guard version == 2 || version == 3 else { throw GGUFError.unsupportedVersion(version) }
        let tensorCount = try cursor.read(UInt64.self, "tensor_count")
        let kvCount = try cursor.read(UInt64.self, "metadata_kv_count")
        // Each KV needs at least 8 (key length) + 4 (type) + 1 bytes; each tensor info at least 8 + 4 + 4 + 8.
        try checkCount(kvCount, minimumSize: 13, field: "metadata_kv_count", cursor)
        try checkCount(tensorCount, minimumSize: 24, field: "tensor_count", cursor)

        var metadata: [(key: String, value: GGUFValue)] = []
        metadata.reserveCapacity(min(Int(kvCount), reserveLimit))
        var seenKeys = Set<String>()
        for index in 0..<Int(kvCount) {
            let key = try cursor.readString("metadata key #\(index)")
            guard seenKeys.insert(key).inserted else { throw GGUFError.duplicateKey(key) }
            let rawType = try cursor.read(UInt32.self, "type of '\(key)'")
            guard let type = GGUFValueType(rawValue: rawType) else {
                throw GGUFError.unknownValueType(key: key, rawType: rawType)
            }
            metadata.append((key, try readValue(type, key: key, depth: 0, &cursor)))
        }

        let alignment = try readAlignment(metadata)
        var tensors: [GGUFTensorInfo] = []
        tensors.reserveCapacity(min(Int(tensorCount), reserveLimit))
        var seenNames = Set<String>()
        for index in 0..<Int(tensorCount) {
            let info = try readTensorInfo(index: index, alignment: alignment, &cursor)
            guard seenNames.insert(info.name).inserted else { throw GGUFError.duplicateTensor(info.name) }
            tensors.append(info)
        }
        let dataOffset = align(cursor.offset, to: alignment)
        try checkBounds(tensors, dataOffset: dataOffset, fileSize: bytes.count)
        return GGUFHeader(version: version, metadata: metadata, tensors: tensors, alignment: alignment,
                          dataOffset: dataOffset)
    }

    static func align(_ offset: Int, to alignment: Int) -> Int {
        (offset + alignment - 1) / alignment * alignment
    }

    private static func checkCount(_ count: UInt64, minimumSize: Int, field: String, _ cursor: ByteCursor) throws {
        let limit = UInt64(cursor.remaining / minimumSize)
        guard count <= limit else { throw GGUFError.countTooLarge(field: field, count: count, limit: limit) }
    }

    private static func readAlignment(_ metadata: [(key: String, value: GGUFValue)]) throws -> Int {
        guard let entry = metadata.first(where: { $0.key == "general.alignment" }) else { return 32 }
        guard case .uint32(let raw) = entry.value else {
            throw GGUFError.wrongValueType(key: "general.alignment", expected: "uint32",
                                           found: "\(entry.value.type)")
        }
        guard raw > 0, raw & (raw - 1) == 0 else { throw GGUFError.invalidAlignment(UInt64(raw)) }
        return Int(raw)
    }

    private static func readValue(_ type: GGUFValueType, key: String, depth: Int,
                                  _ c: inout ByteCursor) throws -> GGUFValue {
        switch type {
        case .uint8: return .uint8(try c.read(UInt8.self, key))
        case .int8: return .int8(try c.read(Int8.self, key))
        case .uint16: return .uint16(try c.read(UInt16.self, key))
        case .int16: return .int16(try c.read(Int16.self, key))
        case .uint32: return .uint32(try c.read(UInt32.self, key))
        case .int32: return .int32(try c.read(Int32.self, key))
        case .float32: return .float32(try c.readFloat(key))
        case .bool: return .bool(try c.read(UInt8.self, key) != 0)
        case .string: return .string(try c.readString(key))
        case .uint64: return .uint64(try c.read(UInt64.self, key))
        case .int64: return .int64(try c.read(Int64.self, key))
        case .float64: return .float64(try c.readDouble(key))
        case .array: return .array(try readArray(key: key, depth: depth, &c))
        }
    }

    private static func readArray(key: String, depth: Int, _ c: inout ByteCursor) throws -> GGUFArray {
        guard depth < maxArrayDepth else {
            throw GGUFError.countTooLarge(field: "nesting depth of '\(key)'", count: UInt64(depth + 1),
                                          limit: UInt64(maxArrayDepth))
        }
        let rawType = try c.read(UInt32.self, "element type of '\(key)'")
        guard let type = GGUFValueType(rawValue: rawType) else {
            throw GGUFError.unknownValueType(key: key, rawType: rawType)
        }
        let count = try c.read(UInt64.self, "element count of '\(key)'")
        // Strings need at least their 8-byte length, nested arrays their 12-byte header.
        let minimumSize = type.fixedSize ?? (type == .string ? 8 : 12)
        try checkCount(count, minimumSize: minimumSize, field: "element count of '\(key)'", c)
        let n = Int(count)
        func many<T>(_ read: (inout ByteCursor) throws -> T) throws -> [T] {
            var out: [T] = []
            // Fixed-size elements take no more memory than their bytes on disk; others grow as they are read.
            out.reserveCapacity(type.fixedSize != nil ? n : min(n, reserveLimit))
            for _ in 0..<n { out.append(try read(&c)) }
            return out
        }
        switch type {
        case .uint8: return .uint8(try many { try $0.read(UInt8.self, key) })
        case .int8: return .int8(try many { try $0.read(Int8.self, key) })
        case .uint16: return .uint16(try many { try $0.read(UInt16.self, key) })
        case .int16: return .int16(try many { try $0.read(Int16.self, key) })
        case .uint32: return .uint32(try many { try $0.read(UInt32.self, key) })
        case .int32: return .int32(try many { try $0.read(Int32.self, key) })
        case .float32: return .float32(try many { try $0.readFloat(key) })
        case .bool: return .bool(try many { try $0.read(UInt8.self, key) != 0 })
        case .string: return .string(try many { try $0.readString("element of '\(key)'") })
        case .uint64: return .uint64(try many { try $0.read(UInt64.self, key) })
        case .int64: return .int64(try many { try $0.read(Int64.self, key) })
        case .float64: return .float64(try many { try $0.readDouble(key) })
        case .array: return .array(try many { try readArray(key: key, depth: depth + 1, &$0) })
        }
    }

    private static func readTensorInfo(index: Int, alignment: Int, _ c: inout ByteCursor) throws -> GGUFTensorInfo {
        let name = try c.readString("name of tensor #\(index)")
        let nDims = try c.read(UInt32.self, "n_dims of '\(name)'")
        guard nDims >= 1, nDims <= maxDims else {
            throw GGUFError.badDimensions(tensor: name, reason: "n_dims = \(nDims), expected 1...\(maxDims)")
        }
        var dims: [Int] = []
        var elements = 1
        for d in 0..<Int(nDims) {
            let raw = try c.read(UInt64.self, "dims[\(d)] of '\(name)'")
            guard raw <= UInt64(Int32.max) * 64 else {
                throw GGUFError.badDimensions(tensor: name, reason: "dims[\(d)] = \(raw) is too large")
            }
            let (product, overflow) = elements.multipliedReportingOverflow(by: Int(raw))
            guard !overflow, product < Int(1) << 50 else {
                throw GGUFError.badDimensions(tensor: name, reason: "element count overflows")
            }
            elements = product
            dims.append(Int(raw))
        }
        let rawType = try c.read(UInt32.self, "type of '\(name)'")
        guard let type = GGMLType(rawValue: rawType) else {
            throw GGUFError.unknownTensorType(tensor: name, rawType: rawType)
        }
        guard dims[0] % type.blockSize == 0 else {
            throw GGUFError.badDimensions(
                tensor: name, reason: "row length \(dims[0]) is not a multiple of the \(type) block size \(type.blockSize)")
        }
        let offset = try c.read(UInt64.self, "offset of '\(name)'")
        guard offset % UInt64(alignment) == 0 else {
            throw GGUFError.misalignedOffset(tensor: name, offset: offset, alignment: alignment)
        }
        return GGUFTensorInfo(name: name, dims: dims, type: type, offset: offset)
    }

    private static func checkBounds(_ tensors: [GGUFTensorInfo], dataOffset: Int, fileSize: Int) throws {
        let available = UInt64(max(0, fileSize - dataOffset))
        for t in tensors {
            let (end, overflow) = t.offset.addingReportingOverflow(UInt64(t.byteCount))
            guard !overflow, end <= available else {
                // Reported from the start of the file, saturating: a hostile offset near UInt64.max must not trap.
                let (absolute, past) = end.addingReportingOverflow(UInt64(dataOffset))
                throw GGUFError.tensorOutOfBounds(tensor: t.name, end: overflow || past ? .max : absolute,
                                                  fileSize: fileSize)
            }
        }
        let sorted = tensors.filter { $0.byteCount > 0 }.sorted { $0.offset < $1.offset }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.offset + UInt64(a.byteCount) > b.offset {
            throw GGUFError.overlappingTensors(a.name, b.name)
        }
    }
}
