// RMSNorm: out = x / sqrt(mean(x²) + eps) · w, row by row. Forward saves 1/rms per row for the backward.
//
// Backward (r = rstd, n = x·r, g = dout ⊙ w):
//   dw += Σ_rows dout ⊙ n
//   dx += r · g − x · r³ · (g · x) / C
// Rows run in parallel chunks; dw is summed over rows in row order, in parallel over columns.
enum RMSNorm {
    static func forward<S: TrainScalar>(_ x: UnsafePointer<S>, weight w: UnsafePointer<S>, eps: S, rows: Int,
                                        width C: Int, out: UnsafeMutablePointer<S>, rstd: UnsafeMutablePointer<S>) {
        Parallel.chunks(rows, minChunk: 64) { range in
            for row in range {
                let xr = x + row * C, o = out + row * C
                var sum: S = 0
                for i in 0..<C { sum += xr[i] * xr[i] }
                let r = 1 / (sum / S(C) + eps).squareRoot()
                rstd[row] = r
                for i in 0..<C { o[i] = xr[i] * r * w[i] }
            }
        }
    }

    /// Adds ∂L/∂x into `dx` and ∂L/∂w into `dw` (when the weight is trainable).
    static func backward<S: TrainScalar>(dout: UnsafePointer<S>, x: UnsafePointer<S>, weight w: UnsafePointer<S>,
                                         rstd: UnsafePointer<S>, rows: Int, width C: Int,
                                         dx: UnsafeMutablePointer<S>, dw: UnsafeMutablePointer<S>?) {
        Parallel.chunks(rows, minChunk: 64) { range in
            for row in range {
                let xr = x + row * C, d = dout + row * C, dxr = dx + row * C
                let r = rstd[row]
                var dot: S = 0
                for i in 0..<C { dot += d[i] * w[i] * xr[i] }
                let k = r * r * r * dot / S(C)
                for i in 0..<C { dxr[i] += r * d[i] * w[i] - xr[i] * k }
            }
        }
        guard let dw else { return }
        Parallel.chunks(C, minChunk: 32) { columns in
            for row in 0..<rows {
                let xr = x + row * C, d = dout + row * C
                let r = rstd[row]
                for i in columns { dw[i] += d[i] * xr[i] * r }
            }
        }
    }
}
