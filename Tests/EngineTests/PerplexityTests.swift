// Perplexity on Debian's GPL-3 text with 256-token chunks must land within 1% of llama.cpp's figure.
import Engine
import Foundation
import LatheTestSupport
import Testing

@Suite(.serialized) struct PerplexityTests {
    static let gpl3 = "/usr/share/common-licenses/GPL-3"

    @Test(arguments: [(TestPaths.smollm2, 20.8565), (TestPaths.gemma3, 16.4229)])
    func perplexityMatchesLlamaCpp(_ model: String, _ reference: Double) throws {
        let lm = try SharedModels.languageModel(model)
        let text = try String(contentsOfFile: Self.gpl3, encoding: .utf8)
        let tokens = lm.tokenizer.encode(text, addSpecial: true, parseSpecial: false)
        let session = InferenceSession(model: lm.transformer, contextLength: 256)
        let result = try Perplexity.compute(session: session, tokens: tokens, contextLength: 256,
                                            bos: lm.tokenizer.addsBOS ? lm.tokenizer.bos : nil)
        #expect(result.chunks == Int(tokens.count / 256))
        let relative = abs(result.ppl - reference) / reference
        #expect(relative < 0.01, "ppl \(result.ppl) vs llama.cpp \(reference) (\(relative * 100)%)")
    }
}

/// Language models shared by the engine tests (loading is cheap, but the runs are serialized anyway).
enum SharedModels {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var models: [String: LanguageModel] = [:]

    static func languageModel(_ path: String) throws -> LanguageModel {
        lock.lock()
        defer { lock.unlock() }
        if let m = models[path] { return m }
        let m = try LanguageModel(path: path, threads: 2)
        models[path] = m
        return m
    }
}
