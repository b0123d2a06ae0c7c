// The attention kernel's F16C path against its scalar twin (ggml flash-attention numerics), over head
// sizes of the supported models and odd position counts.
import CKernels
import Foundation
import Testing

@Suite struct AttentionKernelTests {
    @Test(arguments: [(64, 1), (64, 7), (64, 129), (256, 3), (256, 513)])
    func simdMatchesScalar(_ headDim: Int, _ positions: Int) {
        lk_init()
        var q = (0..<headDim).map { Float(sin(Double($0) * 0.37)) * 2 }
        var k = [UInt16](repeating: 0, count: positions * headDim)
        var v = [UInt16](repeating: 0, count: positions * headDim)
        for i in 0..<(positions * headDim) {
            k[i] = lk_fp32_to_fp16(Float(cos(Double(i) * 0.013)) * 1.5)
            v[i] = lk_fp32_to_fp16(Float(sin(Double(i) * 0.029)))
        }
        var fast = [Float](repeating: 0, count: headDim), reference = fast
        let scale = 1 / Float(headDim).squareRoot()
        lk_attention_head(&q, &k, Int64(headDim), &v, Int64(headDim), Int64(positions), Int64(headDim),
                          Int64(headDim), scale, &fast)
        lk_attention_head_ref(&q, &k, Int64(headDim), &v, Int64(headDim), Int64(positions), Int64(headDim),
                              Int64(headDim), scale, &reference)
        let worst = zip(fast, reference).map { abs($0 - $1) }.max() ?? 0
        // Only the dot products' summation order differs; the fp16 accumulator rounds identically.
        #expect(worst < 2e-3, "max |Δ| \(worst)")
    }
}
