// Which tensor types the quantizer reads and writes: it reads anything the kernels can dequantize and
// writes every type with a reference quantizer (ggml's quantize_row_*_ref, in CKernels).
import GGUF
import Kernels

public enum QuantizerTypes {
    /// Types a tensor can be quantized (or converted) to.
    public static let targets: [GGMLType] = [.f32, .f16, .bf16, .q8_0, .q4_0, .q4_1, .q5_0, .q5_1,
                                             .q2_K, .q3_K, .q4_K, .q5_K, .q6_K]

    public static func canQuantize(to type: GGMLType) -> Bool { targets.contains(type) }
    public static func canRead(_ type: GGMLType) -> Bool { type.isSupportedByKernels }
    public static var targetNames: String { targets.map(\.name).joined(separator: ", ") }
}

/// `offset` rounded up to a multiple of `alignment` (GGUF pads every tensor to the file's alignment).
func alignUp(_ offset: Int, to alignment: Int) -> Int {
    let a = max(alignment, 1)
    return (offset + a - 1) / a * a
}
