// How a training step uses the cores: one pool of threads (Kernels' ThreadPool, which spins briefly and then
// sleeps) runs everything in parallel, and OpenBLAS runs single-threaded inside it. OpenBLAS's own threads
// would spin for a long while after every product and compete with the element-wise work on a 2-core machine;
// one owner of the cores avoids that oversubscription.
//
// Work is cut into chunks whose boundaries depend only on the problem size (never on the thread count or on
// which thread is free), and each chunk writes disjoint outputs, so results are identical from run to run —
// the resume test relies on that.
import Engine
import Kernels

enum Parallel {
    /// The pool; creating it switches OpenBLAS to one thread for the rest of the process.
    static let pool: ThreadPool = {
        BLAS.threads = 1
        return ThreadPool.shared(threads: ThreadCount.default)
    }()

    /// Runs `body` over `count` items cut into chunks of at least `minChunk` items (at most `maxChunks` chunks),
    /// in parallel. Chunk boundaries depend only on `count`, `minChunk`, and `maxChunks`.
    static func chunks(_ count: Int, minChunk: Int, maxChunks: Int = 8, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let n = max(1, min(maxChunks, count / max(1, minChunk)))
        if n == 1 {
            body(0..<count)
            return
        }
        pool.parallelFor(n) { i in body((count * i / n)..<(count * (i + 1) / n)) }
    }

    /// Runs `body(i)` for i in 0..<count in parallel (each i writes its own outputs).
    static func forEach(_ count: Int, _ body: (Int) -> Void) {
        if count == 1 { body(0) } else { pool.parallelFor(count, body) }
    }
}

extension TrainScalar {
    /// `gemm` with C's rows split across the pool (each chunk a single-threaded BLAS call); small products
    /// run in one call.
    static func parallelGemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Self,
                             a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
                             beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int) {
        let work = m * n * max(k, 1)
        // ~2 MFLOP per chunk at least: below that the hand-off costs more than it saves.
        let chunks = work < (1 << 20) ? 1 : min(4, max(1, m / 32), work >> 20)
        _ = Parallel.pool
        Parallel.chunks(m, minChunk: max(1, m / chunks), maxChunks: chunks) { rows in
            let aOffset = transA ? rows.lowerBound : rows.lowerBound * lda
            gemm(transA: transA, transB: transB, m: rows.count, n: n, k: k, alpha: alpha, a: a + aOffset, lda: lda,
                 b: b, ldb: ldb, beta: beta, c: c + rows.lowerBound * ldc, ldc: ldc)
        }
    }
}
