// Softmax cross-entropy over the vocabulary, per position. Targets < 0 are masked out (no loss, no gradient),
// which is how fine-tuning puts the loss on assistant tokens only.
// Forward turns logits into probabilities in place; backward turns them into dlogits = (p − onehot) · scale.
// Rows run in parallel chunks (Float through the C kernel); the total is summed in row order afterwards.
import CTrainerKernels

enum CrossEntropy {
    /// Returns (sum of −log p[target] over unmasked rows, number of unmasked rows).
    static func forward<S: TrainScalar>(logits: UnsafeMutablePointer<S>, targets: UnsafePointer<Int32>, rows: Int,
                                        vocab V: Int, losses: UnsafeMutablePointer<S>) -> (sum: Double, count: Int) {
        for r in 0..<rows {
            precondition(Int(targets[r]) < V, "target token \(targets[r]) outside the vocabulary (\(V))")
        }
        Parallel.chunks(rows, minChunk: 16) { range in
            if S.self == Float.self {
                lt_cross_entropy_f32(mutableFloats(logits + range.lowerBound * V), targets + range.lowerBound,
                                     Int64(range.count), Int64(V), mutableFloats(losses + range.lowerBound))
                return
            }
            for r in range {
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
                losses[r] = t >= 0 ? -S.log(max(row[t], S.leastNormalMagnitude)) : 0
            }
        }
        var total = 0.0, count = 0
        for r in 0..<rows where targets[r] >= 0 {
            total += Double(losses[r])
            count += 1
        }
        return (total, count)
    }

    /// probs → dlogits, where `scale` is 1 / (unmasked tokens in the whole optimizer step).
    static func backward<S: TrainScalar>(probs: UnsafeMutablePointer<S>, targets: UnsafePointer<Int32>, rows: Int,
                                         vocab V: Int, scale: S) {
        Parallel.chunks(rows, minChunk: 16) { range in
            for r in range {
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
}
