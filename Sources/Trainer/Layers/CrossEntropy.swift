// Softmax cross-entropy over the vocabulary, per position. Targets < 0 are masked out (no loss, no gradient),
// which is how fine-tuning puts the loss on assistant tokens only.
// Forward turns logits into probabilities in place; backward turns them into dlogits = (p − onehot) · scale.
enum CrossEntropy {
    /// Returns (sum of −log p[target] over unmasked rows, number of unmasked rows).
    static func forward<S: TrainScalar>(logits: UnsafeMutablePointer<S>, targets: UnsafePointer<Int32>, rows: Int,
                                        vocab V: Int, losses: UnsafeMutablePointer<S>) -> (sum: Double, count: Int) {
        var total = 0.0, count = 0
        for r in 0..<rows {
            let row = logits + r * V
            var maxValue = row[0]
            for j in 1..<V where row[j] > maxValue { maxValue = row[j] }
            var sum: S = 0
            for j in 0..<V {
                let e = S.exp(row[j] - maxValue)
                row[j] = e
                sum += e
            }
            let inv = 1 / sum
            for j in 0..<V { row[j] *= inv }
            let t = Int(targets[r])
            if t >= 0 {
                precondition(t < V, "target token \(t) outside the vocabulary (\(V))")
                let loss = -S.log(max(row[t], S.leastNormalMagnitude))
                losses[r] = loss
                total += Double(loss)
                count += 1
            } else {
                losses[r] = 0
            }
        }
        return (total, count)
    }

    /// probs → dlogits, where `scale` is 1 / (unmasked tokens in the whole optimizer step).
    static func backward<S: TrainScalar>(probs: UnsafeMutablePointer<S>, targets: UnsafePointer<Int32>, rows: Int,
                                         vocab V: Int, scale: S) {
        for r in 0..<rows {
            let row = probs + r * V
            let t = Int(targets[r])
            if t < 0 {
                row.update(repeating: 0, count: V)
                continue
            }
            for j in 0..<V { row[j] *= scale }
            row[t] -= scale
        }
    }
}
