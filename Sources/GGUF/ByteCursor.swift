// A bounds-checked little-endian reader over raw bytes. Every read names the field it is for, so a
// truncated or hostile file fails with an error that says what was being read and where.

struct ByteCursor {
    let bytes: UnsafeRawBufferPointer
    var offset: Int = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    mutating func need(_ count: Int, _ field: @autoclosure () -> String) throws {
        guard count >= 0, count <= remaining else {
            throw GGUFError.truncated(field: field(), offset: offset, needed: count, fileSize: bytes.count)
        }
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type, _ field: @autoclosure () -> String) throws -> T {
        try need(MemoryLayout<T>.size, field())
        let value = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += MemoryLayout<T>.size
        return T(littleEndian: value)
    }

    mutating func readFloat(_ field: @autoclosure () -> String) throws -> Float {
        Float(bitPattern: try read(UInt32.self, field()))
    }

    mutating func readDouble(_ field: @autoclosure () -> String) throws -> Double {
        Double(bitPattern: try read(UInt64.self, field()))
    }

    /// A GGUF string: u64 byte length then UTF-8 bytes (not NUL-terminated).
    mutating func readString(_ field: @autoclosure () -> String) throws -> String {
        let length = try read(UInt64.self, "\(field()) length")
        guard length <= UInt64(remaining) else {
            throw GGUFError.truncated(field: field(), offset: offset, needed: Int(clamping: length),
                                      fileSize: bytes.count)
        }
        let count = Int(length)
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
        offset += count
        // Invalid UTF-8 (which llama.cpp tolerates) is repaired with U+FFFD rather than rejected.
        return String(decoding: slice, as: UTF8.self)
    }
}
