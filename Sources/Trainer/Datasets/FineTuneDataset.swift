// Encoded fine-tuning data split into train and eval sets and served as fixed-shape batches. Each item is
// one example (padding: rows padded to the batch's longest with masked targets) or, with packing, several
// examples concatenated into rows of up to cutoff + 1 tokens (fewer pad tokens, attention spans examples).
// The batch for (step, micro-batch) is a pure function of those numbers and the seed, so a resumed run sees
// exactly the batches an uninterrupted one would.
import Foundation

public struct FineTuneDataSettings: Sendable, Equatable, Codable {
    /// Most tokens a training sequence holds (inputs; each example keeps cutoff + 1 tokens with its last target).
    public var cutoff: Int = 256
    /// Fraction of examples held out for evaluation (0 = none).
    public var evalSplit: Double = 0.1
    public var packing = false
    /// Sequences per micro-batch.
    public var batchSize = 4
    public var seed: UInt64 = 1

    public init(cutoff: Int = 256, evalSplit: Double = 0.1, packing: Bool = false, batchSize: Int = 4, seed: UInt64 = 1) {
        self.cutoff = cutoff
        self.evalSplit = evalSplit
        self.packing = packing
        self.batchSize = batchSize
        self.seed = seed
    }
}

/// A batch of `sequences` rows of `length` tokens; targets < 0 take no loss.
public struct FineTuneBatch: Sendable, Equatable {
    public var tokens: [Int32]
    public var targets: [Int32]
    public var sequences: Int
    public var length: Int
}

public final class FineTuneDataset: @unchecked Sendable {  // the order cache is used by one training thread
    public let settings: FineTuneDataSettings
    public let trainItems: [FineTuneExample]
    public let evalItems: [FineTuneExample]
    /// Examples dropped because truncation to the cutoff left nothing to train on.
    public let droppedExamples: Int
    public let padToken: Int32
    private var cachedEpoch = -1
    private var cachedOrder: [Int] = []

    /// Reads, validates and encodes `paths`; errors name the file and line of a bad row.
    public convenience init(paths: [String], format: DatasetFormat? = nil, encoder: FineTuneEncoder,
                            settings: FineTuneDataSettings) throws {
        var examples: [FineTuneExample] = []
        for path in paths {
            for record in try DatasetReader.read(path: path, format: format) {
                examples += try encoder.encode(record, cutoff: settings.cutoff)
            }
        }
        let pad = encoder.tokenizer.eos ?? 0
        try self.init(examples: examples, padToken: pad, settings: settings, source: paths.joined(separator: ", "))
    }

    public init(examples: [FineTuneExample], padToken: Int32, settings: FineTuneDataSettings, source: String) throws {
        guard settings.cutoff >= 8 else { throw TrainerError.badConfig("cutoff", "at least 8 tokens") }
        guard settings.batchSize >= 1 else { throw TrainerError.badConfig("batch", "at least 1") }
        guard (0..<1).contains(settings.evalSplit) else { throw TrainerError.badConfig("eval split", "in [0, 1)") }
        self.settings = settings
        self.padToken = padToken
        let usable = examples.filter { $0.trainedCount > 0 }
        droppedExamples = examples.count - usable.count
        guard usable.count >= 2 else {
            throw TrainerError.badData(source, "\(usable.count) usable examples; at least 2 are needed")
        }
        // A seeded shuffle decides the eval split, so it is the same on every run with the same seed.
        var order = Array(usable.indices)
        var random = DatasetRandom(seed: settings.seed ^ 0x5EED_E7A1)
        for j in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(j, Int(random.next() % UInt64(j + 1))) }
        let evalCount = settings.evalSplit > 0 ? max(1, Int((Double(usable.count) * settings.evalSplit).rounded())) : 0
        let evalIndices = Set(order.prefix(min(evalCount, usable.count - 1)))
        let train = usable.indices.filter { !evalIndices.contains($0) }.map { usable[$0] }
        evalItems = usable.indices.filter { evalIndices.contains($0) }.map { usable[$0] }
        trainItems = settings.packing ? Self.pack(train, rowTokens: settings.cutoff + 1) : train
    }

    /// Greedy packing in data order: whole examples are appended to a row while they fit.
    static func pack(_ examples: [FineTuneExample], rowTokens: Int) -> [FineTuneExample] {
        var rows: [FineTuneExample] = []
        var current: FineTuneExample?
        for e in examples {
            if var row = current, row.tokens.count + e.tokens.count <= rowTokens {
                row.tokens += e.tokens
                row.trained += [false] + e.trained.dropFirst()  // the joint is not a target
                current = row
            } else {
                if let row = current { rows.append(row) }
                current = e
            }
        }
        if let row = current { rows.append(row) }
        return rows
    }

    public var trainTokenCount: Int { trainItems.reduce(0) { $0 + $1.tokens.count } }
    public var trainedTokenCount: Int { trainItems.reduce(0) { $0 + $1.trainedCount } }

    /// Epochs completed (fractional) after `sequences` training sequences.
    public func epoch(afterSequences sequences: Int) -> Double { Double(sequences) / Double(trainItems.count) }

    /// The item for global sequence index `i`: epoch i / count, permuted within the epoch by (seed, epoch).
    public func trainItemIndex(_ i: Int) -> Int {
        let epoch = i / trainItems.count
        if epoch != cachedEpoch {
            var order = Array(trainItems.indices)
            var random = DatasetRandom(seed: settings.seed &+ UInt64(epoch) &* 0x9E37_79B9)
            for j in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(j, Int(random.next() % UInt64(j + 1))) }
            cachedOrder = order
            cachedEpoch = epoch
        }
        return cachedOrder[i % trainItems.count]
    }

    /// `count` training sequences starting at global sequence index `first`.
    public func trainBatch(first: Int, count: Int) -> FineTuneBatch {
        batch((first..<(first + count)).map { trainItems[trainItemIndex($0)] })
    }

    /// The eval set in batches of `settings.batchSize` (always the same ones).
    public func evalBatches() -> [FineTuneBatch] {
        stride(from: 0, to: evalItems.count, by: settings.batchSize).map {
            batch(Array(evalItems[$0..<min(evalItems.count, $0 + settings.batchSize)]))
        }
    }

    /// Rows padded to the longest item: inputs are tokens[0..<n-1], targets tokens[1..<n] where trained.
    func batch(_ items: [FineTuneExample]) -> FineTuneBatch {
        let length = items.map { $0.tokens.count - 1 }.max() ?? 1
        var tokens: [Int32] = [], targets: [Int32] = []
        tokens.reserveCapacity(items.count * length)
        targets.reserveCapacity(items.count * length)
        for item in items {
            let n = item.tokens.count - 1
            for i in 0..<length {
                tokens.append(i < n ? item.tokens[i] : padToken)
                targets.append(i < n && item.trained[i + 1] ? item.tokens[i + 1] : -1)
            }
        }
        return FineTuneBatch(tokens: tokens, targets: targets, sequences: items.count, length: length)
    }
}

/// SplitMix64 for the dataset's shuffles (kept local so the order never depends on another module's RNG).
struct DatasetRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
