// A tokenized corpus packed into training windows: documents are joined with an end-of-text token, the
// stream is cut into chunks of `chunk` tokens, and every `evalEvery`-th chunk goes to the eval split (so both
// splits sample every part of the corpus). Training windows are non-overlapping runs of length + 1 tokens
// (inputs and next-token targets); each epoch visits them in a permutation seeded by (seed, epoch), so the
// data order is a pure function of the global sequence index, which is all a checkpoint needs to store.
import Foundation

public struct TrainingBatch: Sendable {
    public var tokens: [Int32]
    /// Next-token targets; < 0 where no loss is taken (masked).
    public var targets: [Int32]
    public var sequences: Int
    public var length: Int

    public init(tokens: [Int32], targets: [Int32], sequences: Int, length: Int) {
        precondition(tokens.count == sequences * length && targets.count == tokens.count)
        self.tokens = tokens
        self.targets = targets
        self.sequences = sequences
        self.length = length
    }

    public var unmaskedCount: Int { targets.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) } }
}

public final class TokenDataset: @unchecked Sendable {  // the permutation cache is used by one training thread
    public let train: [Int32]
    public let eval: [Int32]
    public let length: Int
    public let seed: UInt64
    private var cachedEpoch = -1
    private var cachedOrder: [Int] = []

    public init(stream: [Int32], length: Int, seed: UInt64, chunk: Int = 4096, evalEvery: Int = 20) throws {
        var train: [Int32] = [], eval: [Int32] = []
        var start = 0, index = 0
        while start < stream.count {
            let end = min(stream.count, start + chunk)
            if index % evalEvery == evalEvery - 1 { eval += stream[start..<end] } else { train += stream[start..<end] }
            start = end
            index += 1
        }
        if eval.count < length + 1 {  // small corpora: take the eval split from the end
            let n = min(stream.count / 10, max(length + 1, stream.count / 20))
            eval = Array(stream.suffix(n))
            train = Array(stream.prefix(stream.count - n))
        }
        guard train.count >= 2 * (length + 1), eval.count >= length + 1 else {
            throw TrainerError.badData("data", "\(stream.count) tokens is too little text for sequences of \(length)")
        }
        self.train = train
        self.eval = eval
        self.length = length
        self.seed = seed
    }

    public var trainWindows: Int { (train.count - 1) / length }
    public var evalWindows: Int { (eval.count - 1) / length }

    /// Epochs completed (fractional) after `sequences` training sequences.
    public func epoch(afterSequences sequences: Int) -> Double { Double(sequences) / Double(trainWindows) }

    /// The training window for global sequence index `i` (epoch = i / windows, permuted within the epoch).
    public func trainWindow(_ i: Int) -> Int {
        let epoch = i / trainWindows
        if epoch != cachedEpoch {
            var order = Array(0..<trainWindows)
            var rng = SplitMix64(seed: seed &+ UInt64(epoch) &* 0x9E37_79B9)
            for j in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(j, Int(rng.next() % UInt64(j + 1))) }
            cachedOrder = order
            cachedEpoch = epoch
        }
        return cachedOrder[i % trainWindows]
    }

    /// `count` sequences starting at global sequence index `first`.
    public func trainBatch(first: Int, count: Int) -> TrainingBatch {
        var tokens: [Int32] = [], targets: [Int32] = []
        tokens.reserveCapacity(count * length)
        targets.reserveCapacity(count * length)
        for s in 0..<count {
            let start = trainWindow(first + s) * length
            tokens += train[start..<(start + length)]
            targets += train[(start + 1)...(start + length)]
        }
        return TrainingBatch(tokens: tokens, targets: targets, sequences: count, length: length)
    }

    /// The eval split as batches of `sequences` windows (at most `maxBatches`; always the same ones).
    public func evalBatches(sequences: Int, maxBatches: Int) -> [TrainingBatch] {
        let windows = min(evalWindows, sequences * maxBatches)
        return stride(from: 0, to: windows, by: sequences).map { first in
            let n = min(sequences, windows - first)
            var tokens: [Int32] = [], targets: [Int32] = []
            for w in first..<(first + n) {
                let start = w * length
                tokens += eval[start..<(start + length)]
                targets += eval[(start + 1)...(start + length)]
            }
            return TrainingBatch(tokens: tokens, targets: targets, sequences: n, length: length)
        }
    }

    /// The unigram baseline: cross-entropy (nats/token) of the eval split under the training split's token
    /// frequencies (add-one smoothed over `vocab`). A model that learned nothing but frequencies scores this.
    public func unigramCrossEntropy(vocab: Int) -> Double {
        var counts = [Double](repeating: 1, count: vocab)
        for t in train { counts[Int(t)] += 1 }
        let total = counts.reduce(0, +)
        var sum = 0.0
        for t in eval.dropFirst() { sum -= Foundation.log(counts[Int(t)] / total) }
        return sum / Double(eval.count - 1)
    }
}
