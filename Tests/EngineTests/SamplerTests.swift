// The sampler chain against a plain Double-precision reading of its documented order (bias → penalties →
// top-k → typical-p → top-p → min-p → temperature → draw), and the head-of-distribution shortcut against
// the full sort it replaces.
import Engine
import Foundation
import Testing

/// The chain's final distribution, written out the slow and obvious way.
private func referenceDistribution(_ logits: [Float], _ p: SamplingParameters) -> [(id: Int32, probability: Double)] {
    func softmax(_ x: [Double]) -> [Double] {
        let m = x.max() ?? 0
        let e = x.map { exp($0 - m) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }
    var ids = logits.indices.sorted { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
    if p.topK > 0 { ids = Array(ids.prefix(p.topK)) }
    var probabilities = softmax(ids.map { Double(logits[$0]) })
    if p.typicalP < 1 {
        let entropy = -probabilities.reduce(0) { $0 + ($1 > 0 ? $1 * log($1) : 0) }
        let byTypicality = probabilities.indices.sorted { abs(-log(probabilities[$0]) - entropy) < abs(-log(probabilities[$1]) - entropy) }
        var mass = 0.0, kept: [Int] = []
        for i in byTypicality {
            kept.append(i)
            mass += probabilities[i]
            if mass >= Double(p.typicalP) { break }
        }
        ids = kept.sorted().map { ids[$0] }
        probabilities = softmax(ids.map { Double(logits[$0]) })
    }
    if p.topP < 1 {
        var mass = 0.0, keep = ids.count
        for (i, q) in probabilities.enumerated() {
            mass += q
            if mass >= Double(p.topP) { keep = i + 1; break }
        }
        ids = Array(ids.prefix(keep))
        probabilities = softmax(ids.map { Double(logits[$0]) })
    }
    if p.minP > 0 {
        let keep = max(1, probabilities.prefix { $0 >= Double(p.minP) * probabilities[0] }.count)
        ids = Array(ids.prefix(keep))
    }
    probabilities = softmax(ids.map { Double(logits[$0]) / Double(p.temperature) })
    return zip(ids, probabilities).map { (Int32($0), $1) }
}

/// Gaussian-ish logits from a fixed generator: `peaks` tokens stand `lift` above the rest.
private func randomLogits(_ n: Int, spread: Float, peaks: Int = 0, lift: Float = 0, seed: UInt64) -> [Float] {
    var rng = Xoshiro256(seed: seed)
    var logits = (0..<n).map { _ in (rng.nextUnit() + rng.nextUnit() + rng.nextUnit() - 1.5) * 2 * spread }
    for _ in 0..<peaks { logits[Int(rng.next() % UInt64(n))] += lift }
    return logits
}

private func parameters(temperature: Float, topK: Int = 0, topP: Float = 1, minP: Float = 0,
                        typicalP: Float = 1) -> SamplingParameters {
    var p = SamplingParameters()
    p.temperature = temperature
    p.topK = topK
    p.topP = topP
    p.minP = minP
    p.typicalP = typicalP
    return p
}

struct SamplerTests {
    static let grid: [SamplingParameters] = [
        parameters(temperature: 1),
        parameters(temperature: 0.7, topK: 40),
        parameters(temperature: 0.8, topK: 40, topP: 0.95, minP: 0.05),
        parameters(temperature: 1.5, topP: 0.9),
        parameters(temperature: 0.5, minP: 0.1),
        parameters(temperature: 1, topK: 200, typicalP: 0.9),
        parameters(temperature: 2, topP: 0.5, minP: 0.01),
    ]

    @Test("the chain's distribution equals the Double reference", arguments: grid.indices)
    func distributionMatchesTheReference(_ index: Int) {
        let p = SamplerTests.grid[index]
        for (n, spread) in [(300, Float(1)), (2_000, 3), (5_000, 0.3)] {
            let logits = randomLogits(n, spread: spread, peaks: 5, lift: 4, seed: UInt64(n + index))
            let ours = logits.withUnsafeBufferPointer { Sampler.distribution($0.baseAddress!, count: n, parameters: p) }
            let reference = referenceDistribution(logits, p)
            #expect(ours.map(\.id) == reference.map(\.id), "n \(n): kept tokens or their order differ")
            let worst = zip(ours, reference).map { abs(Double($0.probability) - $1.probability) }.max() ?? 0
            #expect(worst < 2e-5, "n \(n): probabilities differ by \(worst)")
        }
    }

    @Test("the head shortcut picks what the full sort picks",
          arguments: grid.indices.filter { grid[$0].typicalP >= 1 })  // typical-p always takes the full sort
    func headShortcutAgreesWithTheFullSort(_ index: Int) {
        let p = SamplerTests.grid[index]
        var coins = Xoshiro256(seed: 99)
        var decided = 0, undecided = 0
        for (case_, (n, spread, peaks, lift)) in [(1_000, Float(2), 3, Float(5)), (4_000, 6, 0, 0), (3_000, 0.2, 1, 30),
                                                  (50_000, 3, 10, 25)].enumerated() {
            let logits = randomLogits(n, spread: spread, peaks: peaks, lift: lift, seed: UInt64(100 * index + case_))
            let full = logits.withUnsafeBufferPointer { Sampler.distribution($0.baseAddress!, count: n, parameters: p) }
            var boundaries: [Float] = []
            var mass: Float = 0
            for entry in full { mass += entry.probability; boundaries.append(mass) }
            for _ in 0..<120 {
                let coin = coins.nextUnit()
                // A coin within float noise of a cumulative boundary may fall either side in either order of sums.
                if boundaries.contains(where: { abs($0 - coin) < 1e-5 }) { continue }
                let expected = Sampler.draw(full, coin: coin)
                guard let head = logits.withUnsafeBufferPointer({
                    Sampler.drawFromHead($0.baseAddress!, count: n, parameters: p, coin: coin)
                }) else { undecided += 1; continue }
                decided += 1
                #expect(head == expected, "n \(n), coin \(coin): head picked \(head), the full sort \(expected)")
            }
        }
        #expect(undecided * 50 < decided, "\(undecided) of \(decided + undecided) draws needed the full sort")
    }

    @Test func drawsFollowTheDistribution() {
        // OpenAI's defaults (temperature 1, no top-k, top-p or min-p).
        let n = 8_192
        let logits = randomLogits(n, spread: 1.5, peaks: 4, lift: 9, seed: 5)
        let p = parameters(temperature: 1)
        let expected = logits.withUnsafeBufferPointer { Sampler.distribution($0.baseAddress!, count: n, parameters: p) }
        var sampler = Sampler(p)
        var counts: [Int32: Int] = [:]
        let draws = 4_000
        for _ in 0..<draws {
            var copy = logits
            let token = copy.withUnsafeMutableBufferPointer { sampler.sample($0.baseAddress!, vocabularySize: n, history: []) }
            counts[token, default: 0] += 1
        }
        for entry in expected.prefix(4) {
            let q = Double(entry.probability)
            let sigma = (q * (1 - q) / Double(draws)).squareRoot()
            let seen = Double(counts[entry.id] ?? 0) / Double(draws)
            #expect(abs(seen - q) < 5 * sigma + 1e-3, "token \(entry.id): drawn \(seen), expected \(q)")
        }
    }

    @Test func aSeedReproducesItsDraws() {
        let logits = randomLogits(1_000, spread: 1, seed: 8)
        func run(seed: UInt64) -> [Int32] {
            var p = parameters(temperature: 1)
            p.seed = seed
            var sampler = Sampler(p)
            return (0..<50).map { _ in
                var copy = logits
                return copy.withUnsafeMutableBufferPointer { sampler.sample($0.baseAddress!, vocabularySize: 1_000, history: []) }
            }
        }
        #expect(run(seed: 1) == run(seed: 1))
        #expect(run(seed: 1) != run(seed: 2))
    }

    @Test func greedyTakesTheLowestIdOnATie() {
        var logits: [Float] = [0, 3, 1, 3, 2]
        var sampler = Sampler(.greedy)
        #expect(logits.withUnsafeMutableBufferPointer { sampler.sample($0.baseAddress!, vocabularySize: 5, history: []) } == 1)
    }

    @Test func biasAndPenaltiesReshapeTheLogitsBeforeTheChoice() {
        var p = SamplingParameters.greedy
        p.logitBias = [4: 10]
        p.repeatPenalty = 2
        p.frequencyPenalty = 0.5
        p.presencePenalty = 0.25
        p.penaltyWindow = 3
        var logits: [Float] = [4, -2, 1, 0.5, 0]
        var sampler = Sampler(p)
        // Token 1 was seen twice and token 0 once inside the window; token 2 only before it.
        let token = logits.withUnsafeMutableBufferPointer {
            sampler.sample($0.baseAddress!, vocabularySize: 5, history: [2, 0, 1, 1])
        }
        #expect(token == 4)
        #expect(logits[4] == 10)                                 // bias
        #expect(logits[0] == Float(1.25))   // 4 / 2 (positive: divided) - (1 × 0.5 frequency + 0.25 presence)
        #expect(logits[1] == Float(-5.25))  // -2 × 2 (negative: multiplied) - (2 × 0.5 + 0.25)
        #expect(logits[2] == 1 && logits[3] == 0.5)  // outside the window, never seen
    }
}
