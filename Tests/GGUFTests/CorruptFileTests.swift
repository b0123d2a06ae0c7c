// Hand-made corrupt files: each must fail with its specific GGUFError case and a one-line message that
// names the field at fault. Files are built with ByteBuilder (Support/ByteBuilder.swift).
import GGUF
import Testing

@Suite struct CorruptFileTests {
    // MARK: The sample itself is valid

    @Test func sampleFileParses() throws {
        let b = sampleFile()
        let file = try GGUFFile(bytes: b.bytes)
        #expect(file.version == 3)
        #expect(file.metadata.map(\.key) == ["general.architecture", "general.description", "test.array",
                                             "test.nested", "test.flag"])
        #expect(file.architecture == "testarch")
        #expect(file["test.array"] == .array(.uint32([1, 2, 3, 4, 5, 6, 7, 8])))
        #expect(file["test.nested"] == .array(.array([.string(["x", "yz"]), .string(["w"])])))
        #expect(file.bool("test.flag") == true)
        #expect(file.tensors.map(\.name) == ["a", "b"])
        #expect(file.dataOffset == b[mark: "data"])
        #expect(file.dataOffset % 32 == 0)
        let a = try file.requireTensor("a")
        #expect(a.dims == [8, 2] && a.type == .f32 && a.elementCount == 16 && a.byteCount == 64)
        #expect(Array(file.floats(a)!) == (0..<16).map(Float.init))
        let t = try file.requireTensor("b")
        #expect(t.type == .q8_0 && t.byteCount == 34 && t.offset == 64)
        #expect(file.fileSize == b.count)
    }

    @Test func sampleWithAlignment64Parses() throws {
        let b = sampleFile(alignment: 64)
        let file = try GGUFFile(bytes: b.bytes)
        #expect(file.alignment == 64)
        #expect(file.dataOffset % 64 == 0)
        #expect(try file.requireTensor("b").offset == 64)
    }

    // MARK: Header

    @Test func badMagic() {
        var b = sampleFile()
        b.bytes.replaceSubrange(0..<4, with: Array("GGML".utf8))
        expectGGUFError(b.bytes, mentions: ["magic"]) { $0 == .badMagic(found: 0x4C4D_4747) }
        expectGGUFError(Array("not a gguf file at all".utf8), mentions: ["magic"]) {
            if case .badMagic = $0 { return true } else { return false }
        }
    }

    @Test(arguments: [UInt32(0), 1, 4, 0xFFFF_FFFF])
    func unsupportedVersion(_ version: UInt32) {
        var b = sampleFile()
        b.patch(4, version)
        expectGGUFError(b.bytes, mentions: ["version", "\(version)"]) { $0 == .unsupportedVersion(version) }
    }

    @Test func version2IsAccepted() throws {
        var b = sampleFile()
        b.patch(4, UInt32(2))
        #expect(try GGUFFile(bytes: b.bytes).version == 2)
    }

    // MARK: Truncation

    /// (cut position, field the truncation error must name)
    static func truncationPoints() -> [(String, Int, String)] {
        let b = sampleFile()
        let kv2Value = b[mark: "kv.2.value"], tensorB = b[mark: "tensor.b"]
        return [
            ("empty", 0, "magic"),
            ("inside magic", 3, "magic"),
            ("inside version", 6, "version"),
            ("inside tensor_count", 12, "tensor_count"),
            ("inside kv_count", 20, "metadata_kv_count"),
            ("inside a key length", b[mark: "kv.2"] + 5, "metadata key #2 length"),
            ("inside a key", b[mark: "kv.2"] + 8 + 4, "metadata key #2"),
            ("inside a value type", b[mark: "kv.2"] + 8 + 10 + 2, "type of 'test.array'"),
            ("inside a string length", b[mark: "kv.1.value"] + 3, "general.description length"),
            ("inside a string", b[mark: "kv.1.value"] + 8 + 50, "general.description"),
            ("inside an array's element type", kv2Value + 2, "element type of 'test.array'"),
            ("inside an array's count", kv2Value + 6, "element count of 'test.array'"),
            ("inside a nested array's header", b[mark: "kv.3.inner.1"] + 7, "element count of 'test.nested'"),
            // inner.0 is ["x", "yz"]: cut inside the bytes of "yz".
            ("inside a nested array's string", b[mark: "kv.3.inner.0"] + 12 + 9 + 8 + 1, "element of 'test.nested'"),
            ("inside a bool", b[mark: "kv.4.value"], "test.flag"),
            ("inside a tensor name", tensorB + 8, "name of tensor #1"),
            ("inside n_dims", tensorB + 9 + 2, "n_dims of 'b'"),
            ("inside dims", tensorB + 9 + 4 + 3, "dims[0] of 'b'"),
            ("inside a tensor type", tensorB + 9 + 4 + 8 + 1, "type of 'b'"),
            ("inside a tensor offset", tensorB + 9 + 4 + 8 + 4 + 7, "offset of 'b'"),
        ]
    }

    @Test(arguments: truncationPoints())
    func truncatedAt(_ point: (String, Int, String)) {
        let (_, cut, field) = point
        let bytes = Array(sampleFile().bytes.prefix(cut))
        expectGGUFError(bytes, mentions: ["truncated", field]) {
            if case .truncated(let f, _, _, let size) = $0 { return f == field && size == cut }
            return false
        }
    }

    /// Cut inside fixed-size array elements: the count is checked against the bytes left before anything is
    /// read or allocated, so this is reported as a count too large for the file, naming the array.
    @Test func truncatedInsideArrayElements() {
        let b = sampleFile()
        let cut = b[mark: "kv.2.value"] + 12 + 10
        expectGGUFError(Array(b.bytes.prefix(cut)), mentions: ["element count of 'test.array'", "too large"]) {
            $0 == .countTooLarge(field: "element count of 'test.array'", count: 8, limit: 2)
        }
    }

    @Test func truncatedInTensorData() {
        let b = sampleFile()
        // Cut inside the second tensor's data, inside the first's, and right after the tensor table.
        for (cut, tensor) in [(b[mark: "data.b"] + 10, "b"), (b[mark: "data"] + 10, "a"),
                              (b[mark: "tensor.b"] + 9 + 4 + 8 + 4 + 8, "a")] {
            expectGGUFError(Array(b.bytes.prefix(cut)), mentions: ["'\(tensor)'", "past the end"]) {
                if case .tensorOutOfBounds(let t, let end, let size) = $0 { return t == tensor && size == cut && end > UInt64(cut) }
                return false
            }
        }
    }

    /// Every strict prefix of the sample is rejected (the last tensor ends exactly at the end of the file).
    @Test func everyPrefixIsRejected() {
        let bytes = sampleFile().bytes
        for cut in 0..<bytes.count {
            do {
                _ = try GGUFFile(bytes: Array(bytes.prefix(cut)))
                Issue.record("prefix of \(cut) bytes parsed")
            } catch let error as GGUFError {
                let message = error.errorDescription ?? ""
                #expect(!message.isEmpty && isOneLine(message))
            } catch {
                Issue.record("non-GGUF error \(error)")
            }
        }
        #expect(throws: Never.self) { try GGUFFile(bytes: bytes) }
    }

    // MARK: Hostile counts and lengths

    @Test(arguments: [UInt64.max, 1 << 62, 1 << 40, 100_000])
    func hugeKVCount(_ count: UInt64) {
        var b = sampleFile()
        b.patch(b[mark: "kv_count"], count)
        expectGGUFError(b.bytes, mentions: ["metadata_kv_count", "\(count)", "too large"]) {
            if case .countTooLarge(let field, let c, _) = $0 { return field == "metadata_kv_count" && c == count }
            return false
        }
    }

    @Test(arguments: [UInt64.max, 1 << 62, 1 << 40, 100_000])
    func hugeTensorCount(_ count: UInt64) {
        var b = sampleFile()
        b.patch(b[mark: "tensor_count"], count)
        expectGGUFError(b.bytes, mentions: ["tensor_count", "\(count)", "too large"]) {
            if case .countTooLarge(let field, let c, _) = $0 { return field == "tensor_count" && c == count }
            return false
        }
    }

    @Test(arguments: [UInt64.max, UInt64(Int.max), 1 << 40, 10_000])
    func hugeStringLengths(_ length: UInt64) {
        // A key, a string value and a tensor name whose length exceeds the file.
        for (mark, field) in [("kv.0", "metadata key #0"), ("kv.1.value", "general.description"),
                              ("tensor.a", "name of tensor #0")] {
            var b = sampleFile()
            b.patch(b[mark: mark], length)
            expectGGUFError(b.bytes, mentions: ["truncated", field]) {
                if case .truncated(let f, _, let needed, _) = $0 {
                    return f == field && needed == Int(clamping: length)
                }
                return false
            }
        }
    }

    @Test(arguments: [UInt64.max, 1 << 61, 1 << 32, 10_000])
    func hugeArrayCount(_ count: UInt64) {
        var b = sampleFile()
        b.patch(b[mark: "kv.2.value"] + 4, count)
        expectGGUFError(b.bytes, mentions: ["element count of 'test.array'", "too large"]) {
            if case .countTooLarge(let f, let c, _) = $0 { return f == "element count of 'test.array'" && c == count }
            return false
        }
    }

    @Test(arguments: [UInt64.max, 1 << 61, 1 << 32, 10_000])
    func hugeNestedArrayCounts(_ count: UInt64) {
        // The outer count, and the count of an inner array.
        for offset in [b0("kv.3.value") + 4, b0("kv.3.inner.0") + 4, b0("kv.3.inner.1") + 4] {
            var b = sampleFile()
            b.patch(offset, count)
            expectGGUFError(b.bytes, mentions: ["element count of 'test.nested'", "too large"]) {
                if case .countTooLarge(let f, let c, _) = $0 { return f == "element count of 'test.nested'" && c == count }
                return false
            }
        }
    }

    private func b0(_ mark: String) -> Int { sampleFile()[mark: mark] }

    @Test func arrayNestingTooDeep() {
        var b = ByteBuilder()
        b.header(tensors: 0, kvs: 1)
        b.string("deep")
        b.u32(VT.array)
        for _ in 0..<20 { b.u32(VT.array); b.u64(1) }
        b.u32(VT.uint8); b.u64(0)
        b.zeros(64)
        expectGGUFError(b.bytes, mentions: ["nesting depth", "deep"]) {
            if case .countTooLarge(let f, _, _) = $0 { return f.contains("nesting depth") }
            return false
        }
    }

    @Test func nestedArraysWithinDepthParse() throws {
        var b = ByteBuilder()
        b.header(tensors: 0, kvs: 1)
        b.string("nest")
        b.u32(VT.array)
        for _ in 0..<4 { b.u32(VT.array); b.u64(1) }
        b.u32(VT.int16); b.u64(2); b.raw([1, 0, 0xFF, 0xFF])
        let file = try GGUFFile(bytes: b.bytes)
        #expect(file["nest"] == .array(.array([.array([.array([.array([.int16([1, -1])])])])])))
    }

    // MARK: Types, duplicates

    @Test(arguments: [UInt32(13), 14, 99, 0xFFFF_FFFF])
    func unknownValueType(_ raw: UInt32) {
        var b = sampleFile()
        b.patch(b[mark: "kv.4.value"] - 4, raw)  // the type of "test.flag"
        expectGGUFError(b.bytes, mentions: ["test.flag", "unknown value type \(raw)"]) {
            $0 == .unknownValueType(key: "test.flag", rawType: raw)
        }
        var c = sampleFile()
        c.patch(c[mark: "kv.2.value"], raw)  // the element type of "test.array"
        expectGGUFError(c.bytes, mentions: ["test.array", "unknown value type \(raw)"]) {
            $0 == .unknownValueType(key: "test.array", rawType: raw)
        }
    }

    @Test func duplicateKey() {
        var b = ByteBuilder()
        b.header(tensors: 0, kvs: 3)
        b.kvU32("general.x", 1)
        b.kvString("general.y", "y")
        b.kvU32("general.x", 2)
        expectGGUFError(b.bytes, mentions: ["duplicate", "general.x"]) { $0 == .duplicateKey("general.x") }
    }

    @Test func duplicateTensorName() {
        let f32 = GGMLType.f32.rawValue
        let b = tensorFile([("w", [4], f32, 0), ("v", [4], f32, 32), ("w", [4], f32, 64)])
        expectGGUFError(b.bytes, mentions: ["duplicate tensor", "'w'"]) { $0 == .duplicateTensor("w") }
    }

    @Test(arguments: [UInt32(4), 5, 31, 32, 33, 36, 37, 38, 1000, 0xFFFF_FFFF])
    func unknownTensorType(_ raw: UInt32) {
        let b = tensorFile([("w", [32], raw, 0)])
        expectGGUFError(b.bytes, mentions: ["'w'", "unknown ggml type \(raw)"]) {
            $0 == .unknownTensorType(tensor: "w", rawType: raw)
        }
    }

    // MARK: Dimensions

    @Test(arguments: [0, 5, 255])
    func badDimensionCount(_ nDims: Int) {
        let b = tensorFile([("w", Array(repeating: 2, count: nDims), GGMLType.f32.rawValue, 0)])
        expectGGUFError(b.bytes, mentions: ["'w'", "n_dims = \(nDims)"]) {
            if case .badDimensions(let t, _) = $0 { return t == "w" } else { return false }
        }
    }

    @Test func dimensionsThatOverflow() {
        let f32 = GGMLType.f32.rawValue
        for dims: [UInt64] in [[1 << 32, 1 << 32], [1 << 30, 1 << 30], [1 << 20, 1 << 20, 1 << 20, 1 << 20],
                               [3, 1 << 36, 1 << 36]] {
            expectGGUFError(tensorFile([("w", dims, f32, 0)]).bytes, mentions: ["'w'", "element count overflows"]) {
                if case .badDimensions(let t, _) = $0 { return t == "w" } else { return false }
            }
        }
        for dims: [UInt64] in [[UInt64.max], [2, UInt64(Int64.max)], [1 << 63, 1]] {
            expectGGUFError(tensorFile([("w", dims, f32, 0)]).bytes, mentions: ["'w'", "too large"]) {
                if case .badDimensions(let t, _) = $0 { return t == "w" } else { return false }
            }
        }
    }

    @Test func rowLengthNotAMultipleOfTheBlockSize() {
        for (type, row) in [(GGMLType.q4_0, UInt64(33)), (.q8_0, 16), (.q4_K, 128), (.q6_K, 300), (.q4_1, 1)] {
            let b = tensorFile([("w", [row, 2], type.rawValue, 0)])
            expectGGUFError(b.bytes, mentions: ["'w'", "row length \(row)", "block size \(type.blockSize)"]) {
                if case .badDimensions(let t, _) = $0 { return t == "w" } else { return false }
            }
        }
    }

    @Test func zeroSizedDimensionsAreAccepted() throws {
        // ggml allows empty tensors; they take no bytes and overlap nothing.
        let f32 = GGMLType.f32.rawValue
        let file = try GGUFFile(bytes: tensorFile([("e", [0, 4], f32, 0), ("w", [4], f32, 0)]).bytes)
        #expect(try file.requireTensor("e").byteCount == 0)
    }

    // MARK: Offsets and alignment

    @Test(arguments: [UInt64(4), 1, 31, 33, 100])
    func misalignedOffset(_ offset: UInt64) {
        let b = tensorFile([("w", [4], GGMLType.f32.rawValue, offset)])
        expectGGUFError(b.bytes, mentions: ["'w'", "offset \(offset)", "alignment 32"]) {
            $0 == .misalignedOffset(tensor: "w", offset: offset, alignment: 32)
        }
    }

    @Test func misalignedForCustomAlignment() {
        var b = sampleFile(alignment: 64)
        b.patch(b[mark: "tensor.b"] + 9 + 4 + 8 + 4, UInt64(96))  // a multiple of 32, not of 64
        expectGGUFError(b.bytes, mentions: ["'b'", "alignment 64"]) {
            $0 == .misalignedOffset(tensor: "b", offset: 96, alignment: 64)
        }
    }

    @Test(arguments: [UInt32(0), 3, 6, 48, 0x8000_0001])
    func invalidAlignmentValue(_ alignment: UInt32) {
        var b = sampleFile(alignment: 64)
        b.patch(b[mark: "kv.5.value"], alignment)
        expectGGUFError(b.bytes, mentions: ["general.alignment", "\(alignment)"]) {
            $0 == .invalidAlignment(UInt64(alignment))
        }
    }

    @Test func alignmentOfTheWrongType() {
        let cases: [(UInt32, (inout ByteBuilder) -> Void, String)] = [
            (VT.uint64, { $0.u64(32) }, "uint64"), (VT.int32, { $0.u32(32) }, "int32"),
            (VT.string, { $0.string("32") }, "string"), (VT.uint16, { $0.raw([32, 0]) }, "uint16"),
        ]
        for (type, value, name) in cases {
            let b = tensorFile([("w", [4], GGMLType.f32.rawValue, 0)], kvs: [{ $0.kv("general.alignment", type, value) }])
            expectGGUFError(b.bytes, mentions: ["general.alignment", "uint32", name]) {
                $0 == .wrongValueType(key: "general.alignment", expected: "uint32", found: name)
            }
        }
    }

    @Test func overlappingTensors() {
        let f32 = GGMLType.f32.rawValue
        // a: 64 bytes at 0; b: 64 bytes at 32.
        expectGGUFError(tensorFile([("a", [16], f32, 0), ("b", [16], f32, 32)]).bytes, mentions: ["'a'", "'b'", "overlap"]) {
            $0 == .overlappingTensors("a", "b")
        }
        // Same offset, listed in the other order.
        expectGGUFError(tensorFile([("b", [4], f32, 64), ("a", [16], f32, 0), ("c", [8], f32, 64)]).bytes,
                        mentions: ["overlap"]) {
            if case .overlappingTensors = $0 { return true } else { return false }
        }
        // Adjacent tensors do not overlap.
        #expect(throws: Never.self) {
            try GGUFFile(bytes: tensorFile([("a", [8], f32, 0), ("b", [8], f32, 32)]).bytes)
        }
    }

    @Test(arguments: [UInt64(256), 1 << 20, 1 << 40, UInt64.max - 31, 1 << 63])
    func tensorOffsetPastTheEnd(_ offset: UInt64) {
        let b = tensorFile([("w", [4], GGMLType.f32.rawValue, offset)], dataBytes: 256)
        expectGGUFError(b.bytes, mentions: ["'w'", "past the end"]) {
            if case .tensorOutOfBounds(let t, _, let size) = $0 { return t == "w" && size == b.count }
            return false
        }
    }

    @Test func tensorDataLargerThanTheFile() {
        // 1M F32 elements (4 MiB) against 256 bytes of data.
        let b = tensorFile([("w", [1024, 1024], GGMLType.f32.rawValue, 0)])
        expectGGUFError(b.bytes, mentions: ["'w'", "past the end"]) {
            if case .tensorOutOfBounds(let t, let end, _) = $0 { return t == "w" && end == UInt64(b[mark: "data"] + (4 << 20)) }
            return false
        }
    }

    /// Names come from the file; a hostile one must not break the one-line message or flood it.
    @Test func hostileNamesStayOneLine() {
        for name in ["evil\nkey", "cr\r\nlf", "esc\u{1B}[31mred", "nel\u{85}x", "ls\u{2028}ps\u{2029}",
                     String(repeating: "k", count: 100_000)] {
            var dup = ByteBuilder()
            dup.header(tensors: 0, kvs: 2)
            dup.kvU32(name, 1)
            dup.kvU32(name, 2)
            let error = expectGGUFError(dup.bytes) { $0 == .duplicateKey(name) }
            #expect((error?.errorDescription?.count ?? 0) < 400)
            let tensors = tensorFile([(name, [4], GGMLType.f32.rawValue, 0), (name, [4], GGMLType.f32.rawValue, 32)])
            expectGGUFError(tensors.bytes) { $0 == .duplicateTensor(name) }
            var unknown = ByteBuilder()
            unknown.header(tensors: 0, kvs: 1)
            unknown.kv(name, 99) { $0.zeros(8) }
            expectGGUFError(unknown.bytes) { $0 == .unknownValueType(key: name, rawType: 99) }
        }
        #expect(GGUFError.duplicateKey("a\nb").errorDescription == "duplicate metadata key 'a\\u{a}b'")
    }

    @Test func invalidUTF8IsRepairedNotFatal() throws {
        var b = ByteBuilder()
        b.header(tensors: 0, kvs: 1)
        b.string("k")
        b.u32(VT.string)
        b.u64(3); b.raw([0x61, 0xFF, 0x62])
        let file = try GGUFFile(bytes: b.bytes)
        #expect(file.string("k") == "a\u{FFFD}b")
    }
}
