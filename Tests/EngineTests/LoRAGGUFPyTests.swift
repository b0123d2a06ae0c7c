// gguf-py (PyPI `gguf`, llama.cpp's own Python package) reads Lathe's adapters with the names, shapes and
// metadata llama.cpp's loader expects, and numpy confirms a merge is W + scale·(alpha/rank)·B·A.
import Engine
import Foundation
import GGUF
import LatheTestSupport
import Testing

@Suite struct LoRAGGUFPyTests {
    static let script = """
    import sys, json, numpy as np, gguf
    def value(r, key):
        f = r.fields[key]
        v = f.parts[f.data[0]]
        return bytes(v).decode() if f.types[0] == gguf.GGUFValueType.STRING else v.tolist()[0]
    mode = sys.argv[1]
    if mode == 'adapter':
        r = gguf.GGUFReader(sys.argv[2])
        out = {k: value(r, k) for k in ['general.type', 'general.architecture', 'adapter.type', 'adapter.lora.alpha']}
        out['alpha_type'] = r.fields['adapter.lora.alpha'].types[0].name
        out['tensors'] = {t.name: [[int(x) for x in t.shape], t.tensor_type.name] for t in r.tensors}
        print(json.dumps(out))
    elif mode == 'merge':  # base adapter merged factor
        base = {t.name: t for t in gguf.GGUFReader(sys.argv[2]).tensors}
        ad = {t.name: t for t in gguf.GGUFReader(sys.argv[3]).tensors}
        merged = {t.name: t for t in gguf.GGUFReader(sys.argv[4]).tensors}
        factor = float(sys.argv[5]); worst = 0.0; count = 0
        for name, m in merged.items():
            w = np.array(base[name].data, dtype=np.float32)
            if name + '.lora_a' in ad:
                a = np.array(ad[name + '.lora_a'].data); b = np.array(ad[name + '.lora_b'].data)
                w = w + factor * (b @ a); count += 1
            worst = max(worst, float(np.abs(np.array(m.data, dtype=np.float32) - w).max()))
        print(json.dumps({'worst': worst, 'adapted': count}))
    """

    static func python(_ arguments: [String]) throws -> [String: Any] {
        let scriptPath = FileManager.default.temporaryDirectory.appendingPathComponent("lora-oracle-\(UUID().uuidString).py").path
        try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        defer { unlink(scriptPath) }
        let result = try Run.process("/usr/bin/env", ["python3", scriptPath] + arguments)
        try #require(result.status == 0, "python failed: \(result.stderr)")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
    }

    @Test func ggufPyReadsTheAdapterAsLlamaCppExpects() throws {
        let file = try GGUFFile(path: TestPaths.smollm2)
        let config = try ModelConfig(file: file)
        let adapter = TinyLlama.adapter(rank: 4, alpha: 8, targets: [.query, .value, .down], seed: 9, config: config)
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("smol-adapter-\(UUID().uuidString).gguf").path
        defer { unlink(out) }
        try adapter.writeGGUF(to: out)
        let seen = try Self.python(["adapter", out])
        #expect(seen["general.type"] as? String == "adapter")
        #expect(seen["adapter.type"] as? String == "lora")
        #expect(seen["general.architecture"] as? String == "llama")
        #expect(seen["adapter.lora.alpha"] as? Double == 8)
        #expect(seen["alpha_type"] as? String == "FLOAT32")
        let tensors = try #require(seen["tensors"] as? [String: [Any]])
        #expect(tensors.count == 2 * 3 * config.layerCount)
        // llama.cpp: model ne[0] == a.ne[0] (inputs), model ne[1] == b.ne[1] (outputs), a.ne[1] == b.ne[0] (rank).
        for layer in [0, config.layerCount - 1] {
            for target in [LoRATarget.query, .value, .down] {
                let base = try file.requireTensor(target.tensorName(layer: layer))
                let a = try #require(tensors[base.name + ".lora_a"]), b = try #require(tensors[base.name + ".lora_b"])
                #expect(a[0] as? [Int] == [base.dims[0], 4] && a[1] as? String == "F32")
                #expect(b[0] as? [Int] == [4, base.dims[1]] && b[1] as? String == "F32")
            }
        }
    }

    @Test func numpyConfirmsTheMergedWeights() throws {
        let base = try TinyLlama.write(seed: 11)
        let adapterPath = base + ".adapter.gguf", merged = base + ".merged.gguf"
        defer { unlink(base); unlink(adapterPath); unlink(merged) }
        let config = try ModelConfig(file: try GGUFFile(path: base))
        let adapter = TinyLlama.adapter(rank: 2, alpha: 3, targets: [.key, .gate], seed: 12, config: config)
        try adapter.writeGGUF(to: adapterPath)
        try LoRAMerge.merge(base: base, adapters: [ScaledLoRA(adapter: try LoRAAdapter(ggufPath: adapterPath), scale: 0.5)],
                            output: merged, type: .f32)
        let seen = try Self.python(["merge", base, adapterPath, merged, "\(0.5 * 3 / 2)"])
        #expect(seen["adapted"] as? Int == 2 * config.layerCount)
        #expect((seen["worst"] as? Double ?? 1) < 1e-5)
    }
}
