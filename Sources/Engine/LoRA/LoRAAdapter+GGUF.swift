// LoRA adapters as GGUF files in llama.cpp's format (convert_lora_to_gguf.py; read by llama-adapter.cpp):
// general.type = "adapter", adapter.type = "lora", adapter.lora.alpha (f32), general.architecture of the
// base model, and per adapted weight `blk.N.attn_q.weight.lora_a` (dims [inputs, rank]) and `.lora_b`
// (dims [rank, outputs]).
import CKernels
import Foundation
import GGUF

extension LoRAAdapter {
    /// Reads a llama.cpp LoRA adapter; errors name the file and the key or tensor at fault.
    public init(ggufPath path: String) throws {
        let file = try GGUFFile(path: path)
        func fail(_ why: String) -> LoRAError { .badAdapter(path: path, reason: why) }
        guard file.string("general.type") == "adapter" else {
            throw fail("general.type is '\(file.string("general.type") ?? "absent")', expected 'adapter'")
        }
        guard file.string("adapter.type") == "lora" else {
            throw fail("adapter.type is '\(file.string("adapter.type") ?? "absent")', expected 'lora'")
        }
        guard let architecture = file.architecture else { throw fail("general.architecture is missing") }
        lk_init()
        var halves: [LoRAKey: (a: GGUFTensorInfo?, b: GGUFTensorInfo?)] = [:]
        for info in file.tensors {
            let isA = info.name.hasSuffix(".lora_a"), isB = info.name.hasSuffix(".lora_b")
            if info.name.hasSuffix("_norm.weight") { continue }  // llama.cpp ignores these too
            guard isA || isB else { throw fail("tensor '\(info.name)' has an unexpected suffix (expected .lora_a or .lora_b)") }
            let base = String(info.name.dropLast(7))
            let parts = base.split(separator: ".")
            guard parts.count == 4, parts[0] == "blk", let layer = Int(parts[1]), parts[3] == "weight",
                  let target = LoRATarget(ggufName: String(parts[2])) else {
                throw fail("tensor '\(info.name)' is not blk.N.{attn_q,attn_k,attn_v,attn_output,ffn_gate,ffn_up,ffn_down}.weight.lora_a/b")
            }
            let key = LoRAKey(layer: layer, target: target)
            if isA { halves[key, default: (nil, nil)].a = info } else { halves[key, default: (nil, nil)].b = info }
        }
        var pairs: [LoRAKey: LoRAPair] = [:]
        for (key, half) in halves {
            guard let a = half.a, let b = half.b else { throw fail("'\(key)' has only one of lora_a and lora_b") }
            guard a.dims.count == 2, b.dims.count == 2, a.dims[1] == b.dims[0] else {
                throw fail("'\(key)': lora_a dims \(a.dims) and lora_b dims \(b.dims) do not chain (expected [in, r] and [r, out])")
            }
            pairs[key] = LoRAPair(rank: a.dims[1], inputs: a.dims[0], outputs: b.dims[1],
                                  a: try Self.floats(file, a, path: path), b: try Self.floats(file, b, path: path))
        }
        guard !pairs.isEmpty else { throw fail("no lora_a/lora_b tensors") }
        self.init(architecture: architecture, alpha: Float(file.double("adapter.lora.alpha") ?? 0), pairs: pairs,
                  baseModelName: file.string("general.base_model.0.name"))
    }

    private static func floats(_ file: GGUFFile, _ info: GGUFTensorInfo, path: String) throws -> [Float] {
        guard lk_supports(Int32(info.type.rawValue)) else {
            throw LoRAError.badAdapter(path: path, reason: "tensor '\(info.name)' has unsupported type \(info.type.name)")
        }
        var out = [Float](repeating: 0, count: info.elementCount)
        let data = file.data(for: info)
        out.withUnsafeMutableBufferPointer {
            lk_dequantize_row(Int32(info.type.rawValue), data.baseAddress!, $0.baseAddress!, Int64(info.elementCount))
        }
        return out
    }

    /// Writes the adapter in llama.cpp's format, F32 tensors, atomically (temp file + rename).
    public func writeGGUF(to path: String, name: String = "LoRA adapter") throws {
        var writer = GGUFWriter()
        writer.set("general.architecture", .string(architecture))
        writer.set("general.type", .string("adapter"))
        writer.set("general.name", .string(name))
        if let baseModelName {
            writer.set("general.base_model.count", .uint32(1))
            writer.set("general.base_model.0.name", .string(baseModelName))
        }
        writer.set("adapter.type", .string("lora"))
        writer.set("adapter.lora.alpha", .float32(alpha))
        // Tensor bytes are copied into one buffer that lives until the write is done.
        let keys = pairs.keys.sorted()
        let total = keys.reduce(0) { $0 + pairs[$1]!.a.count + pairs[$1]!.b.count }
        let arena = UnsafeMutablePointer<Float>.allocate(capacity: max(total, 1))
        defer { arena.deallocate() }
        var cursor = 0
        func add(_ name: String, _ values: [Float], dims: [Int]) {
            let start = arena + cursor
            values.withUnsafeBufferPointer { start.update(from: $0.baseAddress!, count: values.count) }
            let bytes = UnsafeRawBufferPointer(start: UnsafeRawPointer(start), count: values.count * 4)
            nonisolated(unsafe) let view = bytes
            writer.addTensor(name: name, dims: dims, type: .f32) { view }
            cursor += values.count
        }
        for key in keys {
            let pair = pairs[key]!
            add(key.description + ".lora_a", pair.a, dims: [pair.inputs, pair.rank])
            add(key.description + ".lora_b", pair.b, dims: [pair.rank, pair.outputs])
        }
        try writer.write(to: path)
    }
}
