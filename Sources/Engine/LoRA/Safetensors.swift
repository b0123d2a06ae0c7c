// The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}} padded with spaces to 8 bytes,
// then the raw little-endian tensor bytes. Enough here for adapters: F32 written; F32, F16, BF16 read.
import CKernels
import Foundation

public enum Safetensors {
    public struct Tensor: Sendable, Equatable {
        public var shape: [Int]
        public var values: [Float]
        public init(shape: [Int], values: [Float]) {
            self.shape = shape
            self.values = values
        }
    }

    /// Writes `tensors` as F32, names in sorted order, atomically.
    public static func write(_ tensors: [String: Tensor], metadata: [String: String] = ["format": "pt"],
                             to path: String) throws {
        var header: [String: Any] = ["__metadata__": metadata]
        var offset = 0
        let names = tensors.keys.sorted()
        for name in names {
            let t = tensors[name]!
            precondition(t.shape.reduce(1, *) == t.values.count, "safetensors shape of \(name)")
            header[name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + t.values.count * 4]]
            offset += t.values.count * 4
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var data = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        for name in names {
            tensors[name]!.values.withUnsafeBytes { data.append(contentsOf: $0) }
        }
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Reads every tensor as floats; errors name the file and what is wrong.
    public static func read(path: String) throws -> [String: Tensor] {
        func fail(_ why: String) -> LoRAError { .badAdapter(path: path, reason: why) }
        guard let data = FileManager.default.contents(atPath: path) else { throw fail("cannot read the file") }
        guard data.count >= 8 else { throw fail("shorter than the 8-byte header length") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(data.count - 8) else { throw fail("header length \(headerLength) exceeds the file") }
        let start = 8 + Int(headerLength)
        guard let header = try? JSONSerialization.jsonObject(with: data.subdata(in: 8..<start)) as? [String: Any] else {
            throw fail("the header is not a JSON object")
        }
        lk_init()
        var out: [String: Tensor] = [:]
        for (name, entry) in header where name != "__metadata__" {
            guard let entry = entry as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2 else {
                throw fail("tensor '\(name)' lacks dtype, shape or data_offsets")
            }
            let count = shape.reduce(1, *)
            let width = ["F32": 4, "F16": 2, "BF16": 2][dtype]
            guard let width else { throw fail("tensor '\(name)' has dtype \(dtype); expected F32, F16 or BF16") }
            guard offsets[0] >= 0, offsets[1] - offsets[0] == count * width, start + offsets[1] <= data.count else {
                throw fail("tensor '\(name)' data_offsets \(offsets) do not match shape \(shape) of \(dtype)")
            }
            var values = [Float](repeating: 0, count: count)
            data.withUnsafeBytes { raw in
                let base = raw.baseAddress! + start + offsets[0]
                for i in 0..<count {
                    switch dtype {
                    case "F32": values[i] = Float(bitPattern: base.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))
                    case "F16": values[i] = lk_fp16_to_fp32(base.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))
                    default: values[i] = lk_bf16_to_fp32(base.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))
                    }
                }
            }
            out[name] = Tensor(shape: shape, values: values)
        }
        return out
    }
}
