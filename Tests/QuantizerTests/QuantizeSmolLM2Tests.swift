// The real model end to end: SmolLM2 (Q4_1) dequantized to F16 with our quantizer, that F16 file quantized to
// a few types; each loads in the engine and the perplexity on a short text comes in the expected order.
// Also: the CLI's errors, metadata kept, and a cancelled run leaves no file behind.
import Engine
import Foundation
import GGUF
import LatheTestSupport
import Quantizer
import Testing

@Suite(.serialized) struct QuantizeSmolLM2Tests {
    /// Four 256-token chunks of Debian's GPL-3 text: enough to order F16 < Q8_0 < Q4_K_M < Q2_K.
    static func perplexity(_ path: String) throws -> Double {
        let lm = try LanguageModel(path: path, threads: 2)
        let text = try String(contentsOfFile: "/usr/share/common-licenses/GPL-3", encoding: .utf8)
        let tokens = Array(lm.tokenizer.encode(text, addSpecial: true, parseSpecial: false).prefix(4 * 256))
        let session = InferenceSession(model: lm.transformer, contextLength: 256)
        return try Perplexity.compute(session: session, tokens: tokens, contextLength: 256,
                                      bos: lm.tokenizer.addsBOS ? lm.tokenizer.bos : nil).ppl
    }

    @Test func quantizedSmolLM2RunsWithPerplexityInOrder() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let f16 = try SharedSmolF16.path()
        let original = try GGUFFile(path: TestPaths.smollm2)
        let f16File = try GGUFFile(path: f16)
        // Every metadata key kept, in order, with general.file_type (1 = F16) and quantization_version set.
        #expect(f16File.metadata.map(\.key) == original.metadata.map(\.key)
                + (original["general.quantization_version"] == nil ? ["general.quantization_version"] : []))
        for (key, value) in original.metadata where key != "general.file_type" && key != "general.quantization_version" {
            #expect(f16File[key] == value, "metadata \(key) changed")
        }
        #expect(f16File.int("general.file_type") == 1)
        #expect(f16File.tensors.filter { $0.dims.count == 1 }.allSatisfy { $0.type == .f32 })
        #expect(f16File.tensors.filter { $0.dims.count == 2 }.allSatisfy { $0.type == .f16 })

        var ppl: [QuantFileType: Double] = [.f16: try Self.perplexity(f16)]
        for type in [QuantFileType.q8_0, .q4_K_M, .q2_K] {
            let path = dir.appendingPathComponent("smollm2-\(type.rawValue).gguf").path
            let result = try QuantizeModel.run(input: f16, output: path, options: QuantizeOptions(fileType: type, threads: 2))
            #expect(result.outputBytes < f16File.fileSize)
            ppl[type] = try Self.perplexity(path)
        }
        let original4 = try Self.perplexity(TestPaths.smollm2)
        // F16 holds the Q4_1 weights exactly (every Q4_1 value is d*q+m in f32, rounded once to f16).
        #expect(abs(ppl[.f16]! - original4) / original4 < 0.01, "F16 \(ppl[.f16]!) vs Q4_1 \(original4)")
        // Within noise: on 512 scored tokens Q8_0 has come out 1.2% below F16 (paired noise, not a gain).
        #expect(ppl[.f16]! <= ppl[.q8_0]! * 1.03, "\(ppl)")
        #expect(ppl[.q8_0]! <= ppl[.q4_K_M]! * 1.03, "\(ppl)")
        #expect(ppl[.q4_K_M]! < ppl[.q2_K]!, "\(ppl)")
    }

    @Test func cancelledRunLeavesNoFile() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let output = dir.appendingPathComponent("out.gguf").path
        let cancel = CancellationFlag()
        var seen = 0
        #expect(throws: QuantizerError.cancelled) {
            try QuantizeModel.run(input: TestPaths.smollm2, output: output,
                                  options: QuantizeOptions(fileType: .q8_0, threads: 2, allowRequantize: true),
                                  cancel: cancel) { progress in
                if progress.tensorFinished { seen += 1 }
                if seen == 5 { cancel.cancel() }
            }
        }
        #expect(seen == 5)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test func cliReportsBadInputInOneLine() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let output = dir.appendingPathComponent("out.gguf").path
        let refused = try Run.lathe(["quantize", TestPaths.smollm2, output, "Q8_0"])
        #expect(refused.status == 1)
        #expect(refused.stderr == "error: tensor 'blk.0.attn_k.weight' is already quantized (Q4_1); requantizing is disabled (pass --allow-requantize)\n")
        let badType = try Run.lathe(["quantize", TestPaths.smollm2, output, "Q7_K"])
        #expect(badType.status != 0 && badType.stderr.contains("unknown TYPE 'Q7_K'"))
        let badOverride = try Run.lathe(["quantize", TestPaths.smollm2, output, "Q8_0", "--tensor-type", "attn_v"])
        #expect(badOverride.status == 1 && badOverride.stderr.contains("expected PATTERN=TYPE"))
        let missing = try Run.lathe(["quantize", dir.appendingPathComponent("none.gguf").path, output, "Q8_0"])
        #expect(missing.status == 1 && missing.stderr.hasPrefix("error: ") && missing.stderr.contains("none.gguf"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test func cliQuantizesWithOverridesAndWarnsOnRequantize() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let output = dir.appendingPathComponent("out.gguf").path
        let run = try Run.lathe(["quantize", TestPaths.smollm2, output, "Q4_0", "--allow-requantize",
                                 "--tensor-type", "ffn_down=q8_0", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("warning: requantizing"))
        let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        #expect(json?["file_type"] as? String == "Q4_0")
        #expect((json?["peak_rss_mib"] as? Double ?? 0) > 0)
        let file = try GGUFFile(path: output)
        #expect(file.tensors.filter { $0.name.hasSuffix("ffn_down.weight") }.allSatisfy { $0.type == .q8_0 })
        #expect(try file.requireTensor("blk.3.attn_q.weight").type == .q4_0)
        #expect(file.int("general.file_type") == 2)
    }
}
