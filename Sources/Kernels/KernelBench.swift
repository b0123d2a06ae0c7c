// Single-thread speed of the block-format kernels, for `lathe bench kernels`: microseconds per
// matrix-vector product and GOPS (2 * rows * columns * tokens / s) of lk_matmul_rows at 512 tokens.
import CKernels
import Foundation
import GGUF

public enum KernelBench {
    /// Weight types measured, in the order reported.
    public static let types: [GGMLType] = [.f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0,
                                           .q2_K, .q3_K, .q4_K, .q5_K, .q6_K]

    /// Times are the calling thread's CPU time (best of `repetitions`), so other processes on a shared machine
/// do not inflate them. Keys: "<type>.gemv.576x1536.us", "<type>.gemv.4096x4096.us" (rows x columns, best of several runs)
    /// and "<type>.gemm.1536x576x512.gops" (K-quants: 1536x512x512, columns being a multiple of 256).
    ///
    /// ```swift
    /// for (key, value) in KernelBench.run().sorted(by: { $0.key < $1.key }) { print(key, value) }
    /// ```
    public static func run(types: [GGMLType] = KernelBench.types, repetitions: Int = 5) -> [String: Double] {
        Quantization.initialize()
        var results: [String: Double] = [:]
        for type in types {
            for (rows, columns) in [(576, 1536), (4096, 4096)] {
                results["\(type.name.lowercased()).gemv.\(rows)x\(columns).us"] =
                    measure(type, rows: rows, columns: columns, tokens: 1, repetitions: repetitions) * 1e6
            }
            let columns = type.blockSize == GGMLType.qkK ? 512 : 576
            let seconds = measure(type, rows: 1536, columns: columns, tokens: 512, repetitions: 2)
            results["\(type.name.lowercased()).gemm.1536x\(columns)x512.gops"] = 2.0 * 1536 * Double(columns) * 512 / seconds / 1e9
        }
        return results
    }

    /// Best time in seconds of one product of a rows x columns matrix of `type` with `tokens` activation rows.
    static func measure(_ type: GGMLType, rows: Int, columns: Int, tokens: Int, repetitions: Int) -> Double {
        guard let activation = Quantization.activationType(for: type),
              let rowBytes = type.byteCount(elements: columns),
              let activationBytes = activation.byteCount(elements: columns) else { return .nan }
        let weights = UnsafeMutableRawPointer.allocate(byteCount: rows * rowBytes, alignment: 64)
        let acts = UnsafeMutableRawPointer.allocate(byteCount: tokens * activationBytes, alignment: 64)
        let out = UnsafeMutablePointer<Float>.allocate(capacity: rows * tokens)
        defer { weights.deallocate(); acts.deallocate(); out.deallocate() }
        var row = [Float](repeating: 0, count: columns)
        for r in 0..<rows {
            for c in 0..<columns { row[c] = Float(cos(Double(r * 7 + c) * 0.37)) }
            Quantization.quantizeReference(type, row, into: weights + r * rowBytes, count: columns)
        }
        for t in 0..<tokens {
            for c in 0..<columns { row[c] = Float(sin(Double(t * 3 + c) * 0.11)) }
            Quantization.quantize(activation, row, into: acts + t * activationBytes, count: columns)
        }
        var best = Double.infinity
        for _ in 0..<max(1, repetitions) {
            let start = threadCPUSeconds()
            lk_matmul_rows(Int32(type.rawValue), Int64(columns), weights, rowBytes, 0, Int64(rows), acts, activationBytes,
                           Int64(tokens), out, Int64(rows))
            best = min(best, threadCPUSeconds() - start)
        }
        return best
    }
}

/// CPU time of the calling thread: on a shared machine it leaves out the time other processes held the core.
private func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

extension Quantization {
    fileprivate static func quantizeReference(_ type: GGMLType, _ values: [Float], into out: UnsafeMutableRawPointer,
                                              count: Int) {
        values.withUnsafeBufferPointer { quantizeReference(type, $0.baseAddress!, into: out, count: count) }
    }

    fileprivate static func quantize(_ type: GGMLType, _ values: [Float], into out: UnsafeMutableRawPointer, count: Int) {
        values.withUnsafeBufferPointer { quantize(type, $0.baseAddress!, into: out, count: count) }
    }
}
