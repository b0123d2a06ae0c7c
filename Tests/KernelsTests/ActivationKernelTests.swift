// SwiGLU as llama.cpp computes it (ggml's vectorised expf inside SiLU): the AVX2+FMA kernel against its scalar
// fmaf twin, bit for bit, and the vectorised expf against libm's within its documented error.
import CKernels
import Foundation
import Testing

struct ActivationKernelTests {
    private func values(_ n: Int, seed: UInt64, scale: Float) -> [Float] {
        var state = seed
        return (0..<n).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return (Float(state >> 40) / Float(1 << 24) * 2 - 1) * scale
        }
    }

    @Test(arguments: [(1536, Float(8)), (2048, 30), (37, 4), (4096, 120)])
    func swigluMatchesItsScalarTwin(n: Int, scale: Float) {
        let gate = values(n, seed: 1, scale: scale), up = values(n, seed: 2, scale: 3)
        var fast = [Float](repeating: 0, count: n)
        lk_swiglu_f32(gate, up, &fast, Int64(n))
        for variant: Int32 in [0, 1] {
            var reference = [Float](repeating: 0, count: n)
            lk_swiglu_ref(gate, up, &reference, Int64(n), variant)
            if variant == 1 {  // the default arithmetic is the AVX-512 variant
                let firstDifference = (0..<n).first { fast[$0].bitPattern != reference[$0].bitPattern }
                #expect(firstDifference == nil, "n \(n): first difference at \(firstDifference ?? -1)")
            }
            // Both variants are SiLU to within a few ulp.
            for i in 0..<n {
                let exact = Double(gate[i]) / (1 + Foundation.exp(-Double(gate[i]))) * Double(up[i])
                #expect(abs(Double(reference[i]) - exact) <= 4e-6 * max(1, abs(exact)), "i \(i) variant \(variant)")
            }
        }
    }

    @Test func vectorisedExpStaysWithinTwoUlpOfLibm() {
        var x: Float = -87
        while x < 88 {
            for variant: Int32 in [0, 1] {
                let ours = lk_expv_ref(x, variant), libm = expf(x)
                #expect(abs(ours - libm) <= 2 * libm.ulp, "x \(x) variant \(variant): \(ours) vs \(libm)")
            }
            x += 0.0137
        }
        #expect(lk_expv_ref(-200, 1) == 0 && lk_expv_ref(200, 1) == .infinity)
        #expect(lk_expv_ref(-200, 0) == 0 && lk_expv_ref(200, 0) == .infinity)
    }
}
