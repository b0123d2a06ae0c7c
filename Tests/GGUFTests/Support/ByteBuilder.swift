// Hand-built GGUF images for the corrupt-file tests: a little-endian byte builder that knows the GGUF
// encodings, records named positions (so a test can cut or patch "inside the second key"), and a
// sample file with every region a corruption test needs.
import GGUF
import Testing

/// GGUF value type ids as written on disk.
enum VT {
    static let uint8: UInt32 = 0, int8: UInt32 = 1, uint16: UInt32 = 2, int16: UInt32 = 3
    static let uint32: UInt32 = 4, int32: UInt32 = 5, float32: UInt32 = 6, bool: UInt32 = 7
    static let string: UInt32 = 8, array: UInt32 = 9, uint64: UInt32 = 10, int64: UInt32 = 11
    static let float64: UInt32 = 12
}

struct ByteBuilder {
    var bytes: [UInt8] = []
    /// Named byte positions recorded while building.
    var marks: [String: Int] = [:]

    var count: Int { bytes.count }

    mutating func mark(_ name: String) { marks[name] = bytes.count }
    subscript(mark name: String) -> Int { marks[name]! }

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func f32(_ v: Float) { u32(v.bitPattern) }
    mutating func raw(_ b: [UInt8]) { bytes.append(contentsOf: b) }
    mutating func zeros(_ n: Int) { bytes.append(contentsOf: repeatElement(0, count: n)) }

    /// A GGUF string: u64 length then UTF-8 bytes.
    mutating func string(_ s: String) {
        u64(UInt64(s.utf8.count))
        bytes.append(contentsOf: s.utf8)
    }

    /// magic, version, tensor_count, kv_count.
    mutating func header(magic: String = "GGUF", version: UInt32 = 3, tensors: UInt64, kvs: UInt64) {
        raw(Array(magic.utf8))
        u32(version)
        mark("tensor_count")
        u64(tensors)
        mark("kv_count")
        u64(kvs)
    }

    mutating func kv(_ key: String, _ type: UInt32, _ value: (inout ByteBuilder) -> Void) {
        string(key)
        u32(type)
        value(&self)
    }

    mutating func kvString(_ key: String, _ value: String) { kv(key, VT.string) { $0.string(value) } }
    mutating func kvU32(_ key: String, _ value: UInt32) { kv(key, VT.uint32) { $0.u32(value) } }

    mutating func tensorInfo(_ name: String, dims: [UInt64], type: UInt32, offset: UInt64) {
        string(name)
        u32(UInt32(dims.count))
        for d in dims { u64(d) }
        u32(type)
        u64(offset)
    }

    mutating func pad(to alignment: Int) {
        zeros((alignment - bytes.count % alignment) % alignment)
    }

    /// Overwrites bytes at `offset` with a little-endian integer.
    mutating func patch<T: FixedWidthInteger>(_ offset: Int, _ value: T) {
        withUnsafeBytes(of: value.littleEndian) { src in
            for (i, b) in src.enumerated() { bytes[offset + i] = b }
        }
    }
}

/// A small valid file touching every region: header, string and array metadata (incl. a nested array),
/// a tensor table of two tensors (F32 [8, 2] and Q8_0 [32]) and their data, with no padding after the last.
/// Marks: "kv.N" (start of KV N), "kv.N.value", "tensor.NAME" (start of its info), "data" (data section),
/// "data.NAME".
func sampleFile(alignment: UInt32? = nil) -> ByteBuilder {
    var b = ByteBuilder()
    b.header(tensors: 2, kvs: alignment == nil ? 5 : 6)
    b.mark("kv.0"); b.string("general.architecture"); b.u32(VT.string); b.mark("kv.0.value"); b.string("testarch")
    b.mark("kv.1"); b.string("general.description"); b.u32(VT.string); b.mark("kv.1.value")
    b.string(String(repeating: "a long description. ", count: 8))
    b.mark("kv.2"); b.string("test.array"); b.u32(VT.array); b.mark("kv.2.value")
    b.u32(VT.uint32); b.u64(8); for i in 1...8 { b.u32(UInt32(i)) }
    b.mark("kv.3"); b.string("test.nested"); b.u32(VT.array); b.mark("kv.3.value")
    b.u32(VT.array); b.u64(2)
    b.mark("kv.3.inner.0"); b.u32(VT.string); b.u64(2); b.string("x"); b.string("yz")
    b.mark("kv.3.inner.1"); b.u32(VT.string); b.u64(1); b.string("w")
    b.mark("kv.4"); b.string("test.flag"); b.u32(VT.bool); b.mark("kv.4.value"); b.u8(1)
    if let alignment {
        b.mark("kv.5"); b.string("general.alignment"); b.u32(VT.uint32); b.mark("kv.5.value"); b.u32(alignment)
    }
    let align = Int(alignment ?? 32)
    b.mark("tensor.a"); b.tensorInfo("a", dims: [8, 2], type: GGMLType.f32.rawValue, offset: 0)
    b.mark("tensor.b")
    b.tensorInfo("b", dims: [32], type: GGMLType.q8_0.rawValue, offset: UInt64((64 + align - 1) / align * align))
    b.pad(to: align)
    b.mark("data")
    b.mark("data.a")
    for i in 0..<16 { b.f32(Float(i)) }
    b.pad(to: align)
    b.mark("data.b")
    b.zeros(34)
    return b
}

/// One tensor info, for tests of the tensor table: a file with no metadata and the given tensors, each with
/// enough zero data after the table to be in bounds when the info is valid.
func tensorFile(_ infos: [(name: String, dims: [UInt64], type: UInt32, offset: UInt64)],
                kvs: [(inout ByteBuilder) -> Void] = [], dataBytes: Int = 256) -> ByteBuilder {
    var b = ByteBuilder()
    b.header(tensors: UInt64(infos.count), kvs: UInt64(kvs.count))
    for kv in kvs { kv(&b) }
    for t in infos { b.tensorInfo(t.name, dims: t.dims, type: t.type, offset: t.offset) }
    b.pad(to: 32)
    b.mark("data")
    b.zeros(dataBytes)
    return b
}

/// True when `text` has no line breaks or other control characters (so it prints as exactly one line).
func isOneLine(_ text: String) -> Bool {
    !text.unicodeScalars.contains { s in
        s.value < 0x20 || (0x7F...0x9F).contains(s.value) || s.value == 0x2028 || s.value == 0x2029
    }
}

/// Parses `bytes`, expecting a GGUFError that `matches`, with a one-line message containing every `mentions`.
@discardableResult
func expectGGUFError(_ bytes: [UInt8], mentions: [String] = [], sourceLocation: SourceLocation = #_sourceLocation,
                     _ matches: (GGUFError) -> Bool) -> GGUFError? {
    do {
        let file = try GGUFFile(bytes: bytes)
        Issue.record("expected an error, parsed \(file.metadata.count) keys and \(file.tensors.count) tensors",
                     sourceLocation: sourceLocation)
        return nil
    } catch let error as GGUFError {
        #expect(matches(error), "unexpected error case: \(error)", sourceLocation: sourceLocation)
        let message = error.errorDescription ?? ""
        #expect(!message.isEmpty, sourceLocation: sourceLocation)
        #expect(isOneLine(message), "message is not one line: \(message)", sourceLocation: sourceLocation)
        for m in mentions {
            #expect(message.contains(m), "message '\(message)' does not mention '\(m)'", sourceLocation: sourceLocation)
        }
        return error
    } catch {
        Issue.record("expected a GGUFError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
