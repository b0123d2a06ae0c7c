// Working memory for one forward pass of up to `maxBatch` tokens, allocated once when a session starts
// (nothing is allocated per token). Shapes are [tokens][width], row-major.
import Kernels

final class Scratch: @unchecked Sendable {  // used by one forward pass at a time
    let maxBatch: Int
    let hidden, normed, query, key, value, attention, projected: UnsafeMutablePointer<Float>
    let gate, up, activated: UnsafeMutablePointer<Float>
    /// Logits for up to `logitRows` positions at once.
    let logits: UnsafeMutablePointer<Float>
    let logitRows: Int
    let activations: ActivationBuffer
    private var owned: [UnsafeMutablePointer<Float>] = []

    init(config c: ModelConfig, maxBatch: Int, logitRows: Int) {
        self.maxBatch = maxBatch
        self.logitRows = logitRows
        var owned: [UnsafeMutablePointer<Float>] = []
        func make(_ width: Int, rows: Int = maxBatch) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: rows * width)
            p.initialize(repeating: 0, count: rows * width)
            owned.append(p)
            return p
        }
        hidden = make(c.embeddingLength)
        normed = make(max(c.embeddingLength, c.feedForwardLength))
        query = make(c.queryLength)
        key = make(c.kvLength)
        value = make(c.kvHeadCount * c.valueHeadDim)
        attention = make(c.headCount * c.valueHeadDim)
        projected = make(c.embeddingLength)
        gate = make(c.feedForwardLength)
        up = make(c.feedForwardLength)
        activated = make(c.feedForwardLength)
        logits = make(c.vocabularySize, rows: logitRows)
        self.owned = owned
        let widest = max(c.embeddingLength, c.feedForwardLength, c.headCount * c.valueHeadDim)
        // The widest dot type is F32 (4 bytes per value); quantized types need less.
        activations = ActivationBuffer(capacity: max(maxBatch, logitRows) * widest * 4 + 4096)
    }

    deinit { owned.forEach { $0.deallocate() } }
}
