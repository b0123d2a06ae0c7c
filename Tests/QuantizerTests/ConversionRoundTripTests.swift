// Safetensors -> GGUF on a real checkpoint: SmolLM2 exported to a Hugging Face directory (sharded F16 safetensors
// with an index, config.json, tokenizer.json built from the GGUF vocabulary and merges, tokenizer_config.json with
// the chat template; q/k rows un-permuted), converted back, and compared with the original: the same tokenizer
// metadata, tokens and logits, and tensors byte-equal to our own F16 quantization of the original.
import Engine
import Foundation
import GGUF
import LatheTestSupport
import Quantizer
import Testing

@Suite(.serialized) struct ConversionRoundTripTests {
    static let texts = ["Hello world! The GNU General Public License is a free, copyleft license.",
                        "  def f(x):\n\treturn x**2 + 12345 # digits 0123456789",
                        "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n", "Ünïcödé — 日本語 🙂"]

    @Test func exportThenConvertReproducesTheModel() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let hf = dir.appendingPathComponent("hf").path
        let export = try ExportToHF.run(model: TestPaths.smollm2, to: hf, options: .init(dtype: .f16, shardBytes: 100 << 20))
        #expect(export.files.filter { $0.hasSuffix(".safetensors") }.count == 3)
        #expect(export.files.contains("model.safetensors.index.json"))
        let converted = dir.appendingPathComponent("converted.gguf").path
        try ConvertHFToGGUF.run(directory: hf, output: converted, outType: .f16)
        let reference = try SharedSmolF16.path()

        let original = try GGUFFile(path: TestPaths.smollm2)
        let back = try GGUFFile(path: converted), ref = try GGUFFile(path: reference)
        for key in original.metadata.map(\.key) where key.hasPrefix("llama.") || key.hasPrefix("tokenizer.") {
            guard key != "tokenizer.ggml.add_space_prefix" else { continue }  // not written by convert_hf_to_gguf for BPE
            #expect(back[key] == original[key], "metadata \(key) differs after the round trip")
        }
        #expect(back.int("general.file_type") == 1)
        #expect(Set(back.tensors.map(\.name)) == Set(ref.tensors.map(\.name)))
        for info in ref.tensors {
            let mine = try back.requireTensor(info.name)
            #expect(mine.dims == info.dims && mine.type == info.type, "\(info.name)")
            #expect(Array(back.data(for: mine)) == Array(ref.data(for: info)), "\(info.name) bytes differ")
        }

        let originalModel = try LanguageModel(path: TestPaths.smollm2, threads: 2)
        let convertedModel = try LanguageModel(path: converted, threads: 2)
        for text in Self.texts {
            #expect(convertedModel.tokenizer.encode(text, addSpecial: true, parseSpecial: true)
                    == originalModel.tokenizer.encode(text, addSpecial: true, parseSpecial: true), "\(text)")
        }
        // Logits: the converted file runs exactly like our own F16 quantization of the model (same bytes), and
        // close to the Q4_1 original (F16 weights are the Q4_1 weights rounded once; the Q4_1 model quantizes
        // its activations to Q8_1 and the F16 one does not, which on this short prompt moves logits by ~0.5).
        let prompt = originalModel.tokenizer.encode(Self.texts[0], addSpecial: true, parseSpecial: false)
        let referenceModel = try LanguageModel(path: reference, threads: 2)
        let a = try lastLogits(originalModel, prompt), b = try lastLogits(convertedModel, prompt)
        #expect(b == (try lastLogits(referenceModel, prompt)), "converted and reference F16 logits differ")
        let maxDifference = zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
        #expect(maxDifference < 1.0, "max logit difference \(maxDifference)")
        let topOfOriginal = a.indices.max { a[$0] < a[$1] }!
        let topThreeConverted = b.indices.sorted { b[$0] > b[$1] }.prefix(3)
        #expect(topThreeConverted.contains(topOfOriginal), "the original's top token is not in the converted top 3")
    }

    /// BF16 safetensors in one file (no index) converted straight to Q8_0 runs close to the original.
    @Test func bf16SingleFileConvertsToQ8_0() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let hf = dir.appendingPathComponent("hf").path
        let export = try ExportToHF.run(model: TestPaths.smollm2, to: hf, options: .init(dtype: .bf16))
        #expect(export.files.first == "model.safetensors" && !export.files.contains("model.safetensors.index.json"))
        let converted = dir.appendingPathComponent("q8.gguf").path
        try ConvertHFToGGUF.run(directory: hf, output: converted, outType: .q8_0)
        let file = try GGUFFile(path: converted)
        #expect(file.tensors.filter { $0.dims.count == 2 }.allSatisfy { $0.type == .q8_0 })
        #expect(file.int("general.file_type") == 7)
        // BF16 then Q8_0 rounds twice: close, not equal (measured: KLD 0.014, same top token 94%).
        let text = try String(contentsOfFile: "/usr/share/common-licenses/GPL-3", encoding: .utf8)
        let kld = try KLDivergence.compute(base: try LanguageModel(path: TestPaths.smollm2, threads: 2),
                                           quant: try LanguageModel(path: converted, threads: 2), text: text,
                                           contextLength: 128, maxChunks: 2)
        #expect(kld.meanKLD < 0.04 && kld.top1Agreement > 0.85, "KLD \(kld.meanKLD), top-1 \(kld.top1Agreement)")
    }

    @Test func badCheckpointsGiveOneLineErrors() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.gguf").path
        #expect(throws: QuantizerError.badInput(path: dir.appendingPathComponent("config.json").path, reason: "cannot read the file")) {
            try ConvertHFToGGUF.run(directory: dir.path, output: out)
        }
        try #"{"model_type": "gpt_neox"}"#.write(to: dir.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        #expect(throws: QuantizerError.self) { try ConvertHFToGGUF.run(directory: dir.path, output: out) }
        // A truncated safetensors file names the file and the problem.
        let shard = dir.appendingPathComponent("model.safetensors")
        let header = Data(#"{"a": {"dtype": "F16", "shape": [4], "data_offsets": [0, 8]}}"#.utf8)
        var length = UInt64(header.count).littleEndian
        var bytes = Data(bytes: &length, count: 8)
        bytes.append(header)
        bytes.append(Data([0, 0]))
        try bytes.write(to: shard)
        #expect(throws: QuantizerError.badInput(path: shard.path, reason: "tensor 'a': data_offsets [0, 8] do not hold [4] F16")) {
            try SafetensorsFile(path: shard.path)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["config.json", "model.safetensors"])
    }

    @Test func klDivergenceOrdersQuantizations() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let f16 = try SharedSmolF16.path()
        let q8 = dir.appendingPathComponent("q8.gguf").path, q2 = dir.appendingPathComponent("q2.gguf").path
        try QuantizeModel.run(input: f16, output: q8, options: QuantizeOptions(fileType: .q8_0, threads: 2))
        try QuantizeModel.run(input: f16, output: q2, options: QuantizeOptions(fileType: .q2_K, threads: 2))
        let text = try String(contentsOfFile: "/usr/share/common-licenses/GPL-3", encoding: .utf8)
        let base = try LanguageModel(path: f16, threads: 2)
        let same = try KLDivergence.compute(base: base, quant: base, text: text, contextLength: 128, maxChunks: 2)
        #expect(abs(same.meanKLD) < 1e-9 && same.top1Agreement == 1 && same.deltaPPL == 0)
        #expect(same.scoredTokens == 2 * 63)
        let r8 = try KLDivergence.compute(base: base, quant: try LanguageModel(path: q8, threads: 2), text: text,
                                          contextLength: 128, maxChunks: 2)
        let r2 = try KLDivergence.compute(base: base, quant: try LanguageModel(path: q2, threads: 2), text: text,
                                          contextLength: 128, maxChunks: 2)
        #expect(r8.meanKLD > 0 && r8.meanKLD < r2.meanKLD, "Q8_0 \(r8.meanKLD) vs Q2_K \(r2.meanKLD)")
        #expect(r8.top1Agreement > 0.9 && r8.top1Agreement > r2.top1Agreement)
        #expect(r2.deltaPPL > 0)
        // The CLI prints the same numbers as JSON.
        let run = try Run.lathe(["kld", f16, q8, "/usr/share/common-licenses/GPL-3", "--ctx", "128", "--chunks", "2", "--json", "-t", "2"])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        #expect(abs((json?["mean_kld"] as? Double ?? -1) - r8.meanKLD) < 1e-9)
        #expect(abs((json?["top1_agreement"] as? Double ?? -1) - r8.top1Agreement) < 1e-9)
        #expect(json?["scored_tokens"] as? Int == 126)
        #expect(json?["delta_ppl"] != nil)
    }
}

/// The logits after the last token of `prompt`.
func lastLogits(_ model: LanguageModel, _ prompt: [Int32]) throws -> [Float] {
    let session = InferenceSession(model: model.transformer, contextLength: 256)
    try session.prefill(prompt)
    return Array(UnsafeBufferPointer(start: session.logits, count: model.config.vocabularySize))
}
