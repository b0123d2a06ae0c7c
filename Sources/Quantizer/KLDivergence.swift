// How far a quantized model's next-token distributions are from its base model's on the same text, the way
// llama-perplexity --kl-divergence measures it: the text is cut into chunks as for perplexity (BOS per the base
// model), and over the scored positions (the second half of each chunk) we average KL(P_base || P_quant),
// count how often both put the same token first, and compute both perplexities.
import Engine
import Foundation

public struct KLDResult: Sendable, Encodable {
    public var meanKLD: Double
    public var kldStderr: Double
    public var top1Agreement: Double
    public var basePPL: Double
    public var quantPPL: Double
    public var chunks: Int
    public var scoredTokens: Int

    public var deltaPPL: Double { quantPPL - basePPL }

    enum CodingKeys: String, CodingKey {
        case meanKLD = "mean_kld", kldStderr = "kld_stderr", top1Agreement = "top1_agreement"
        case basePPL = "base_ppl", quantPPL = "quant_ppl", chunks, scoredTokens = "scored_tokens", deltaPPL = "delta_ppl"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(meanKLD, forKey: .meanKLD)
        try c.encode(kldStderr, forKey: .kldStderr)
        try c.encode(top1Agreement, forKey: .top1Agreement)
        try c.encode(basePPL, forKey: .basePPL)
        try c.encode(quantPPL, forKey: .quantPPL)
        try c.encode(deltaPPL, forKey: .deltaPPL)
        try c.encode(chunks, forKey: .chunks)
        try c.encode(scoredTokens, forKey: .scoredTokens)
    }
}

public enum KLDivergence {
    /// Compares `quant` with `base` on `text`; `maxChunks` limits the work (nil: every full chunk).
    public static func compute(base: LanguageModel, quant: LanguageModel, text: String, contextLength ctx: Int,
                               maxChunks: Int? = nil, progress: (Int, Int) -> Void = { _, _ in }) throws -> KLDResult {
        let vocabulary = base.config.vocabularySize
        guard quant.config.vocabularySize == vocabulary else {
            throw QuantizerError.invalidArgument("vocabulary sizes differ: base \(vocabulary), quantized \(quant.config.vocabularySize)")
        }
        let tokens = base.tokenizer.encode(text, addSpecial: true, parseSpecial: false)
        let chunkCount = min(tokens.count / ctx, maxChunks ?? .max)
        guard chunkCount > 0 else {
            throw QuantizerError.invalidArgument("the text has \(tokens.count) tokens, fewer than one chunk of \(ctx)")
        }
        let bos = base.tokenizer.addsBOS ? base.tokenizer.bos : nil
        let first = ctx / 2
        let scored = ctx - 1 - first
        let baseSession = InferenceSession(model: base.transformer, contextLength: ctx)
        let quantSession = InferenceSession(model: quant.transformer, contextLength: ctx)
        // The base model's logits for the scored rows of a chunk go to a scratch file (vocabulary x 4 bytes a
        // row, 25 MB for SmolLM2 at ctx 256, 2 GB for a 256k vocabulary at ctx 2048) and are read back one row
        // at a time, so memory stays at a few rows whatever the context and vocabulary. Raw Float logits, with
        // the log-softmax redone on reading, give exactly the numbers an in-memory copy would.
        let baseRows = try ScratchRowFile(rowLength: vocabulary)
        let logitRow = UnsafeMutablePointer<Float>.allocate(capacity: vocabulary)
        let baseRow = UnsafeMutablePointer<Double>.allocate(capacity: vocabulary)
        let quantRow = UnsafeMutablePointer<Double>.allocate(capacity: vocabulary)
        defer {
            logitRow.deallocate()
            baseRow.deallocate()
            quantRow.deallocate()
        }
        // The logits callbacks cannot throw; the first I/O error is kept and rethrown after the evaluation.
        var ioError: Error?
        var kldSum = 0.0, kld2Sum = 0.0, agree = 0, count = 0
        var baseNLL = 0.0, quantNLL = 0.0
        for chunk in 0..<chunkCount {
            var input = Array(tokens[(chunk * ctx)..<((chunk + 1) * ctx)])
            if let bos { input[0] = bos }
            baseSession.reset()
            try baseSession.evaluate(input, logits: .all { firstRow, rows, logits in
                for r in 0..<rows {
                    let position = firstRow + r
                    guard position >= first, position < ctx - 1 else { continue }
                    do { try baseRows.write(row: position - first, from: logits + r * vocabulary) } catch { ioError = ioError ?? error }
                }
            })
            if let ioError { throw ioError }
            quantSession.reset()
            try quantSession.evaluate(input, logits: .all { firstRow, rows, logits in
                for r in 0..<rows {
                    let position = firstRow + r
                    guard position >= first, position < ctx - 1 else { continue }
                    let target = Int(input[position + 1])
                    do { try baseRows.read(row: position - first, into: logitRow) } catch {
                        ioError = ioError ?? error
                        continue
                    }
                    let p = baseRow, q = quantRow
                    logSoftmax(logitRow, count: vocabulary, into: p)
                    logSoftmax(logits + r * vocabulary, count: vocabulary, into: q)
                    var kld = 0.0, bestP = 0, bestQ = 0
                    for i in 0..<vocabulary {
                        kld += exp(p[i]) * (p[i] - q[i])
                        if p[i] > p[bestP] { bestP = i }
                        if q[i] > q[bestQ] { bestQ = i }
                    }
                    kldSum += kld
                    kld2Sum += kld * kld
                    if bestP == bestQ { agree += 1 }
                    baseNLL -= p[target]
                    quantNLL -= q[target]
                    count += 1
                }
            })
            if let ioError { throw ioError }
            progress(chunk + 1, chunkCount)
        }
        let n = Double(count)
        let mean = kldSum / n
        let variance = max(0, kld2Sum / n - mean * mean)
        return KLDResult(meanKLD: mean, kldStderr: (variance / max(1, n - 1)).squareRoot(),
                         top1Agreement: Double(agree) / n, basePPL: exp(baseNLL / n), quantPPL: exp(quantNLL / n),
                         chunks: chunkCount, scoredTokens: count)
    }

    /// log softmax in Double.
    static func logSoftmax(_ logits: UnsafePointer<Float>, count: Int, into out: UnsafeMutablePointer<Double>) {
        var maxLogit = logits[0]
        for i in 1..<count where logits[i] > maxLogit { maxLogit = logits[i] }
        var sum = 0.0
        for i in 0..<count { sum += exp(Double(logits[i] - maxLogit)) }
        let logSum = log(sum)
        for i in 0..<count { out[i] = Double(logits[i] - maxLogit) - logSum }
    }
}
