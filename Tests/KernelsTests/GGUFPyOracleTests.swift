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

    /// Tensors covering every weight type of the two test models; the first `realRows` rows of each are compared.
    static let realTensors: [String: [String]] = [
        "smollm2": ["token_embd.weight", "blk.0.ffn_down.weight", "blk.3.attn_q.weight", "blk.0.attn_norm.weight"],
        "gemma3": ["blk.0.attn_q.weight", "blk.0.attn_v.weight", "blk.0.attn_output.weight", "blk.0.ffn_down.weight",
                   "token_embd.weight"],
    ]
    static let realRows = 48

    /// One gguf-py run per model (parsing a GGUF in Python takes seconds).
    @Test(arguments: ["smollm2", "gemma3"])
    func realTensorsDequantizeLikeGGUFPy(model: String) throws {
        let path = model == "smollm2" ? TestPaths.smollm2 : TestPaths.gemma3
        try #require(FileManager.default.fileExists(atPath: path), "model missing: \(path) (run the fetch script)")
        let names = try #require(Self.realTensors[model])
        let dir = try PythonOracle.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        try PythonOracle.run(dir, ["tensor", path, "\(Self.realRows)", dir.path] + names)
        let file = try GGUFFile(path: path)
        for (index, name) in names.enumerated() {
            let info = try file.requireTensor(name)
            let count = Swift.min(Self.realRows, info.rowCount) * info.rowLength
            let ours = Quantization.dequantize(info.type, file.data(for: info), count: count)
            let theirs = [Float](bytes: [UInt8](try Data(contentsOf: dir.appendingPathComponent("\(index).bin"))))
            #expect(ours.map(\.bitPattern) == theirs.map(\.bitPattern),
                    "\(model) \(name) (\(info.type)): first difference at \(firstDifference(ours.map(\.bitPattern), theirs.map(\.bitPattern)) ?? -1) of \(theirs.count)")
        }
    }
}
