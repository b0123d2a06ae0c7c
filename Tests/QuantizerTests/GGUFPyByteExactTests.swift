// Our quantized files against gguf-py (PyPI `gguf`, numpy, an implementation independent of ours):
// for every type gguf.quants can quantize (F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1 in gguf 0.19) the tensor
// bytes must be equal; for the K-quants (gguf-py only dequantizes them) gguf-py's dequantization of our bytes
// must stay within the type's error bound. gguf-py's reader must accept every file, with the metadata kept.
import Foundation
import GGUF
import Kernels
import LatheTestSupport
import Quantizer
import Testing

@Suite struct GGUFPyByteExactTests {
    static let byteExact: [QuantFileType] = [.f16, .bf16, .q8_0, .q4_0, .q4_1, .q5_0, .q5_1]
    static let kQuants: [QuantFileType] = [.q2_K, .q3_K_S, .q4_K_S, .q5_K_S, .q6_K]

    /// Relative RMS error allowed on well-scaled rows; about 1.5x what a b-bit block format reaches on
    /// Gaussian data (the step is range / 2^b, its RMS step / sqrt(12)).
    static let rmseBound: [String: Double] = ["Q2_K": 0.45, "Q3_K": 0.22, "Q4_K": 0.11, "Q5_K": 0.055, "Q6_K": 0.028]
    /// Largest error allowed on any element of a well-scaled row, as a fraction of the row's absolute maximum.
    static let maxErrorBound: [String: Double] = ["Q2_K": 0.5, "Q3_K": 0.25, "Q4_K": 0.13, "Q5_K": 0.07, "Q6_K": 0.035]

    static let oracle = """
    import sys, json, numpy as np, gguf
    from gguf.quants import quantize, dequantize
    from gguf import GGMLQuantizationType as T
    src = {t.name: t for t in gguf.GGUFReader(sys.argv[1]).tensors}
    def floats(t):
        n = int(t.shape[0])
        return np.asarray(t.data, dtype=np.float32).reshape(-1, n)
    report = {}
    for spec in sys.argv[2:]:
        kind, path = spec.split('=', 1)
        r = gguf.GGUFReader(path)
        fields = {f.name: f for f in r.fields.values()}
        out = {'file_type': int(fields['general.file_type'].parts[-1][0]),
               'quantization_version': int(fields['general.quantization_version'].parts[-1][0]),
               'array': [bytes(fields['test.array'].parts[i]).decode() for i in fields['test.array'].data],
               'tensors': {}}
        for t in r.tensors:
            x = floats(src[t.name])
            raw = np.asarray(t.data).view(np.uint8).reshape(x.shape[0], -1)
            entry = {'type': t.tensor_type.name}
            if kind == 'exact' and t.tensor_type != T.F32:
                theirs = np.ascontiguousarray(quantize(x, t.tensor_type)).view(np.uint8).reshape(x.shape[0], -1)
                diff = np.flatnonzero(theirs.reshape(-1) != raw.reshape(-1))
                entry['mismatches'] = int(diff.size)
                entry['first_mismatch'] = int(diff[0]) if diff.size else -1
            y = dequantize(raw, t.tensor_type).astype(np.float32).reshape(x.shape)
            rows = []
            for i in range(x.shape[0]):
                amax = float(np.max(np.abs(x[i])))
                err = (y[i].astype(np.float64) - x[i].astype(np.float64))
                denom = float(np.sum(x[i].astype(np.float64) ** 2))
                rows.append({'amax': amax, 'finite': bool(np.all(np.isfinite(y[i]))),
                             'max_err': float(np.max(np.abs(err))) if np.all(np.isfinite(err)) else -1.0,
                             'rmse': float(np.sqrt(np.sum(err ** 2) / denom)) if denom > 0 and np.all(np.isfinite(err)) else 0.0})
            entry['rows'] = rows
            out['tensors'][t.name] = entry
        report[path] = out
    print(json.dumps(report))
    """

    /// One synthetic F32 model quantized to every file type, checked by one python run.
    @Test func quantizedFilesMatchGGUFPy() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = dir.appendingPathComponent("source-f32.gguf").path
        try SyntheticModel.write(to: source)
        var specs: [String] = []
        var outputs: [(QuantFileType, String)] = []
        for fileType in Self.byteExact + Self.kQuants {
            let path = dir.appendingPathComponent("\(fileType.rawValue).gguf").path
            try QuantizeModel.run(input: source, output: path, options: QuantizeOptions(fileType: fileType, threads: 2))
            outputs.append((fileType, path))
            specs.append("\(Self.byteExact.contains(fileType) ? "exact" : "bound")=\(path)")
        }
        let report = try GGUFPy.json(Self.oracle, [source] + specs)
        for (fileType, path) in outputs {
            let file = try #require(report[path] as? [String: Any], "gguf-py did not read \(path)")
            #expect(file["file_type"] as? Int == Int(fileType.id))
            #expect(file["quantization_version"] as? Int == 2)
            #expect(file["array"] as? [String] == ["a", "b"])
            let tensors = try #require(file["tensors"] as? [String: [String: Any]])
            #expect(tensors.count == 4)
            #expect(tensors["blk.0.attn_norm.weight"]?["type"] as? String == "F32")
            for (name, entry) in tensors where name != "blk.0.attn_norm.weight" {
                let type = try #require(entry["type"] as? String)
                #expect(type == fileType.defaultType.name, "\(fileType) \(name) became \(type)")
                if Self.byteExact.contains(fileType) {
                    #expect(entry["mismatches"] as? Int == 0,
                            "\(fileType) \(name): \(entry["mismatches"] ?? "?") bytes differ from gguf-py, first at \(entry["first_mismatch"] ?? "?")")
                } else {
                    try checkBounds(type: type, name: name, rows: entry["rows"] as? [[String: Any]] ?? [])
                }
            }
        }
    }

    private func checkBounds(type: String, name: String, rows: [[String: Any]]) throws {
        let rmseBound = try #require(Self.rmseBound[type]), maxBound = try #require(Self.maxErrorBound[type])
        var checked = 0
        for (index, row) in rows.enumerated() {
            let amax = row["amax"] as? Double ?? 0
            // Rows whose scales overflow or underflow fp16 are garbage in ggml too; bytes are what matter there.
            guard amax > 1e-3 && amax < 1e4 else { continue }
            checked += 1
            #expect(row["finite"] as? Bool == true, "\(type) \(name) row \(index): non-finite values")
            let rmse = row["rmse"] as? Double ?? .infinity, maxError = row["max_err"] as? Double ?? .infinity
            #expect(rmse <= rmseBound, "\(type) \(name) row \(index): relative RMSE \(rmse) > \(rmseBound)")
            #expect(maxError <= maxBound * amax, "\(type) \(name) row \(index): max error \(maxError) > \(maxBound) x \(amax)")
        }
        #expect(checked >= 6, "\(type) \(name): only \(checked) rows checked")
    }

    /// Zeros, constants and outliers quantize to exactly what the reference kernel gives row by row
    /// (the file path adds threading and chunking, which must not change a byte).
    @Test(arguments: [QuantFileType.q4_K_M, .q6_K, .q3_K_M, .q2_K, .q5_K_M, .q8_0])
    func fileBytesEqualRowByRowReference(fileType: QuantFileType) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = dir.appendingPathComponent("source.gguf").path
        let output = dir.appendingPathComponent("out.gguf").path
        try SyntheticModel.write(to: source)
        try QuantizeModel.run(input: source, output: output, options: QuantizeOptions(fileType: fileType, threads: 2, pure: true))
        let input = try GGUFFile(path: source), result = try GGUFFile(path: output)
        for info in input.tensors where info.dims.count > 1 {
            let out = try result.requireTensor(info.name)
            #expect(out.type == fileType.defaultType)
            let values = Array(input.floats(info)!)
            let expected = Quantization.quantizeReference(out.type, values)
            #expect(Array(result.data(for: out)) == expected, "\(fileType) \(info.name)")
        }
    }
}
