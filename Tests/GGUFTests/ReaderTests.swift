// GGUFFile on the real models and on files that cannot be opened: facts, lookups, zero-copy views.
import Foundation
import GGUF
import LatheTestSupport
import Testing

@Suite struct ReaderTests {
    @Test func smolLM2Facts() throws {
        let file = try GGUFFile(path: TestPaths.smollm2)
        #expect(file.path == TestPaths.smollm2)
        #expect(file.version == 3)
        #expect(file.fileSize == 98_362_432)
        #expect(file.alignment == 32)
        #expect(file.dataOffset == 1_785_664)
        #expect(file.architecture == "llama")
        #expect(file.archInt("block_count") == 30)
        #expect(file.archInt("context_length") == 8192)
        #expect(file.archDouble("rope.freq_base") == 100_000)
        #expect(try file.requireInt("llama.embedding_length") == 576)
        #expect(file.string("tokenizer.ggml.model") == "gpt2")
        #expect(file.bool("tokenizer.ggml.add_bos_token") == false)
        #expect(file.array("tokenizer.ggml.tokens")?.count == 49152)
        #expect(file.array("tokenizer.ggml.merges")?.count == 48900)
        #expect(file.array("tokenizer.ggml.token_type")?.elementType == .int32)
        #expect(file.string("tokenizer.chat_template")?.contains("<|im_start|>") == true)
        #expect(file.parameterCount == 134_515_008)

        let embd = try file.requireTensor("token_embd.weight")
        #expect(embd.dims == [576, 49152] && embd.type == .q8_0 && embd.offset == 0)
        #expect(embd.rowLength == 576 && embd.rowCount == 49152 && embd.rowByteCount == 576 / 32 * 34)
        #expect(embd.byteCount == 30_081_024)
        #expect(file.tensor(named: "output.weight") == nil, "SmolLM2 ties its output to token_embd")

        // Zero-copy: views point into the mapping at dataOffset + offset.
        let norm = try file.requireTensor("output_norm.weight")
        let view = file.data(for: norm)
        #expect(view.baseAddress == file.rawBytes.baseAddress! + file.dataOffset + Int(norm.offset))
        #expect(view.count == 576 * 4)
        let floats = try #require(file.floats(norm))
        #expect(floats.count == 576)
        #expect(UnsafeRawPointer(floats.baseAddress!) == view.baseAddress)
        #expect(floats.allSatisfy { $0.isFinite } && floats.contains { $0 != 0 })
        #expect(file.floats(embd) == nil, "not an F32 tensor")
        #expect(file.rawBytes.prefix(4).elementsEqual(Array("GGUF".utf8)))
    }

    @Test func gemma3Facts() throws {
        let file = try GGUFFile(path: TestPaths.gemma3)
        #expect(file.architecture == "gemma3")
        #expect(file.fileSize == 253_113_024)
        #expect(file.archInt("block_count") == 18)
        #expect(file.archInt("attention.head_count_kv") == 1)
        #expect(file.archInt("attention.sliding_window") == 512)
        #expect(file.int("gemma3.vocab_size") == nil)
        #expect(file.array("tokenizer.ggml.tokens")?.count == 262_144)
        #expect(file.string("tokenizer.chat_template") == nil)
        #expect(file.parameterCount == 268_098_176)
        let embd = try file.requireTensor("token_embd.weight")
        #expect(embd.dims == [640, 262_144] && embd.type == .q8_0)
        #expect(try file.requireTensor("blk.0.attn_output.weight").type == .q4_K)
        #expect(throws: GGUFError.missingTensor("nope")) { try file.requireTensor("nope") }
        #expect(throws: GGUFError.missingKey("nope")) { try file.requireInt("nope") }
        #expect(throws: GGUFError.wrongValueType(key: "general.name", expected: "integer", found: "string")) {
            try file.requireInt("general.name")
        }
    }

    @Test func filesThatCannotBeOpened() throws {
        #expect {
            try GGUFFile(path: "/nonexistent/model.gguf")
        } throws: { error in
            guard case .cannotOpen(let path, let reason)? = error as? GGUFError else { return false }
            return path == "/nonexistent/model.gguf" && reason.contains("No such file")
        }
        try withTemporaryDirectory { dir in
            #expect(throws: GGUFError.cannotOpen(path: dir.path, reason: "not a regular file")) {
                try GGUFFile(path: dir.path)
            }
            let empty = dir.appendingPathComponent("empty.gguf").path
            #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
            #expect {
                try GGUFFile(path: empty)
            } throws: { error in
                guard case .truncated(let field, _, _, let size)? = error as? GGUFError else { return false }
                return field == "magic" && size == 0
            }
            // A corrupt file on disk fails the same way as in memory, and the mapping is released.
            let bad = dir.appendingPathComponent("bad.gguf").path
            var bytes = sampleFile().bytes
            bytes[0] = 0x46
            #expect(FileManager.default.createFile(atPath: bad, contents: Data(bytes)))
            #expect(throws: GGUFError.badMagic(found: 0x4655_4746)) { try GGUFFile(path: bad) }
        }
        #expect {
            try GGUFFile(bytes: [])
        } throws: { error in
            guard case .truncated(let field, _, _, 0)? = error as? GGUFError else { return false }
            return field == "magic"
        }
    }

    @Test func sampleFromDiskEqualsFromBytes() throws {
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("sample.gguf").path
            let bytes = sampleFile().bytes
            #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
            let a = try GGUFFile(path: path), b = try GGUFFile(bytes: bytes)
            #expect(a.metadata.map(\.key) == b.metadata.map(\.key))
            #expect(a.metadata.map(\.value) == b.metadata.map(\.value))
            #expect(a.tensors == b.tensors && a.dataOffset == b.dataOffset)
        }
    }

    @Test func ggmlTypeGeometry() {
        // gguf-py's GGML_QUANT_SIZES for the types the models use.
        #expect(GGMLType.q4_1.blockSize == 32 && GGMLType.q4_1.typeSize == 20)
        #expect(GGMLType.q8_0.blockSize == 32 && GGMLType.q8_0.typeSize == 34)
        #expect(GGMLType.q5_0.blockSize == 32 && GGMLType.q5_0.typeSize == 22)
        #expect(GGMLType.q4_K.blockSize == 256 && GGMLType.q4_K.typeSize == 144)
        #expect(GGMLType.q6_K.blockSize == 256 && GGMLType.q6_K.typeSize == 210)
        #expect(GGMLType.f32.byteCount(elements: 10) == 40)
        #expect(GGMLType.q4_0.byteCount(elements: 33) == nil)
        #expect(GGMLType.q4_K.byteCount(elements: .max / 2) == nil)
        #expect(GGMLType(name: "q4_k") == .q4_K && GGMLType(name: "nope") == nil)
        #expect(GGMLType.allCases.allSatisfy { GGMLType(name: $0.name) == $0 })
    }
}
