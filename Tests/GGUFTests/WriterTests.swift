// GGUFWriter: byte-identical round trips of both real models, a from-scratch file with every value type
// (nested arrays included) and several tensor types that parses back equal and that llama.cpp's gguf-py reads,
// and atomic writes that leave nothing behind on failure.
import Foundation
import GGUF
import LatheTestSupport
import Testing

func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gguf-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    return try body(dir)
}

/// Deterministic bytes for tensor data: an owned buffer that lives as long as the test process (tests only).
final class TestBuffer: @unchecked Sendable {
    let pointer: UnsafeMutableRawBufferPointer
    init(count: Int, seed: UInt64) {
        pointer = .allocate(byteCount: count, alignment: 64)
        var rng = SplitMix64(seed: seed)
        for i in 0..<count { pointer[i] = UInt8(truncatingIfNeeded: rng.next()) }
    }
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(pointer) }
    deinit { pointer.deallocate() }
}

@Suite struct WriterTests {
    private func roundTrip(_ path: String) throws {
        let file = try GGUFFile(path: path)
        let writer = GGUFWriter(copying: file)
        // The header alone matches the file up to the data section.
        let header = writer.headerBytes()
        #expect(header.count == file.dataOffset)
        #expect(header.elementsEqual(file.rawBytes.prefix(file.dataOffset)))
        #expect(writer.tensors.map(\.info) == file.tensors)
        try withTemporaryDirectory { dir in
            let out = dir.appendingPathComponent("copy.gguf").path
            try writer.write(to: out)
            let original = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
            let copy = try Data(contentsOf: URL(fileURLWithPath: out), options: .alwaysMapped)
            #expect(copy.count == original.count)
            #expect(copy == original, "the copy of \(path) is not byte-identical")
            #expect(!FileManager.default.fileExists(atPath: out + ".tmp"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["copy.gguf"])
        }
    }

    @Test func smolLM2RoundTripIsByteIdentical() throws { try roundTrip(TestPaths.smollm2) }
    @Test func gemma3RoundTripIsByteIdentical() throws { try roundTrip(TestPaths.gemma3) }

    /// Every value type, empty and nested arrays, and special floats.
    static let allValues: [(key: String, value: GGUFValue)] = [
        ("general.architecture", .string("scratch")),
        ("t.uint8", .uint8(255)), ("t.int8", .int8(-128)), ("t.uint16", .uint16(65535)), ("t.int16", .int16(-32768)),
        ("t.uint32", .uint32(.max)), ("t.int32", .int32(.min)), ("t.float32", .float32(3.25)),
        ("t.bool.true", .bool(true)), ("t.bool.false", .bool(false)),
        ("t.string", .string("héllo ✓ 🦙 \"quoted\"\n\ttab")), ("t.string.empty", .string("")),
        ("t.uint64", .uint64(1 << 62)), ("t.int64", .int64(.min)), ("t.float64", .float64(-1e300)),
        ("t.float32.special", .float32(-0.0)), ("t.float64.inf", .float64(.infinity)),
        ("a.uint8", .array(.uint8([0, 1, 255]))), ("a.int8", .array(.int8([-1, 0, 127]))),
        ("a.uint16", .array(.uint16([1, 65535]))), ("a.int16", .array(.int16([-2, 2]))),
        ("a.uint32", .array(.uint32([7, .max]))), ("a.int32", .array(.int32(Array(-50...50)))),
        ("a.float32", .array(.float32([1.5, -0.0, .infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude]))),
        ("a.bool", .array(.bool([true, false, true]))),
        ("a.string", .array(.string(["", "a", "ünïcødé", String(repeating: "long ", count: 100)]))),
        ("a.uint64", .array(.uint64([0, 1 << 63 - 1]))), ("a.int64", .array(.int64([.min, .max]))),
        ("a.float64", .array(.float64([.pi, -.ulpOfOne]))),
        ("a.big", .array(.int32((0..<5000).map { Int32($0 * 7 - 9000) }))),
        ("a.bigstrings", .array(.string((0..<1000).map { "tok\($0)" }))),
        ("a.empty.uint8", .array(.uint8([]))), ("a.empty.string", .array(.string([]))),
        ("a.nested.strings", .array(.array([.string(["x", "yz"]), .string([]), .string(["w"])]))),
        ("a.nested.deep", .array(.array([.array([.int32([1, 2]), .int32([])]), .array([.array([.float32([0.5])])])]))),
        ("a.nested.empty", .array(.array([]))),
        ("a.nested.mixed", .array(.array([.uint8([1]), .bool([true]), .uint64([5])]))),
    ]

    static let tensorSpecs: [(name: String, dims: [Int], type: GGMLType)] = [
        ("f32", [8, 3], .f32), ("f16", [16, 2], .f16), ("bf16", [4], .bf16), ("q4_0", [64, 2], .q4_0),
        ("q4_1", [32], .q4_1), ("q5_0", [32, 3], .q5_0), ("q8_0", [32, 2, 2], .q8_0), ("q4_K", [256, 2], .q4_K),
        ("q6_K", [512], .q6_K), ("i32", [5], .i32), ("empty", [0, 4], .f32), ("f32.4d", [2, 3, 4, 5], .f32),
    ]

    private func scratchWriter(alignment: UInt32? = nil) -> (GGUFWriter, [TestBuffer]) {
        var writer = GGUFWriter()
        for (key, value) in Self.allValues { writer.set(key, value) }
        var buffers: [TestBuffer] = []
        for (i, spec) in Self.tensorSpecs.enumerated() {
            let count = spec.type.byteCount(elements: spec.dims.reduce(1, *))!
            let buffer = TestBuffer(count: count, seed: UInt64(i + 1))
            buffers.append(buffer)
            writer.addTensor(name: spec.name, dims: spec.dims, type: spec.type) { buffer.bytes }
        }
        // Set after the tensors: their offsets must follow the new alignment.
        if let alignment { writer.set("general.alignment", .uint32(alignment)) }
        return (writer, buffers)
    }

    @Test(arguments: [nil, UInt32(64), 256])
    func fromScratchParsesBackEqual(_ alignment: UInt32?) throws {
        let (writer, buffers) = scratchWriter(alignment: alignment)
        #expect(writer.alignment == Int(alignment ?? 32))
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("scratch.gguf").path
            try writer.write(to: path)
            let file = try GGUFFile(path: path)
            #expect(file.alignment == Int(alignment ?? 32))
            #expect(file.metadata.map(\.key) == writer.metadata.map(\.key))
            for ((key, ours), (_, theirs)) in zip(writer.metadata, file.metadata) {
                #expect(ours == theirs, "\(key)")
            }
            #expect(file.tensors == writer.tensors.map(\.info))
            for (tensor, buffer) in zip(file.tensors, buffers) {
                #expect(tensor.offset % UInt64(file.alignment) == 0)
                #expect(file.data(for: tensor).elementsEqual(buffer.bytes), "data of \(tensor.name)")
            }
            #expect(file.fileSize % file.alignment == 0, "ggml pads after the last tensor too")
            // Writing the parsed file again gives the same bytes.
            let again = dir.appendingPathComponent("again.gguf").path
            try GGUFWriter(copying: file).write(to: again)
            #expect(try Data(contentsOf: URL(fileURLWithPath: again)) == Data(contentsOf: URL(fileURLWithPath: path)))
        }
    }

    @Test func fromScratchIsReadByGGUFPy() throws {
        let (writer, _) = scratchWriter(alignment: 64)
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("scratch.gguf").path
            try writer.write(to: path)
            let file = try GGUFFile(path: path)
            let dump = try pythonDump(path)
            expectAgreesWithPython(file, dump)
            #expect((dump["metadata"] as? [Any])?.count == Self.allValues.count + 1)
            #expect((dump["tensors"] as? [Any])?.count == Self.tensorSpecs.count)
        }
    }

    @Test func nanSurvivesBitExact() throws {
        var writer = GGUFWriter()
        let quiet = Float.nan, payload = Float(bitPattern: 0x7FC0_1234), negative = Float(bitPattern: 0xFFC0_0000)
        writer.set("nan", .array(.float32([quiet, payload, negative])))
        writer.set("nan64", .float64(Double(bitPattern: 0x7FF8_0000_0000_0042)))
        let file = try GGUFFile(bytes: writer.headerBytes())
        guard case .array(.float32(let floats))? = file["nan"], case .float64(let d)? = file["nan64"] else {
            Issue.record("wrong types"); return
        }
        #expect(floats.map(\.bitPattern) == [quiet, payload, negative].map(\.bitPattern))
        #expect(d.bitPattern == 0x7FF8_0000_0000_0042)
        #expect(GGUFWriter(copying: file).headerBytes() == writer.headerBytes())
    }

    @Test func emptyFileRoundTrips() throws {
        let writer = GGUFWriter()
        let file = try GGUFFile(bytes: writer.headerBytes())
        #expect(file.metadata.isEmpty && file.tensors.isEmpty && file.version == 3)
        #expect(file.parameterCount == 0)
    }

    @Test func setReplacesInPlace() {
        var writer = GGUFWriter()
        writer.set("a", .uint32(1))
        writer.set("b", .string("x"))
        writer.set("a", .int64(2))
        #expect(writer.metadata.map(\.key) == ["a", "b"])
        #expect(writer.metadata[0].value == .int64(2))
    }

    // MARK: Atomic writes

    @Test func writingIntoAMissingDirectoryFails() throws {
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("no/such/dir/out.gguf").path
            #expect {
                try GGUFWriter().write(to: path)
            } throws: { error in
                guard case .writeFailed(let p, let reason) = error as? GGUFError else { return false }
                return p == path && !reason.isEmpty && isOneLine((error as! GGUFError).errorDescription!)
            }
            let left = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            #expect(left.isEmpty)
        }
    }

    @Test func failedWriteLeavesTheOldFileAndNoTemporary() throws {
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("model.gguf").path
            let (good, _) = scratchWriter()
            try good.write(to: path)
            let before = try Data(contentsOf: URL(fileURLWithPath: path))

            // A tensor whose data has the wrong size fails half-way through the write.
            var bad = good
            let short = TestBuffer(count: 10, seed: 9)
            bad.addTensor(name: "short", dims: [32], type: .f32) { short.bytes }
            #expect {
                try bad.write(to: path)
            } throws: { error in
                guard case .writeFailed(_, let reason) = error as? GGUFError else { return false }
                return reason.contains("short")
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["model.gguf"])

            // An invalid alignment is refused before anything is written.
            var misaligned = good
            misaligned.alignment = 24
            #expect(throws: GGUFError.self) { try misaligned.write(to: path) }
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["model.gguf"])
        }
    }

    /// Setting `alignment` alone keeps general.alignment in step, so readers find the data where it was written.
    @Test func alignmentPropertyWritesTheKey() throws {
        var writer = GGUFWriter()
        writer.set("general.architecture", .string("x"))
        let data = TestBuffer(count: 40, seed: 5)
        writer.addTensor(name: "a", dims: [10], type: .f32) { data.bytes }
        writer.addTensor(name: "b", dims: [10], type: .f32) { data.bytes }
        writer.alignment = 128
        #expect(writer.metadata.last?.key == "general.alignment" && writer.metadata.last?.value == .uint32(128))
        #expect(writer.tensors.map(\.info.offset) == [0, 128])
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("a.gguf").path
            try writer.write(to: path)
            let file = try GGUFFile(path: path)
            #expect(file.alignment == 128 && file.dataOffset % 128 == 0)
            #expect(file.data(for: try file.requireTensor("b")).elementsEqual(data.bytes))
            // A general.alignment that disagrees with the layout (here: the wrong type) is refused.
            var wrong = writer
            wrong.metadata[wrong.metadata.count - 1].value = .uint64(128)
            #expect(throws: GGUFError.self) { try wrong.write(to: path) }
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["a.gguf"])
        }
        // A fresh writer at the default alignment adds no key.
        var plain = GGUFWriter()
        plain.alignment = 32
        #expect(plain.metadata.isEmpty)
    }

    @Test(arguments: [0, -32, 3, 48])
    func invalidAlignmentIsRefused(_ alignment: Int) throws {
        var writer = GGUFWriter()
        writer.alignment = alignment
        let data = TestBuffer(count: 16, seed: 3)
        writer.addTensor(name: "w", dims: [4], type: .f32) { data.bytes }
        writer.addTensor(name: "v", dims: [4], type: .f32) { data.bytes }
        _ = writer.headerBytes()
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("x.gguf").path
            #expect {
                try writer.write(to: path)
            } throws: { error in
                guard case .writeFailed(_, let reason) = error as? GGUFError else { return false }
                return reason.contains("alignment")
            }
            let left = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            #expect(left.isEmpty)
        }
    }

    @Test func writingOverADirectoryFails() throws {
        try withTemporaryDirectory { dir in
            let target = dir.appendingPathComponent("occupied")
            try FileManager.default.createDirectory(at: target.appendingPathComponent("child"),
                                                    withIntermediateDirectories: true)
            #expect(throws: GGUFError.self) { try GGUFWriter().write(to: target.path) }
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["occupied"])
        }
    }
}
