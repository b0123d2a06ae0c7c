// Converts rows of one tensor type to another on the thread pool: dequantize to f32, quantize with the
// reference algorithm (what llama-quantize runs without an imatrix), and measure the error on a sample of rows.
import CKernels
import GGUF
import Kernels

struct RowConverter {
    let sourceType: GGMLType
    let targetType: GGMLType
    let rowLength: Int
    let pool: ThreadPool
    /// One row in `errorSampleStride` is dequantized again to measure the quantization error.
    static let errorSampleStride = 8

    /// Sum of squared errors and of squared values over the sampled rows.
    struct ErrorSums {
        var squaredError = 0.0
        var squaredValue = 0.0
        mutating func add(_ other: ErrorSums) {
            squaredError += other.squaredError
            squaredValue += other.squaredValue
        }
        /// sqrt(Σ(x - x̂)² / Σx²), 0 for an all-zero tensor.
        var relativeRMSE: Double { squaredValue > 0 ? (squaredError / squaredValue).squareRoot() : 0 }
    }

    var sourceRowBytes: Int { sourceType.byteCount(elements: rowLength) ?? 0 }
    var targetRowBytes: Int { targetType.byteCount(elements: rowLength) ?? 0 }

    /// Converts `rowCount` rows; `firstRow` is the rows' index in the tensor (it picks the sampled rows).
    /// `floats` must hold rowCount * rowLength values.
    func convert(_ source: UnsafeRawPointer, into target: UnsafeMutableRawPointer, rowCount: Int, firstRow: Int,
                 floats: UnsafeMutablePointer<Float>) -> ErrorSums {
        // ~64k elements per task: enough work to amortise the hand-off, small enough to balance two cores.
        let rowsPerTask = max(1, 65_536 / max(rowLength, 1))
        let taskCount = (rowCount + rowsPerTask - 1) / rowsPerTask
        var sums = [ErrorSums](repeating: ErrorSums(), count: taskCount)
        let (src, dst) = (UInt(bitPattern: source), UInt(bitPattern: target))
        let floatBase = UInt(bitPattern: floats)
        sums.withUnsafeMutableBufferPointer { results in
            let out = UInt(bitPattern: results.baseAddress)
            pool.parallelFor(taskCount) { task in
                let r0 = task * rowsPerTask
                let r1 = min(rowCount, r0 + rowsPerTask)
                let x = UnsafeMutablePointer<Float>(bitPattern: floatBase)! + r0 * rowLength
                let n = Int64((r1 - r0) * rowLength)
                lk_dequantize_row(Int32(sourceType.rawValue), UnsafeRawPointer(bitPattern: src + UInt(r0 * sourceRowBytes)),
                                  x, n)
                let y = UnsafeMutableRawPointer(bitPattern: dst + UInt(r0 * targetRowBytes))!
                lk_quantize_row_ref(Int32(targetType.rawValue), x, y, n)
                var local = ErrorSums()
                var back = [Float](repeating: 0, count: rowLength)
                for row in r0..<r1 where (firstRow + row) % Self.errorSampleStride == 0 {
                    let xr = UnsafeMutablePointer<Float>(bitPattern: floatBase)! + row * rowLength
                    back.withUnsafeMutableBufferPointer { b in
                        lk_dequantize_row(Int32(targetType.rawValue), y + (row - r0) * targetRowBytes, b.baseAddress!,
                                          Int64(rowLength))
                        for i in 0..<rowLength {
                            let v = Double(xr[i]), e = v - Double(b[i])
                            if v.isFinite && e.isFinite {
                                local.squaredError += e * e
                                local.squaredValue += v * v
                            }
                        }
                    }
                }
                UnsafeMutablePointer<ErrorSums>(bitPattern: out)![task] = local
            }
        }
        return sums.reduce(into: ErrorSums()) { $0.add($1) }
    }
}
