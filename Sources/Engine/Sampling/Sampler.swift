// The sampler chain, in a fixed documented order (llama.cpp's default order):
//   logit bias → repetition/presence/frequency penalties (over the last `penaltyWindow` tokens)
//   → top-k → typical-p → top-p → min-p → temperature → draw from the softmax with the seeded RNG.
// Temperature ≤ 0 short-circuits to greedy argmax (ties → lowest id) after bias and penalties.
import Foundation

public struct Sampler: Sendable {
    public var parameters: SamplingParameters
    private var rng: Xoshiro256
    private var candidates: [(id: Int32, logit: Float)] = []

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

        let k = p.topK > 0 ? min(p.topK, n) : n
        candidates = Sampler.topCandidates(logits, count: n, k: k)
        var probabilities = softmax(candidates.map(\.logit))
        if p.typicalP < 1 { keepTypical(&probabilities) }
        if p.topP < 1 { keepTopP(&probabilities) }
        if p.minP > 0 { keepMinP(&probabilities) }
        // Temperature reshapes what is left: softmax(logit / T).
        let scaled = candidates.map { $0.logit / p.temperature }
        probabilities = softmax(scaled)
        var coin = rng.nextUnit()
        for (i, probability) in probabilities.enumerated() {
            coin -= probability
            if coin < 0 { return candidates[i].id }
        }
        return candidates.last?.id ?? 0
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

    /// The k highest logits, sorted descending (ties by id), without sorting the whole vocabulary.
    static func topCandidates(_ logits: UnsafePointer<Float>, count n: Int, k: Int) -> [(id: Int32, logit: Float)] {
        var all = (0..<n).map { (id: Int32($0), logit: logits[$0]) }
        let ordered: (Int, Int) -> Bool = { a, b in
            all[a].logit > all[b].logit || (all[a].logit == all[b].logit && all[a].id < all[b].id)
        }
        if k < n {
            // Partial selection: keep a min-ordered window of the best k seen.
            var heap = Array(all[0..<k]).sorted { $0.logit > $1.logit || ($0.logit == $1.logit && $0.id < $1.id) }
            for i in k..<n where all[i].logit > heap[k - 1].logit {
                var j = k - 1
                while j > 0 && heap[j - 1].logit < all[i].logit { heap[j] = heap[j - 1]; j -= 1 }
                heap[j] = all[i]
            }
            return heap
        }
        let indices = (0..<n).sorted(by: ordered)
        all = indices.map { all[$0] }
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

    private func softmax(_ logits: [Float]) -> [Float] {
        guard let maxLogit = logits.max() else { return [] }
        let exps = logits.map { Foundation.exp($0 - maxLogit) }
        let sum = exps.reduce(0, +)
        return exps.map { $0 / sum }
    }

    /// Keeps the smallest prefix whose probability mass reaches top-p (at least one).
    private mutating func keepTopP(_ probabilities: inout [Float]) {
        var mass: Float = 0
        var keep = probabilities.count
        for (i, q) in probabilities.enumerated() {
            mass += q
            if mass >= parameters.topP { keep = i + 1; break }
        }
        truncate(to: keep, &probabilities)
    }

    /// Drops candidates less likely than min-p × the most likely one.
    private mutating func keepMinP(_ probabilities: inout [Float]) {
        guard let top = probabilities.first else { return }
        let keep = max(1, probabilities.prefix { $0 >= parameters.minP * top }.count)
        truncate(to: keep, &probabilities)
    }

    /// Locally typical sampling: keep the tokens whose surprise is closest to the entropy.
    private mutating func keepTypical(_ probabilities: inout [Float]) {
        let entropy = -probabilities.reduce(Float(0)) { $0 + ($1 > 0 ? $1 * log($1) : 0) }
        let order = probabilities.indices.sorted {
            abs(-log(probabilities[$0]) - entropy) < abs(-log(probabilities[$1]) - entropy)
        }
        var mass: Float = 0
        var kept: [Int] = []
        for i in order {
            kept.append(i)
            mass += probabilities[i]
            if mass >= parameters.typicalP { break }
        }
        kept.sort()
        candidates = kept.map { candidates[$0] }
        probabilities = softmax(candidates.map(\.logit))
    }

    private mutating func truncate(to keep: Int, _ probabilities: inout [Float]) {
        guard keep < candidates.count else { return }
        candidates.removeLast(candidates.count - keep)
        probabilities = softmax(candidates.map(\.logit))
    }
}
