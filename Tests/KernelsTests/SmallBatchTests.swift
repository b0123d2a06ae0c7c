// Decode steps of a few streams (T = 2..8 tokens) go through small-token tiles: each (row, token) output must be
// bit for bit what the one-token path gives, so a stream's tokens do not depend on who else shares the step.
import CKernels
import GGUF
import Kernels
import Testing

struct SmallBatchTests {
    @Test(arguments: KernelTypes.weights)
    func everyTokenCountMatchesTheOneTokenPathBitForBit(type: GGMLType) throws {
        let count = KernelTypes.count(type, blocks: 3)
        let activation = try #require(Quantization.activationType(for: type))
        let rows = 13, maxTokens = 9  // odd rows: leftovers past every row tile
        let rowBytes = type.byteCount(elements: count)!, actBytes = activation.byteCount(elements: count)!
        var w = [UInt8](), a = [UInt8]()
        for r in 0..<rows { w += Quantization.quantizeReference(type, TestData.values(count, seed: r, zeroBlock: r == 0)) }
        for t in 0..<maxTokens {
            a += Quantization.quantize(activation, TestData.values(count, seed: 200 + t, zeroBlock: t == 1))
        }
        w.withUnsafeBytes { wp in
            a.withUnsafeBytes { ap in
                let wb = wp.baseAddress!, ab = ap.baseAddress!
                // The one-token path: lk_matmul_rows with one token at a time.
                var single = [Float](repeating: .nan, count: rows * maxTokens)
                for t in 0..<maxTokens {
                    single.withUnsafeMutableBufferPointer { out in
                        lk_matmul_rows(Int32(type.rawValue), Int64(count), wb, rowBytes, 0, Int64(rows),
                                       ab + t * actBytes, actBytes, 1, out.baseAddress! + t * rows, Int64(rows))
                    }
                }
                for tokens in 1...maxTokens {
                    var out = [Float](repeating: .nan, count: (rows + 2) * tokens)
                    for (r0, r1) in [(0, 5), (5, rows)] {  // two row ranges, as the engine's threads split them
                        lk_matmul_rows(Int32(type.rawValue), Int64(count), wb, rowBytes, Int64(r0), Int64(r1),
                                       ab, actBytes, Int64(tokens), &out, Int64(rows + 2))
                    }
                    for t in 0..<tokens {
                        for r in 0..<rows {
                            let batched = out[t * (rows + 2) + r], one = single[t * rows + r]
                            #expect(batched.bitPattern == one.bitPattern, "\(type) T=\(tokens) r\(r) t\(t): \(batched) vs \(one)")
                            let wr = wb + r * rowBytes, at = ab + t * actBytes
                            if type.blockSize > 1 {  // the quantized dots: the tiles are the fast dot's arithmetic
                                let dot = Quantization.dot(type, count: count, weights: wr, activations: at)
                                #expect(batched.bitPattern == dot.bitPattern, "\(type) T=\(tokens) r\(r) t\(t): \(batched) vs dot \(dot)")
                            }
                            let reference = Quantization.dotReference(type, count: count, weights: wr, activations: at)
                            #expect(abs(batched - reference) <= 1e-4 * (1 + abs(reference)),
                                    "\(type) T=\(tokens) r\(r) t\(t): \(batched) vs scalar twin \(reference)")
                        }
                    }
                }
            }
        }
    }
}
