// lathe kld keeps the base model's logits in a scratch file rather than in memory; the numbers must be exactly
// those of the plain in-memory computation (base log-probabilities of the whole chunk held as Doubles), here
// written out again as the reference: SmolLM2's Q4_1 original against our F16 dequantization of it.
import Engine
import Foundation
import LatheTestSupport
import Quantizer
import Testing

@Suite(.serialized) struct KLDivergenceStreamingTests {
    @Test func streamedBaseLogitsGiveTheInMemoryResult() throws {
        let text = try String(contentsOfFile: "/usr/share/common-licenses/GPL-3", encoding: .utf8)
        let base = try LanguageModel(path: try SharedSmolF16.path(), threads: 2)
        let quant = try LanguageModel(path: TestPaths.smollm2, threads: 2)
        let streamed = try KLDivergence.compute(base: base, quant: quant, text: text, contextLength: 128, maxChunks: 2)
        let reference = try inMemoryKLD(base: base, quant: quant, text: text, ctx: 128, chunks: 2)
        #expect(streamed.scoredTokens == 126 && reference.count == 126)
        #expect(streamed.meanKLD == reference.kldSum / 126, "streamed \(streamed.meanKLD), in memory \(reference.kldSum / 126)")
        #expect(streamed.top1Agreement == Double(reference.agree) / 126)
        #expect(streamed.basePPL == exp(reference.baseNLL / 126) && streamed.quantPPL == exp(reference.quantNLL / 126))
        #expect(streamed.meanKLD > 0 && streamed.top1Agreement > 0.8)
        // No scratch file is left behind (it is unlinked as soon as it is made).
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()).filter { $0.hasPrefix("lathe-rows-") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    /// The pre-streaming algorithm: every scored row's base log-probabilities of a chunk kept in memory.
    func inMemoryKLD(base: LanguageModel, quant: LanguageModel, text: String, ctx: Int, chunks: Int) throws
        -> (kldSum: Double, agree: Int, baseNLL: Double, quantNLL: Double, count: Int) {
        let vocabulary = base.config.vocabularySize
        let tokens = base.tokenizer.encode(text, addSpecial: true, parseSpecial: false)
        let bos = base.tokenizer.addsBOS ? base.tokenizer.bos : nil
        let first = ctx / 2
        let baseSession = InferenceSession(model: base.transformer, contextLength: ctx)
        let quantSession = InferenceSession(model: quant.transformer, contextLength: ctx)
        let baseLogProbs = UnsafeMutablePointer<Double>.allocate(capacity: (ctx - 1 - first) * vocabulary)
        let q = UnsafeMutablePointer<Double>.allocate(capacity: vocabulary)
        defer {
            baseLogProbs.deallocate()
            q.deallocate()
        }
        var kldSum = 0.0, agree = 0, baseNLL = 0.0, quantNLL = 0.0, count = 0
        for chunk in 0..<chunks {
            var input = Array(tokens[(chunk * ctx)..<((chunk + 1) * ctx)])
            if let bos { input[0] = bos }
            baseSession.reset()
            try baseSession.evaluate(input, logits: .all { firstRow, rows, logits in
                for r in 0..<rows where firstRow + r >= first && firstRow + r < ctx - 1 {
                    logSoftmax(logits + r * vocabulary, vocabulary, baseLogProbs + (firstRow + r - first) * vocabulary)
                }
            })
            quantSession.reset()
            try quantSession.evaluate(input, logits: .all { firstRow, rows, logits in
                for r in 0..<rows where firstRow + r >= first && firstRow + r < ctx - 1 {
                    let position = firstRow + r
                    let p = baseLogProbs + (position - first) * vocabulary
                    logSoftmax(logits + r * vocabulary, vocabulary, q)
                    var kld = 0.0, bestP = 0, bestQ = 0
                    for i in 0..<vocabulary {
                        kld += exp(p[i]) * (p[i] - q[i])
                        if p[i] > p[bestP] { bestP = i }
                        if q[i] > q[bestQ] { bestQ = i }
                    }
                    kldSum += kld
                    if bestP == bestQ { agree += 1 }
                    baseNLL -= p[Int(input[position + 1])]
                    quantNLL -= q[Int(input[position + 1])]
                    count += 1
                }
            })
        }
        return (kldSum, agree, baseNLL, quantNLL, count)
    }

    func logSoftmax(_ logits: UnsafePointer<Float>, _ count: Int, _ out: UnsafeMutablePointer<Double>) {
        var maxLogit = logits[0]
        for i in 1..<count where logits[i] > maxLogit { maxLogit = logits[i] }
        var sum = 0.0
        for i in 0..<count { sum += exp(Double(logits[i] - maxLogit)) }
        let logSum = log(sum)
        for i in 0..<count { out[i] = Double(logits[i] - maxLogit) - logSum }
    }
}
