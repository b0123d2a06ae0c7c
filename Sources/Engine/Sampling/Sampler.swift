// The sampler chain, in a fixed documented order (llama.cpp's default order):
//   logit bias → repetition/presence/frequency penalties (over the last `penaltyWindow` tokens)
//   → top-k → typical-p → top-p → min-p → temperature → draw from the softmax with the seeded RNG.
// Temperature ≤ 0 short-circuits to greedy argmax (ties → lowest id) after bias and penalties.
// Candidates are ordered by logit, highest first (ties: lower id first); the draw walks them in that order.
//
// Sorting a whole vocabulary (262,144 tokens for Gemma) for every token would cost more than the model
// does when top-k is off (the OpenAI API's default). So the chain runs first on the head of the
// distribution, the tokens within a few logits of the best, with the softmax sums still taken over every
// candidate; the head is widened only when a cut or the draw lands below it (see `drawFromHead`).
import Foundation

public struct Sampler: Sendable {
    public var parameters: SamplingParameters
    private var rng: Xoshiro256
    /// Up to this top-k the candidates are selected directly (linear in the vocabulary); above it, and
    /// without top-k, the head of the distribution is sorted instead.
    static let directTopK = 128
    /// The head widths tried in turn, in logits below the best (× the temperature when above 1).
    static let headWidths: [Float] = [4, 8, 16, 32]

    public init(_ parameters: SamplingParameters) {
        self.parameters = parameters
        rng = Xoshiro256(seed: parameters.seed)
    }

    /// Picks the next token from `logits` (one per vocabulary entry) given the tokens so far.
    public mutating func sample(_ logits: UnsafeMutablePointer<Float>, vocabularySize n: Int, history: [Int32]) -> Int32 {
        let p = parameters
        for (id, bias) in p.logitBias where Int(id) < n && id >= 0 { logits[Int(id)] += bias }
        applyPenalties(logits, vocabularySize: n, history: history)
        if p.isGreedy { return Sampler.argmax(logits, count: n) }
        let coin = rng.nextUnit()
        if p.typicalP >= 1 && (p.topK <= 0 || p.topK > Sampler.directTopK),
           let token = Sampler.drawFromHead(logits, count: n, parameters: p, coin: coin) {
            return token
        }
        return Sampler.draw(Sampler.distribution(logits, count: n, parameters: p), coin: coin)
    }

    /// Greedy choice: the highest logit; on a tie the lowest id wins (as llama.cpp's greedy sampler).
    public static func argmax(_ logits: UnsafePointer<Float>, count: Int) -> Int32 {
        var best = 0
        var bestValue = logits[0]
        for i in 1..<count where logits[i] > bestValue {
            best = i
            bestValue = logits[i]
        }
        return Int32(best)
    }

    /// The chain's final distribution computed over the whole candidate list: the kept tokens in draw
    /// order with their probabilities (after bias and penalties, which `sample` applies to `logits` first).
    public static func distribution(_ logits: UnsafePointer<Float>, count n: Int,
                                    parameters p: SamplingParameters) -> [(id: Int32, probability: Float)] {
        var candidates = topCandidates(logits, count: n, k: p.topK > 0 ? min(p.topK, n) : n)
        var probabilities = softmax(candidates.map(\.logit))
        if p.typicalP < 1 { keepTypical(p.typicalP, &candidates, &probabilities) }
        if p.topP < 1 {
            var mass: Float = 0
            var keep = probabilities.count
            for (i, q) in probabilities.enumerated() {
                mass += q
                if mass >= p.topP { keep = i + 1; break }
            }
            truncate(to: keep, &candidates, &probabilities)
        }
        if p.minP > 0, let top = probabilities.first {
            truncate(to: max(1, probabilities.prefix { $0 >= p.minP * top }.count), &candidates, &probabilities)
        }
        // Temperature reshapes what is left: softmax(logit / T).
        probabilities = softmax(candidates.map { $0.logit / p.temperature })
        return zip(candidates, probabilities).map { (id: $0.id, probability: $1) }
    }

    /// Walks `distribution` in order, spending `coin` (uniform in [0, 1)) on each probability.
    public static func draw(_ distribution: [(id: Int32, probability: Float)], coin: Float) -> Int32 {
        var coin = coin
        for (id, probability) in distribution {
            coin -= probability
            if coin < 0 { return id }
        }
        return distribution.last?.id ?? 0
    }

    /// What `draw(distribution(…), coin)` picks, found on the head of the distribution at each width of
    /// `headWidths` in turn; nil when even the widest head cannot decide (then the full sort must).
    /// Not for typical-p, which reorders the candidates by surprise.
    public static func drawFromHead(_ logits: UnsafePointer<Float>, count n: Int, parameters p: SamplingParameters,
                                    coin: Float) -> Int32? {
        var sums = SoftmaxSums()
        for width in headWidths {
            if let token = drawFromHead(logits, count: n, parameters: p, coin: coin, width: width * max(1, p.temperature),
                                        sums: &sums) {
                return token
            }
        }
        return nil
    }

    /// Softmax denominators over the whole vocabulary, each computed at most once per draw.
    private struct SoftmaxSums {
        var plain: Float?   // Σ exp(l - best)
        var scaled: Float?  // Σ exp(l/T - best/T)
    }

    /// The chain on the tokens at most `width` logits below the best (the head, sorted), the token that
    /// `draw(distribution(…), coin)` picks; nil when the outcome depends on the order below the head.
    /// Without top-k every token is a candidate, so softmax sums run over the whole vocabulary; a token
    /// below the head is then at most e^-width as likely as the best.
    private static func drawFromHead(_ logits: UnsafePointer<Float>, count n: Int, parameters p: SamplingParameters,
                                     coin: Float, width: Float, sums: inout SoftmaxSums) -> Int32? {
        let k = p.topK > 0 ? min(p.topK, n) : n, t = p.temperature
        var best = -Float.infinity
        for i in 0..<n { best = max(best, logits[i]) }
        let floor = best - width
        var head: [(id: Int32, logit: Float)] = []
        for i in 0..<n where logits[i] >= floor { head.append((Int32(i), logits[i])) }
        if head.isEmpty { return nil }  // NaN logits: leave them to the full path
        if k < n && head.count < k { return nil }  // some of the top k lie below the head
        head.sort(by: precedes)
        if k < n { head.removeLast(head.count - k) }
        var belowHead = k == n && head.count < n  // candidates below the head exist (top-k off)
        func total(_ term: (Float) -> Float) -> Float {
            var sum: Float = 0
            for i in 0..<n { sum += term(logits[i]) }
            return sum
        }

        let exps = head.map { Foundation.exp($0.logit - best) }
        var kept = head.count
        var mass = exps.reduce(0, +)  // the softmax denominator over the kept candidates
        if belowHead && (p.topP < 1 || p.minP > 0) {
            if sums.plain == nil { sums.plain = total { Foundation.exp($0 - best) } }
            mass = sums.plain!
        }
        if p.topP < 1 {
            var cumulative: Float = 0
            var cut: Int?
            for i in 0..<kept {
                cumulative += exps[i] / mass
                if cumulative >= p.topP { cut = i + 1; break }
            }
            if let cut {
                kept = cut
                belowHead = false
                mass = exps[..<kept].reduce(0, +)
            } else if belowHead {
                return nil
            }
        }
        if p.minP > 0 {
            let top = exps[0] / mass
            var pass = 0
            while pass < kept && exps[pass] / mass >= p.minP * top { pass += 1 }
            if pass < kept {
                kept = max(1, pass)
                belowHead = false
            } else if belowHead {
                if Foundation.exp(-width) >= p.minP { return nil }  // a token below the head might pass
                belowHead = false
            }
        }
        let scaled = head[..<kept].map { Foundation.exp($0.logit / t - best / t) }
        var scaledMass = scaled.reduce(0, +)
        if belowHead {
            if sums.scaled == nil { sums.scaled = total { Foundation.exp($0 / t - best / t) } }
            scaledMass = sums.scaled!
        }
        var coin = coin
        for i in 0..<kept {
            coin -= scaled[i] / scaledMass
            if coin < 0 { return head[i].id }
        }
        return belowHead ? nil : head[kept - 1].id
    }

    /// Draw order: the higher logit first; on a tie the lower id.
    static func precedes(_ a: (id: Int32, logit: Float), _ b: (id: Int32, logit: Float)) -> Bool {
        a.logit > b.logit || (a.logit == b.logit && a.id < b.id)
    }

    /// The k highest logits in draw order, without sorting the whole vocabulary when k is small.
    static func topCandidates(_ logits: UnsafePointer<Float>, count n: Int, k: Int) -> [(id: Int32, logit: Float)] {
        var all = (0..<n).map { (id: Int32($0), logit: logits[$0]) }
        if k < n {
            // Partial selection: keep a min-ordered window of the best k seen.
            var heap = Array(all[0..<k]).sorted(by: precedes)
            for i in k..<n where all[i].logit > heap[k - 1].logit {
                var j = k - 1
                while j > 0 && heap[j - 1].logit < all[i].logit { heap[j] = heap[j - 1]; j -= 1 }
                heap[j] = all[i]
            }
            return heap
        }
        all.sort(by: precedes)
        return all
    }

    private mutating func applyPenalties(_ logits: UnsafeMutablePointer<Float>, vocabularySize n: Int, history: [Int32]) {
        let p = parameters
        guard p.repeatPenalty != 1 || p.presencePenalty != 0 || p.frequencyPenalty != 0, p.penaltyWindow != 0 else { return }
        let window = p.penaltyWindow < 0 ? history[...] : history.suffix(p.penaltyWindow)
        var counts: [Int32: Int] = [:]
        for token in window { counts[token, default: 0] += 1 }
        for (token, count) in counts where token >= 0 && Int(token) < n {
            var l = logits[Int(token)]
            l = l > 0 ? l / p.repeatPenalty : l * p.repeatPenalty
            l -= Float(count) * p.frequencyPenalty + p.presencePenalty
            logits[Int(token)] = l
        }
    }

    static func softmax(_ logits: [Float]) -> [Float] {
        guard let maxLogit = logits.max() else { return [] }
        let exps = logits.map { Foundation.exp($0 - maxLogit) }
        let sum = exps.reduce(0, +)
        return exps.map { $0 / sum }
    }

    /// Locally typical sampling: keep the tokens whose surprise is closest to the entropy.
    private static func keepTypical(_ typicalP: Float, _ candidates: inout [(id: Int32, logit: Float)],
                                    _ probabilities: inout [Float]) {
        let entropy = -probabilities.reduce(Float(0)) { $0 + ($1 > 0 ? $1 * log($1) : 0) }
        let surprise = probabilities.map { abs(-log($0) - entropy) }
        let order = probabilities.indices.sorted { surprise[$0] < surprise[$1] }
        var mass: Float = 0
        var kept: [Int] = []
        for i in order {
            kept.append(i)
            mass += probabilities[i]
            if mass >= typicalP { break }
        }
        kept.sort()
        candidates = kept.map { candidates[$0] }
        probabilities = softmax(candidates.map(\.logit))
    }

    private static func truncate(to keep: Int, _ candidates: inout [(id: Int32, logit: Float)],
                                 _ probabilities: inout [Float]) {
        guard keep < candidates.count else { return }
        candidates.removeLast(candidates.count - keep)
        probabilities = softmax(candidates.map(\.logit))
    }
}
