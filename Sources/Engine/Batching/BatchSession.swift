// Working memory for multi-sequence forward passes: one scratch sized for the largest batch, shared by
// every sequence (each sequence brings its own KVCache). Used by the batch scheduler and by tests that
// compare batched decoding with the single-sequence path.
import Foundation

public final class BatchSession: @unchecked Sendable {  // used by one thread at a time
    public let model: Transformer
    public let maxBatch: Int
    public let maxLogitRows: Int
    let scratch: Scratch

    public init(model: Transformer, maxBatch: Int, maxLogitRows: Int) {
        self.model = model
        self.maxBatch = maxBatch
        self.maxLogitRows = maxLogitRows
        scratch = Scratch(config: model.config, maxBatch: maxBatch, logitRows: maxLogitRows)
    }

    public var vocabularySize: Int { model.config.vocabularySize }

    /// Runs one batch: token `t` extends `rows[t].cache` at `rows[t].position`. Afterwards `logits(0)`…
    /// hold the logits of the rows listed in `logitRows`, in that order.
    public func evaluate(_ tokens: [Int32], rows: [BatchRow], logitRows: [Int]) throws {
        guard tokens.count == rows.count, tokens.count <= maxBatch, logitRows.count <= maxLogitRows else {
            throw EngineError.badBatch("\(tokens.count) tokens, \(rows.count) rows, \(logitRows.count) logit rows "
                                       + "(limits \(maxBatch) rows, \(maxLogitRows) logit rows)")
        }
        let n = Int32(vocabularySize)
        if let bad = tokens.first(where: { $0 < 0 || $0 >= n }) { throw EngineError.invalidToken(bad) }
        for row in rows where row.position >= row.cache.capacity {
            throw EngineError.contextFull(used: row.position + 1, limit: row.cache.capacity)
        }
        tokens.withUnsafeBufferPointer { model.forward(batch: $0, rows: rows, logitRows: logitRows, scratch: scratch) }
    }

    /// The logits of the `index`-th requested row of the last `evaluate`.
    public func logits(_ index: Int) -> UnsafeMutablePointer<Float> {
        precondition(index < maxLogitRows)
        return scratch.logits + index * vocabularySize
    }
}
