// Bit-exactness against gguf-py (PyPI `gguf`, an implementation independent of ours): reference
// quantization for every type it can quantize, dequantization for every type, synthetic data and real
// tensors of the test models. Skipped when python3 with gguf and numpy is missing (`pip install gguf`).
import Foundation
import GGUF
import Kernels
import LatheTestSupport
import Testing

@Suite(.enabled(if: PythonOracle.available, "needs python3 with `pip install gguf`"))
struct GGUFPyOracleTests {
    static let rows = 3

    @Test(arguments: KernelTypes.pythonQuantizable)
    func referenceQuantizationIsBitExact(type: GGMLType) throws {
        let dir = try PythonOracle.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let perRow = 5 * 256  // 40 blocks of 32 or 5 super-blocks per row
        var values = TestData.values(Self.rows * perRow, seed: 3)
        values[700] = 40  // an outlier that sets one block's scale
        values[701] = -40
        try Data(values.bytes).write(to: dir.appendingPathComponent("x.bin"))
        try PythonOracle.run(dir, ["quant", type.name, dir.appendingPathComponent("x.bin").path,
                                   dir.appendingPathComponent("q.bin").path, "\(Self.rows)"])
        let theirs = [UInt8](try Data(contentsOf: dir.appendingPathComponent("q.bin")))
        let ours = Quantization.quantizeReference(type, values)
        #expect(ours == theirs, "\(type): first difference at byte \(firstDifference(ours, theirs) ?? -1)")
    }

    @Test(arguments: KernelTypes.weights.filter { $0 != .f32 })
    func dequantizationIsBitExact(type: GGMLType) throws {
        let dir = try PythonOracle.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let perRow = 5 * 256
        let values = TestData.values(Self.rows * perRow, seed: 5)
        let bytes = Quantization.quantizeReference(type, values)
        try Data(bytes).write(to: dir.appendingPathComponent("q.bin"))
        try PythonOracle.run(dir, ["dequant", type.name, dir.appendingPathComponent("q.bin").path,
                                   dir.appendingPathComponent("y.bin").path, "\(Self.rows)"])
        let theirs = [Float](bytes: [UInt8](try Data(contentsOf: dir.appendingPathComponent("y.bin"))))
        let ours = Quantization.dequantize(type, bytes, count: values.count)
        #expect(ours.map(\.bitPattern) == theirs.map(\.bitPattern),
                "\(type): first difference at \(firstDifference(ours.map(\.bitPattern), theirs.map(\.bitPattern)) ?? -1)")
    }

    /// (model, tensor, rows to compare): every weight type of the two test models.
    static let realTensors: [(String, String, Int)] = [
        ("smollm2", "token_embd.weight", 64),         // Q8_0
        ("smollm2", "blk.0.ffn_down.weight", 64),     // Q4_1
        ("smollm2", "blk.3.attn_q.weight", 64),       // Q4_1
        ("smollm2", "blk.0.attn_norm.weight", 1),     // F32
        ("gemma3", "blk.0.attn_q.weight", 64),        // Q5_0
        ("gemma3", "blk.0.attn_v.weight", 64),        // Q8_0
        ("gemma3", "blk.0.attn_output.weight", 64),   // Q4_K
        ("gemma3", "blk.0.ffn_down.weight", 64),      // Q6_K
    ]

    @Test(arguments: 0..<realTensors.count)
    func realTensorsDequantizeLikeGGUFPy(index: Int) throws {
        let (model, name, rows) = Self.realTensors[index]
        let path = model == "smollm2" ? TestPaths.smollm2 : TestPaths.gemma3
        try #require(FileManager.default.fileExists(atPath: path), "model missing: \(path) (run the fetch script)")
        let file = try GGUFFile(path: path)
        let info = try file.requireTensor(name)
        let count = rows * info.rowLength
        let ours = Quantization.dequantize(info.type, file.data(for: info), count: count)
        let dir = try PythonOracle.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        try PythonOracle.run(dir, ["tensor", path, name, "\(rows)", dir.appendingPathComponent("y.bin").path])
        let theirs = [Float](bytes: [UInt8](try Data(contentsOf: dir.appendingPathComponent("y.bin"))))
        #expect(theirs.count == count, "\(name): gguf-py gave \(theirs.count) values")
        #expect(ours.map(\.bitPattern) == theirs.map(\.bitPattern),
                "\(name) (\(info.type)): first difference at \(firstDifference(ours.map(\.bitPattern), theirs.map(\.bitPattern)) ?? -1)")
    }
}
