// Block geometry, conversions and round trips: typeSize pinned per type (the Swift twin of ggml-common.h's
// static_asserts), the fp16/bf16 conversions, vec_dot types, all-zero blocks and round-trip RMSE budgets.
import CKernels
import GGUF
import Kernels
import Testing

/// Root-mean-square round-trip error budgets on TestData.values (|x| <= 1.8), about 1.3x what ggml's
/// reference quantizers reach on that data.
let maxRoundTripRMSE: [GGMLType: Float] = [
    .f32: 0, .f16: 3e-4, .bf16: 3e-3, .q8_0: 6e-3, .q5_0: 0.03, .q5_1: 0.025, .q4_0: 0.06, .q4_1: 0.05,
    .q6_K: 0.015, .q5_K: 0.025, .q4_K: 0.05, .q3_K: 0.13, .q2_K: 0.2,
]

struct BlockFormatTests {
    @Test func typeSizesArePinned() {
        let expected: [GGMLType: (Int, Int)] = [
            .f32: (1, 4), .f16: (1, 2), .bf16: (1, 2), .q4_0: (32, 18), .q4_1: (32, 20), .q5_0: (32, 22),
            .q5_1: (32, 24), .q8_0: (32, 34), .q8_1: (32, 36), .q2_K: (256, 84), .q3_K: (256, 110),
            .q4_K: (256, 144), .q5_K: (256, 176), .q6_K: (256, 210), .q8_K: (256, 292),
        ]
        for (type, (block, size)) in expected {
            #expect(type.blockSize == block && type.typeSize == size, "\(type): \(type.geometry)")
            #expect(type.isSupportedByKernels, "\(type)")
        }
        #expect(!GGMLType.iq2_xxs.isSupportedByKernels)
    }

    @Test func activationTypesFollowGGML() {
        let expected: [GGMLType: GGMLType] = [
            .f32: .f32, .f16: .f16, .bf16: .bf16, .q4_0: .q8_0, .q5_0: .q8_0, .q8_0: .q8_0, .q4_1: .q8_1,
            .q5_1: .q8_1, .q2_K: .q8_K, .q3_K: .q8_K, .q4_K: .q8_K, .q5_K: .q8_K, .q6_K: .q8_K,
        ]
        for (weight, activation) in expected { #expect(weight.kernelActivationType == activation, "\(weight)") }
        #expect(Quantization.activationType(for: .iq4_nl) == nil)
        #expect(["avx512vnni", "avx2", "scalar"].contains(Quantization.simdLevel))
    }

    @Test func fp16ConversionsMatchFloat16() {
        Quantization.initialize()
        let widening = (UInt16.min...UInt16.max).filter { bits in
            let ours = lk_fp16_to_fp32(bits), swift = Float(Float16(bitPattern: bits))
            return !(ours.bitPattern == swift.bitPattern || (ours.isNaN && swift.isNaN))
        }
        #expect(widening.isEmpty, "fp16 -> fp32 differs for \(widening.prefix(5))")
        // Round to nearest even at every magnitude, subnormals and overflow included.
        var narrowing: [Float] = []
        var x: Float = 1e-9
        while x < 1e6 {
            for v in [x, -x, x.nextUp, x.nextDown, x * 1.000_49] where lk_fp32_to_fp16(v) != Float16(v).bitPattern {
                narrowing.append(v)
            }
            x *= 1.0137
        }
        #expect(narrowing.isEmpty, "fp32 -> fp16 differs for \(narrowing.prefix(5))")
        #expect(lk_fp32_to_fp16(65520) == 0x7c00 && lk_fp32_to_fp16(65519) == 0x7bff)
    }

    @Test func bf16RoundsToNearestEven() {
        #expect(lk_fp32_to_bf16(Float(bitPattern: 0x3f80_8000)) == 0x3f80)  // tie, even stays
        #expect(lk_fp32_to_bf16(Float(bitPattern: 0x3f81_8000)) == 0x3f82)  // tie, odd rounds up
        #expect(lk_fp32_to_bf16(Float(bitPattern: 0x3f80_8001)) == 0x3f81)
        #expect(lk_fp32_to_bf16(.nan) & 0x7fc0 == 0x7fc0)
        #expect(lk_bf16_to_fp32(0x3f80) == 1)
    }

    @Test(arguments: KernelTypes.weights)
    func allZeroBlocksStayZero(type: GGMLType) throws {
        let count = 2 * Swift.max(type.blockSize, 32)
        let bytes = Quantization.quantizeReference(type, [Float](repeating: 0, count: count))
        // Scales are zero; q4_0/q5_0 store the zero point (8 or 16) in the quants.
        #expect(bytes.allSatisfy { $0 == 0 } || type == .q4_0 || type == .q5_0, "\(type) zero block bytes")
        #expect(Quantization.dequantize(type, bytes, count: count).allSatisfy { $0 == 0 })
        let activation = try #require(type.kernelActivationType)
        let a = Quantization.quantize(activation, TestData.values(count, zeroBlock: false))
        let dot = bytes.withUnsafeBytes { w in
            a.withUnsafeBytes { Quantization.dot(type, count: count, weights: w.baseAddress!, activations: $0.baseAddress!) }
        }
        #expect(dot == 0)
    }

    @Test(arguments: KernelTypes.weights)
    func roundTripErrorStaysInBudget(type: GGMLType) throws {
        let values = TestData.values(9 * 256 + (type.blockSize == 1 ? 3 : 0), seed: 7)
        let back = Quantization.dequantize(type, Quantization.quantizeReference(type, values), count: values.count)
        let squared = zip(values, back).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
        let rmse = Float((squared / Double(values.count)).squareRoot())
        let budget = try #require(maxRoundTripRMSE[type])
        #expect(rmse <= budget, "\(type) round-trip RMSE \(rmse) > \(budget)")
    }
}
