// Every fast path against its scalar reference: activation quantizers bit-exact, dots and lk_matmul_rows
// (tiled rows x tokens, sub-ranges, strides) within a tight tolerance, over odd block counts.
import CKernels
import GGUF
import Kernels
import Testing

/// |fast - reference| <= dotTolerance * (|reference| + sum |w_i * a_i|): float reassociation only.
let dotTolerance: Float = 2e-5

struct FastPathTests {
    @Test(arguments: [GGMLType.q8_0, .q8_1, .q8_K, .f16, .bf16, .f32], [1, 3, 9])
    func activationQuantizerIsBitExact(type: GGMLType, blocks: Int) {
        let count = type.blockSize == 1 ? blocks * 32 + 1 : blocks * type.blockSize
        for seed in 0..<3 {
            var values = TestData.values(count, seed: seed)
            if seed == 2 { values = values.map { $0 * 1e-3 } }  // small magnitudes: other rounding cases
            let fast = Quantization.quantize(type, values), reference = Quantization.quantizeActivationsReference(type, values)
            #expect(fast == reference, "\(type) seed \(seed): first difference at byte \(firstDifference(fast, reference) ?? -1)")
        }
    }

    /// llama.cpp's x86 activation quantizer: q = round-half-even(x * (127 / amax)), unlike the reference's
    /// roundf(x * (1 / d)). With amax = 127 the scale is exactly 1, so x.5 values show the tie rule.
    @Test(arguments: [GGMLType.q8_0, .q8_1])
    func activationQuantizerRoundsLikeLlamaCppOnX86(type: GGMLType) {
        var values = [Float](repeating: 0, count: 32)
        values[0] = 127
        values[1] = 2.5; values[2] = 3.5; values[3] = -2.5; values[4] = -0.5; values[5] = 1.4999999
        let offset = type == .q8_1 ? 4 : 2  // after d (and s)
        for bytes in [Quantization.quantize(type, values), Quantization.quantizeActivationsReference(type, values)] {
            let qs = bytes[offset..<(offset + 6)].map { Int8(bitPattern: $0) }
            #expect(qs == [127, 2, 4, -2, 0, 1], "\(type): \(qs)")
        }
        let reference = Quantization.quantizeReference(type, values)[offset..<(offset + 6)].map { Int8(bitPattern: $0) }
        #expect(reference == [127, 3, 4, -3, -1, 1], "ggml's reference rounds half away from zero")
    }

    @Test(arguments: KernelTypes.weights, [1, 3, 9])
    func dotAndMatmulMatchReference(type: GGMLType, blocks: Int) throws {
        let count = KernelTypes.count(type, blocks: blocks)
        let activation = try #require(Quantization.activationType(for: type))
        let rows = 7, tokens = 6  // odd, and past the 2x4 / 4x4 register tiles
        let rowBytes = type.byteCount(elements: count)!, actBytes = activation.byteCount(elements: count)!
        var w = [UInt8](), a = [UInt8]()
        for r in 0..<rows { w += Quantization.quantizeReference(type, TestData.values(count, seed: r, zeroBlock: r == 0)) }
        for t in 0..<tokens { a += Quantization.quantize(activation, TestData.values(count, seed: 100 + t, zeroBlock: t == 1)) }
        var out = [Float](repeating: .nan, count: rows * tokens + 3)
        let outStride = rows + 1
        w.withUnsafeBytes { wp in
            a.withUnsafeBytes { ap in
                // Two calls over row ranges [0, 3) and [3, rows), as the engine's threads split them.
                for (r0, r1) in [(0, 3), (3, rows)] {
                    lk_matmul_rows(Int32(type.rawValue), Int64(count), wp.baseAddress!, rowBytes, Int64(r0), Int64(r1),
                                   ap.baseAddress!, actBytes, Int64(tokens - 1), &out, Int64(outStride))
                }
                for r in 0..<rows {
                    for t in 0..<tokens {
                        let wr = wp.baseAddress! + r * rowBytes, at = ap.baseAddress! + t * actBytes
                        let reference = Quantization.dotReference(type, count: count, weights: wr, activations: at)
                        let fast = Quantization.dot(type, count: count, weights: wr, activations: at)
                        let scale = abs(reference) + magnitude(type, activation, wr, at, count)
                        #expect(abs(fast - reference) <= dotTolerance * scale, "\(type) dot r\(r) t\(t): \(fast) vs \(reference)")
                        if t < tokens - 1 {
                            let m = out[t * outStride + r]
                            #expect(abs(m - reference) <= dotTolerance * scale, "\(type) matmul r\(r) t\(t): \(m) vs \(reference)")
                        }
                    }
                }
            }
        }
    }

    /// The reference dots mean what the formats mean: sum of dequantized weight x dequantized activation
    /// (guards the scalar twins against a misreading that their fast versions would share).
    @Test(arguments: KernelTypes.weights)
    func referenceDotEqualsDequantizedDot(type: GGMLType) throws {
        let count = KernelTypes.count(type, blocks: 7)
        let activation = try #require(type.kernelActivationType)
        let w = Quantization.quantizeReference(type, TestData.values(count, seed: 11))
        let a = Quantization.quantize(activation, TestData.values(count, seed: 12, zeroBlock: false))
        let wf = Quantization.dequantize(type, w, count: count), af = Quantization.dequantize(activation, a, count: count)
        let exact = zip(wf, af).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let scale = zip(wf, af).reduce(0.0) { $0 + abs(Double($1.0) * Double($1.1)) }
        let reference = w.withUnsafeBytes { wp in
            a.withUnsafeBytes { Quantization.dotReference(type, count: count, weights: wp.baseAddress!, activations: $0.baseAddress!) }
        }
        #expect(abs(Double(reference) - exact) <= Double(dotTolerance) * (abs(exact) + scale), "\(type): \(reference) vs \(exact)")
    }

    /// sum |w_i * a_i| from the dequantized rows.
    private func magnitude(_ type: GGMLType, _ activation: GGMLType, _ w: UnsafeRawPointer, _ a: UnsafeRawPointer,
                           _ count: Int) -> Float {
        let wf = Quantization.dequantize(type, UnsafeRawBufferPointer(start: w, count: type.byteCount(elements: count)!), count: count)
        let af = Quantization.dequantize(activation, UnsafeRawBufferPointer(start: a, count: activation.byteCount(elements: count)!), count: count)
        return zip(wf, af).reduce(0) { $0 + abs($1.0 * $1.1) }
    }
}
