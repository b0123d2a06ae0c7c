// Swift face of the C block-format kernels (Sources/CKernels/quants_*.c): dequantize, reference and fast
// quantization, and dots of a weight row with an activation row of its dot type. Block layouts are ggml's.
// Dimension glossary: `count` is a number of elements (a multiple of the type's block size).
import CKernels
import GGUF

/// Block-format kernels for the ggml types Lathe supports (F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0,
/// Q8_1, Q2_K...Q6_K, Q8_K).
///
/// ```swift
/// let bytes = Quantization.quantizeReference(.q4_0, values)      // [Float] -> block bytes
/// let back = Quantization.dequantize(.q4_0, bytes, count: values.count)
/// ```
public enum Quantization {
    /// Builds the fp16 table and picks the SIMD level; cheap and idempotent (the entry points call it too).
    public static func initialize() { lk_init() }

    /// "avx512vnni", "avx2" or "scalar" (lowered with LATHE_SIMD=avx2|scalar before the first call).
    public static var simdLevel: String { String(cString: lk_simd_level()) }

    /// The type activations are converted to before a dot with weights of `type` (ggml's vec_dot_type):
    /// Q4_0/Q5_0/Q8_0 -> Q8_0, Q4_1/Q5_1 -> Q8_1, K-quants -> Q8_K, F16/BF16/F32 -> themselves.
    public static func activationType(for type: GGMLType) -> GGMLType? {
        let raw = lk_vec_dot_type(Int32(type.rawValue))
        return raw < 0 ? nil : GGMLType(rawValue: UInt32(raw))
    }

    /// Dequantizes `count` values of `type` from `src` into `out`.
    public static func dequantize(_ type: GGMLType, _ src: UnsafeRawPointer, into out: UnsafeMutablePointer<Float>,
                                  count: Int) {
        precondition(type.isSupportedByKernels && count % type.blockSize == 0, "cannot dequantize \(count) \(type)")
        lk_dequantize_row(Int32(type.rawValue), src, out, Int64(count))
    }

    /// Quantizes `count` floats with ggml's reference algorithm (bit-exact with quantize_row_*_ref).
    public static func quantizeReference(_ type: GGMLType, _ src: UnsafePointer<Float>,
                                         into out: UnsafeMutableRawPointer, count: Int) {
        precondition(type.isSupportedByKernels && count % type.blockSize == 0, "cannot quantize \(count) to \(type)")
        lk_quantize_row_ref(Int32(type.rawValue), src, out, Int64(count))
    }

    /// Quantizes activations (the fast path; bit-exact with `quantizeActivationsReference`, which is
    /// `quantizeReference` except for Q8_0/Q8_1: those follow llama.cpp's x86 path, 127/amax and ties-to-even).
    public static func quantize(_ type: GGMLType, _ src: UnsafePointer<Float>, into out: UnsafeMutableRawPointer,
                                count: Int) {
        precondition(type.isSupportedByKernels && count % type.blockSize == 0, "cannot quantize \(count) to \(type)")
        lk_quantize_row(Int32(type.rawValue), src, out, Int64(count))
    }

    /// Dot of `count` elements: a weight row of `type` with an activation row of `activationType(for: type)`.
    public static func dot(_ type: GGMLType, count: Int, weights: UnsafeRawPointer, activations: UnsafeRawPointer) -> Float {
        lk_vec_dot(Int32(type.rawValue), Int64(count), weights, activations)
    }

    /// The scalar reference of `dot`.
    public static func dotReference(_ type: GGMLType, count: Int, weights: UnsafeRawPointer,
                                    activations: UnsafeRawPointer) -> Float {
        lk_vec_dot_ref(Int32(type.rawValue), Int64(count), weights, activations)
    }

    // ---- array conveniences (tests, tools) ----

    /// Reference quantization of an array; the result has `type.byteCount(elements: values.count)` bytes.
    public static func quantizeReference(_ type: GGMLType, _ values: [Float]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: type.byteCount(elements: values.count) ?? 0)
        values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBytes { quantizeReference(type, src.baseAddress!, into: $0.baseAddress!, count: values.count) }
        }
        return out
    }

    /// Fast (activation) quantization of an array.
    public static func quantize(_ type: GGMLType, _ values: [Float]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: type.byteCount(elements: values.count) ?? 0)
        values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBytes { quantize(type, src.baseAddress!, into: $0.baseAddress!, count: values.count) }
        }
        return out
    }

    /// The scalar twin of the activation quantizer `quantize`.
    public static func quantizeActivationsReference(_ type: GGMLType, _ values: [Float]) -> [UInt8] {
        precondition(type.isSupportedByKernels && values.count % type.blockSize == 0, "cannot quantize \(values.count) to \(type)")
        var out = [UInt8](repeating: 0, count: type.byteCount(elements: values.count) ?? 0)
        values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBytes {
                lk_quantize_activations_ref(Int32(type.rawValue), src.baseAddress!, $0.baseAddress!, Int64(values.count))
            }
        }
        return out
    }

    /// Dequantization of `count` values held in `bytes`.
    public static func dequantize(_ type: GGMLType, _ bytes: UnsafeRawBufferPointer, count: Int) -> [Float] {
        precondition(bytes.count >= type.byteCount(elements: count) ?? Int.max, "too few bytes for \(count) \(type)")
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            dequantize(type, bytes.baseAddress!, into: buffer.baseAddress!, count: count)
            initialized = count
        }
    }

    public static func dequantize(_ type: GGMLType, _ bytes: [UInt8], count: Int) -> [Float] {
        bytes.withUnsafeBytes { dequantize(type, $0, count: count) }
    }
}

extension GGMLType {
    /// Whether the C kernels can dequantize this type (and, for weight types, dot it).
    public var isSupportedByKernels: Bool { lk_supports(Int32(rawValue)) }

    /// The activation type of a dot with weights of this type (nil for types that are never weights).
    public var kernelActivationType: GGMLType? { Quantization.activationType(for: self) }
}
