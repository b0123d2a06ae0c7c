// Perplexity the way llama.cpp's llama-perplexity computes it: the text's tokens are cut into
// floor(n / ctx) chunks of `ctx` tokens; when the model adds BOS, each chunk's first token is replaced by
// BOS; the next-token negative log-likelihood of positions ctx/2 ..< ctx-1 (predicting ctx/2+1 ..< ctx)
// is averaged over all chunks; PPL = exp(mean NLL), with llama.cpp's standard error.
import Foundation

public struct PerplexityResult: Sendable, Codable {
    public var ppl: Double
    public var pplStderr: Double
    public var chunks: Int
    public var scoredTokens: Int
    public var runningPPL: [Double]
    public var tokensPerSecond: Double

    enum CodingKeys: String, CodingKey {
        case ppl, pplStderr = "ppl_stderr", chunks, scoredTokens = "scored_tokens"
        case runningPPL = "running_ppl_after_chunk", tokensPerSecond = "tokens_per_second"
    }
}

public enum Perplexity {
    public static func compute(session: InferenceSession, tokens: [Int32], contextLength ctx: Int, bos: Int32?,
                               progress: ((Int, Int, Double) -> Void)? = nil) throws -> PerplexityResult {
        let chunkCount = tokens.count / ctx
        guard chunkCount > 0 else { throw EngineError.promptTooLong(tokens: tokens.count, limit: ctx) }
        let first = ctx / 2
        var nllSum = 0.0, nll2Sum = 0.0, count = 0
        var running: [Double] = []
        let vocabulary = session.vocabularySize
        let started = Date()
        for chunk in 0..<chunkCount {
            var input = Array(tokens[(chunk * ctx)..<((chunk + 1) * ctx)])
            if let bos { input[0] = bos }
            session.reset()
            try session.evaluate(input, logits: .all { firstRow, rows, logits in
                for r in 0..<rows {
                    let position = firstRow + r
                    guard position >= first, position < ctx - 1 else { continue }
                    let target = Int(input[position + 1])
                    let nll = negativeLogLikelihood(logits + r * vocabulary, count: vocabulary, target: target)
                    nllSum += nll
                    nll2Sum += nll * nll
                    count += 1
                }
            })
            running.append(exp(nllSum / Double(count)))
            progress?(chunk + 1, chunkCount, running.last!)
        }
        let mean = nllSum / Double(count)
        let variance = max(0, nll2Sum / Double(count) - mean * mean)
        let stderrNLL = (variance / Double(max(1, count - 1))).squareRoot()
        let ppl = exp(mean)
        let seconds = Date().timeIntervalSince(started)
        return PerplexityResult(ppl: ppl, pplStderr: stderrNLL * ppl, chunks: chunkCount, scoredTokens: count,
                                runningPPL: running, tokensPerSecond: Double(chunkCount * ctx) / seconds)
    }

    /// -log softmax(logits)[target], computed stably in Double.
    static func negativeLogLikelihood(_ logits: UnsafePointer<Float>, count: Int, target: Int) -> Double {
        var maxLogit = logits[0]
        for i in 1..<count where logits[i] > maxLogit { maxLogit = logits[i] }
        var sum = 0.0
        for i in 0..<count { sum += exp(Double(logits[i] - maxLogit)) }
        return log(sum) - Double(logits[target] - maxLogit)
    }
}
