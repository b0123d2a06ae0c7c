// The q4_K/q5_K/q6_K quantizers run their per-sub-block scale searches with AVX2, 8 sub-blocks at a time; the
// bytes must be those of the scalar (ggml reference) searches on every kind of row: the edge-case rows (zeros,
// constants, fp16 over/underflow, subnormals, outliers, one sign), random rows and a coarse grid like the
// requantized weights of a Q4_1 model.
import CKernels
import GGUF
import Kernels
import Testing

@Suite(.serialized) struct KQuantSearchSIMDTests {
    @Test(arguments: [GGMLType.q4_K, .q5_K, .q6_K])
    func simdSearchGivesTheScalarBytes(type: GGMLType) throws {
        var random = SeededRandom(state: 99)
        var rows = SyntheticModel.edgeRows(seed: 5) + SyntheticModel.edgeRows(seed: 6)
        rows += (0..<32).map { _ in (0..<SyntheticModel.rowLength).map { _ in random.normal() * 0.05 } }
        rows += (0..<16).map { _ in (0..<SyntheticModel.rowLength).map { _ in (random.normal() * 8).rounded() / 8 } }
        let values = rows.flatMap { $0 }
        let bytes = try #require(type.byteCount(elements: values.count))
        func quantize(simd: Bool) -> [UInt8] {
            lk_set_k_search_simd(simd ? 1 : 0)
            defer { lk_set_k_search_simd(1) }
            var out = [UInt8](repeating: 0, count: bytes)
            values.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBytes { Quantization.quantizeReference(type, src.baseAddress!, into: $0.baseAddress!, count: values.count) }
            }
            return out
        }
        let scalar = quantize(simd: false), simd = quantize(simd: true)
        #expect(scalar.contains { $0 != 0 })
        #expect(simd == scalar, "\(type.name): the AVX2 search changed the bytes")
    }
}
