// Threaded matrix products over quantized weights: out[t][r] = Σ_c W[r][c] · x[t][c].
// Activations are first converted to the weight type's dot type (Q8_0, Q8_1, Q8_K, F16...) as ggml
// does, once per input, so several matrices that read the same input (q/k/v, gate/up) share the work.
import CKernels
import GGUF

/// A weight matrix viewed in place (usually inside the mmapped GGUF): `rows` rows of `columns` values.
public struct WeightMatrix: @unchecked Sendable {  // points into an immutable mapping
    public let data: UnsafeRawPointer
    public let type: GGMLType
    public let rows: Int
    public let columns: Int

    public init(data: UnsafeRawPointer, type: GGMLType, rows: Int, columns: Int) {
        self.data = data
        self.type = type
        self.rows = rows
        self.columns = columns
    }

    public var rowBytes: Int { type.byteCount(elements: columns) ?? 0 }

    /// The type activations must be converted to before dotting with this matrix.
    public var activationType: GGMLType {
        GGMLType(rawValue: UInt32(lk_vec_dot_type(Int32(type.rawValue)))) ?? .f32
    }

    /// Dequantizes row `row` into `out` (`columns` floats).
    public func dequantizeRow(_ row: Int, into out: UnsafeMutablePointer<Float>) {
        lk_dequantize_row(Int32(type.rawValue), data + row * rowBytes, out, Int64(columns))
    }
}

/// Activations of `tokens` rows converted to one dot type; owns a buffer sized for the largest use.
public final class ActivationBuffer: @unchecked Sendable {  // used by one generation thread at a time
    public private(set) var type: GGMLType = .f32
    public private(set) var tokens = 0
    public private(set) var columns = 0
    public private(set) var rowBytes = 0
    public let storage: UnsafeMutableRawPointer
    public let capacity: Int

    public init(capacity: Int) {
        self.capacity = capacity
        storage = .allocate(byteCount: capacity, alignment: 64)
    }

    deinit { storage.deallocate() }

    /// Whether the buffer holds `tokens` rows converted for `w` (its activation type and width).
    public func isPrepared(for w: WeightMatrix, tokens: Int) -> Bool {
        type == w.activationType && columns == w.columns && self.tokens == tokens
    }

    /// Converts `x` ([tokens][columns] floats) to `type`, one token per task.
    public func prepare(_ x: UnsafePointer<Float>, tokens: Int, columns: Int, type: GGMLType, pool: ThreadPool) {
        let rowBytes = type.byteCount(elements: columns) ?? 0
        precondition(rowBytes * tokens <= capacity, "activation buffer too small")
        self.type = type
        self.tokens = tokens
        self.columns = columns
        self.rowBytes = rowBytes
        let storage = self.storage
        let raw = Int32(type.rawValue)
        pool.parallelFor(tokens) { t in
            lk_quantize_row(raw, x + t * columns, storage + t * rowBytes, Int64(columns))
        }
    }
}

public enum MatMul {
    /// out[t * outStride + r] = W[r] · x[t] for every row r and token t. `x` is [tokens][w.columns].
    public static func multiply(_ w: WeightMatrix, _ x: UnsafePointer<Float>, tokens: Int,
                                into out: UnsafeMutablePointer<Float>, outStride: Int? = nil,
                                activations: ActivationBuffer, pool: ThreadPool) {
        activations.prepare(x, tokens: tokens, columns: w.columns, type: w.activationType, pool: pool)
        multiply(w, prepared: activations, into: out, outStride: outStride ?? w.rows, pool: pool)
    }

    /// The product with activations already converted by `prepare` (`a.type == w.activationType`), so
    /// matrices that share an input (q/k/v, gate/up) convert it once.
    public static func multiply(_ w: WeightMatrix, prepared a: ActivationBuffer,
                                into out: UnsafeMutablePointer<Float>, outStride: Int, pool: ThreadPool) {
        withUnsafePointer(to: Product(weights: w, out: out, outStride: outStride)) {
            multiply(UnsafeBufferPointer(start: $0, count: 1), prepared: a, pool: pool)
        }
    }

    /// One output of a shared input: `out[t * outStride + r] = weights[r] · x[t]`.
    public struct Product {
        public let weights: WeightMatrix
        public let out: UnsafeMutablePointer<Float>
        public let outStride: Int

        public init(weights: WeightMatrix, out: UnsafeMutablePointer<Float>, outStride: Int) {
            self.weights = weights
            self.out = out
            self.outStride = outStride
        }
    }

    /// Several products of one prepared input (q/k/v, gate/up) as a single parallel job: one fork-join
    /// instead of one per matrix, which matters when a token's matrices take microseconds each.
    public static func multiply(_ products: [Product], prepared a: ActivationBuffer, pool: ThreadPool) {
        products.withUnsafeBufferPointer { multiply($0, prepared: a, pool: pool) }
    }

    /// The job itself, with no allocation (it runs hundreds of times per token): chunk i belongs to the first
    /// product whose chunks, counted from the first product's, reach past i.
    static func multiply(_ products: UnsafeBufferPointer<Product>, prepared a: ActivationBuffer, pool: ThreadPool) {
        let threads = pool.threadCount
        var total = 0
        for p in products {
            precondition(a.isPrepared(for: p.weights, tokens: a.tokens), "activations not prepared for this matrix")
            total += chunking(rows: p.weights.rows, threads: threads).count
        }
        pool.parallelFor(total) { chunk in
            var index = 0, first = 0
            var (count, rowsPerChunk) = chunking(rows: products[0].weights.rows, threads: threads)
            while chunk >= first + count {
                first += count
                index += 1
                (count, rowsPerChunk) = chunking(rows: products[index].weights.rows, threads: threads)
            }
            let p = products[index], w = p.weights
            let r0 = (chunk - first) * rowsPerChunk
            let r1 = min(w.rows, r0 + rowsPerChunk)
            lk_matmul_rows(Int32(w.type.rawValue), Int64(w.columns), w.data, w.rowBytes, Int64(r0), Int64(r1),
                           a.storage, a.rowBytes, Int64(a.tokens), p.out, Int64(p.outStride))
        }
    }

    /// Row chunks of a matrix: a multiple of 16 rows, several per thread so a busy core does not stall the rest.
    @inline(__always)
    static func chunking(rows: Int, threads: Int) -> (count: Int, rowsPerChunk: Int) {
        let chunkCount = min(max(1, rows / 16), threads * 4)
        let rowsPerChunk = ((rows + chunkCount - 1) / chunkCount + 15) / 16 * 16
        return ((rows + rowsPerChunk - 1) / rowsPerChunk, rowsPerChunk)
    }
}
