// Merges LoRA adapters into a base model: W' = W + Σ factor · B·A for every adapted weight, written as a
// new GGUF with the base's metadata and untouched tensors copied byte for byte. Merged weights are stored
// as F32, F16, or re-quantized to the base tensor's own type (`.same`); the result is an ordinary model
// file (loadable, quantizable).
import CKernels
import Foundation
import GGUF

public enum LoRAMerge {
    public enum OutputType: String, Sendable, CaseIterable {
        case f32, f16, same
    }

    public struct Report: Sendable {
        public var mergedTensors: Int
        public var copiedTensors: Int
        public var outputBytes: Int
    }

    /// Writes `output` atomically; throws on a mismatched adapter before writing anything.
    @discardableResult
    public static func merge(base basePath: String, adapters: [ScaledLoRA], output: String,
                             type: OutputType = .f16) throws -> Report {
        lk_init()
        let file = try GGUFFile(path: basePath)
        let config = try ModelConfig(file: file)
        _ = try LoRAStack(adapters, config: config)  // validates every pair against the model's shapes

        // Dense updates per base tensor name, summed over adapters.
        var deltas: [String: [Float]] = [:]
        for scaled in adapters {
            for (key, pair) in scaled.adapter.pairs {
                let update = pair.delta(scale: scaled.adapter.effectiveScale(pair, userScale: scaled.scale))
                let name = key.target.tensorName(layer: key.layer)
                if var existing = deltas[name] {
                    for i in existing.indices { existing[i] += update[i] }
                    deltas[name] = existing
                } else {
                    deltas[name] = update
                }
            }
        }

        var writer = GGUFWriter()
        writer.metadata = file.metadata.filter { !GGUFSplit.keys.contains($0.key) }  // one file out, even from a split base
        writer.alignment = file.alignment
        var buffers: [UnsafeMutableRawBufferPointer] = []
        defer { buffers.forEach { $0.deallocate() } }
        var merged = 0
        for info in file.tensors {
            guard let delta = deltas[info.name] else {
                writer.addTensor(name: info.name, dims: info.dims, type: info.type) { file.data(for: info) }
                continue
            }
            let columns = info.dims[0], rows = info.elementCount / columns
            var weights = [Float](repeating: 0, count: info.elementCount)
            let source = file.data(for: info).baseAddress!
            let sourceRowBytes = info.type.byteCount(elements: columns)!
            weights.withUnsafeMutableBufferPointer { w in
                for r in 0..<rows {
                    lk_dequantize_row(Int32(info.type.rawValue), source + r * sourceRowBytes, w.baseAddress! + r * columns,
                                      Int64(columns))
                }
                for i in 0..<w.count { w[i] += delta[i] }
            }
            let outType: GGMLType = switch type {
            case .f32: .f32
            case .f16: .f16
            case .same: info.type
            }
            let rowBytes = outType.byteCount(elements: columns)!
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: rowBytes * rows, alignment: 64)
            buffers.append(buffer)
            weights.withUnsafeBufferPointer { w in
                for r in 0..<rows {
                    lk_quantize_row_ref(Int32(outType.rawValue), w.baseAddress! + r * columns, buffer.baseAddress! + r * rowBytes,
                                        Int64(columns))
                }
            }
            nonisolated(unsafe) let view = UnsafeRawBufferPointer(buffer)
            writer.addTensor(name: info.name, dims: info.dims, type: outType) { view }
            merged += 1
        }
        if let name = file.string("general.name") { writer.set("general.name", .string(name + " + LoRA")) }
        try writer.write(to: output)
        let size = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
        return Report(mergedTensors: merged, copiedTensors: file.tensors.count - merged, outputBytes: size ?? 0)
    }
}
