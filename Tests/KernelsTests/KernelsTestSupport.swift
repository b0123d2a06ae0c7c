// Shared helpers for the kernel tests: deterministic data, the weight types under test, and the gguf-py
// oracle (PyPI `gguf`, run through python3) that quantizes and dequantizes independently of our code.
import Foundation
import GGUF
import Kernels
import LatheTestSupport

enum KernelTypes {
    /// Types that appear as weights (dot against their activation type).
    static let weights: [GGMLType] = [.f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0,
                                      .q2_K, .q3_K, .q4_K, .q5_K, .q6_K]
    /// Types gguf-py can quantize (its K-quants only dequantize).
    static let pythonQuantizable: [GGMLType] = [.f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0]
    /// Element count for `blocks` blocks; float types get odd lengths to reach the SIMD tails.
    static func count(_ type: GGMLType, blocks: Int) -> Int {
        type.blockSize == 1 ? blocks * 32 + 1 : blocks * type.blockSize
    }
}

enum TestData {
    /// Deterministic values in about [-1.8, 1.8] with slowly varying magnitude; the first 32 are zero (an
    /// all-zero block for the 32-element formats) when `zeroBlock`.
    static func values(_ count: Int, seed: Int = 0, zeroBlock: Bool = true) -> [Float] {
        (0..<count).map { i in
            if zeroBlock && i < 32 { return 0 }
            let x = Double(i), s = Double(seed)
            return Float(cos(x * 0.731 + s) * (1 + 0.8 * sin(x * 0.0137 + s * 0.5)))
        }
    }
}

/// Runs gguf-py (the reference Python implementation) on files written by the tests.
enum PythonOracle {
    static let available: Bool = {
        (try? Run.process("/usr/bin/env", ["python3", "-c", "import gguf, numpy"]).status) == 0
    }()

    static let script = """
    import sys, numpy as np, gguf
    from gguf.quants import quantize, dequantize
    from gguf import GGMLQuantizationType as T, GGML_QUANT_SIZES
    mode = sys.argv[1]
    if mode == 'quant':      # TYPE floats.bin out.bin ROWS
        x = np.fromfile(sys.argv[3], dtype=np.float32).reshape(int(sys.argv[5]), -1)
        np.ascontiguousarray(quantize(x, T[sys.argv[2]])).view(np.uint8).tofile(sys.argv[4])
    elif mode == 'dequant':  # TYPE bytes.bin out.bin ROWS
        b = np.fromfile(sys.argv[3], dtype=np.uint8).reshape(int(sys.argv[5]), -1)
        dequantize(b, T[sys.argv[2]]).astype(np.float32).tofile(sys.argv[4])
    elif mode == 'tensor':   # model.gguf ROWS outdir NAME... -> outdir/0.bin, 1.bin, ...
        tensors = {t.name: t for t in gguf.GGUFReader(sys.argv[2]).tensors}
        rows = int(sys.argv[3])
        for i, name in enumerate(sys.argv[5:]):
            t = tensors[name]
            block, size = GGML_QUANT_SIZES[t.tensor_type]
            row_bytes = int(t.shape[0]) // block * size
            n = min(rows, int(np.prod(t.shape)) // int(t.shape[0]))
            raw = np.asarray(t.data).view(np.uint8).reshape(-1)[:n * row_bytes].reshape(n, row_bytes)
            dequantize(raw, t.tensor_type).astype(np.float32).tofile(f"{sys.argv[4]}/{i}.bin")
    """

    /// A fresh temporary directory holding the oracle script.
    static func workspace() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-kernels-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try script.write(to: dir.appendingPathComponent("oracle.py"), atomically: true, encoding: .utf8)
        return dir
    }

    static func run(_ dir: URL, _ arguments: [String]) throws {
        let result = try Run.process("/usr/bin/env", ["python3", dir.appendingPathComponent("oracle.py").path] + arguments)
        if result.status != 0 { throw OracleError.failed(result.stderr) }
    }

    enum OracleError: Error { case failed(String) }
}

extension Array where Element == Float {
    var bytes: [UInt8] { withUnsafeBytes { Array<UInt8>($0) } }
    init(bytes: [UInt8]) { self = bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) } }
}

/// Index of the first difference of two equal-length arrays (nil when equal), for failure messages.
func firstDifference<T: Equatable>(_ a: [T], _ b: [T]) -> Int? {
    if a.count != b.count { return Swift.min(a.count, b.count) }
    return zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset
}
