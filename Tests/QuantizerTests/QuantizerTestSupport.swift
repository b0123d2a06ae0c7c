// Shared helpers: synthetic F32 GGUF files with awkward rows, temporary directories, and the gguf-py
// oracle (PyPI `gguf`, installed by `scripts/setup --test-tools`) run through python3.
import Foundation
import GGUF
import LatheTestSupport
import Quantizer

/// Tensor data that outlives a GGUFWriter's lazy data closures.
final class OwnedBytes: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    let count: Int
    init(_ floats: [Float]) {
        count = floats.count * 4
        pointer = .allocate(byteCount: max(count, 1), alignment: 64)
        floats.withUnsafeBytes { pointer.copyMemory(from: $0.baseAddress!, byteCount: count) }
    }
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: pointer, count: count) }
    deinit { pointer.deallocate() }
}

/// A deterministic generator (SplitMix64) so failures reproduce.
struct SeededRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Float { Float(next() >> 40) / Float(1 << 24) }
    /// Approximately normal (sum of uniforms).
    mutating func normal() -> Float { (0..<4).reduce(Float(0)) { acc, _ in acc + uniform() } - 2 }
}

enum SyntheticModel {
    static let rowLength = 512

    /// Rows that stress the quantizers: random at several scales, zeros, constants, huge and tiny magnitudes,
    /// a single outlier, one sign only.
    static func edgeRows(seed: UInt64) -> [[Float]] {
        var random = SeededRandom(state: seed)
        let n = rowLength
        func row(_ f: (Int) -> Float) -> [Float] { (0..<n).map(f) }
        return [
            row { _ in random.normal() },
            row { _ in random.normal() * 0.02 },
            row { _ in random.normal() * 300 },
            row { _ in 0 },
            row { _ in 0.5 },
            row { _ in -3.25 },
            row { i in i % 64 < 32 ? 0 : random.normal() },        // every other 32-block all zero
            row { _ in random.normal() * 60_000 },                  // near the fp16 limit
            row { _ in random.normal() * 1e20 },                    // scales overflow fp16
            row { _ in random.normal() * 1e-30 },                   // scales underflow fp16
            row { _ in Float(bitPattern: 0x0000_0400 + UInt32(random.next() % 256)) * (random.uniform() < 0.5 ? -1 : 1) },                  // f32 subnormals
            row { i in i == 77 ? 1000 : random.normal() },          // one outlier
            row { _ in abs(random.normal()) + 0.1 },                // positive only
            row { _ in -abs(random.normal()) },                     // negative only
            row { i in i % 2 == 0 ? 1 : -1 },
            row { i in Float(i) / Float(n) - 0.5 },
        ]
    }

    /// Writes an F32 model-like GGUF: a 1-D norm, two 2-D edge-case matrices and a random 3-D tensor.
    static func write(to path: String) throws {
        var writer = GGUFWriter()
        writer.set("general.architecture", .string("llama"))
        writer.set("general.name", .string("synthetic"))
        writer.set("general.file_type", .uint32(0))
        writer.set("llama.block_count", .uint32(1))
        writer.set("test.array", .array(.string(["a", "b"])))
        var owned: [OwnedBytes] = []
        func add(_ name: String, _ dims: [Int], _ values: [Float]) {
            let data = OwnedBytes(values)
            owned.append(data)
            writer.addTensor(name: name, dims: dims, type: .f32) { data.bytes }
        }
        var random = SeededRandom(state: 42)
        add("blk.0.attn_norm.weight", [rowLength], (0..<rowLength).map { _ in 1 + random.normal() * 0.1 })
        let a = edgeRows(seed: 1), b = edgeRows(seed: 2)
        add("blk.0.edge_a.weight", [rowLength, a.count], a.flatMap { $0 })
        add("blk.0.edge_b.weight", [rowLength, b.count], b.flatMap { $0 })
        add("blk.0.cube.weight", [rowLength, 3, 2], (0..<(rowLength * 6)).map { _ in random.normal() })
        try writer.write(to: path)
        withExtendedLifetime(owned) {}
    }
}

func temporaryDirectory() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-quantizer-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// gguf-py, run through python3 on files the tests wrote.
enum GGUFPy {
    /// Runs `script` with arguments and returns its stdout parsed as JSON.
    static func json(_ script: String, _ arguments: [String]) throws -> [String: Any] {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("oracle.py").path
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try Run.process("/usr/bin/env", ["python3", path] + arguments)
        guard result.status == 0 else {
            throw OracleError.failed("python3 exited \(result.status): \(result.stderr.suffix(2000))")
        }
        guard let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw OracleError.failed("no JSON object on stdout: \(result.stdout.prefix(500))")
        }
        return object
    }

    enum OracleError: Error, CustomStringConvertible {
        case failed(String)
        var description: String { if case .failed(let m) = self { return m } else { return "" } }
    }
}

/// SmolLM2 dequantized to F16 by our quantizer, made once per test process and shared by the suites that
/// need an unquantized base (removed when the process exits).
enum SharedSmolF16 {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var made: String?

    static func path() throws -> String {
        lock.lock()
        defer { lock.unlock() }
        if let made { return made }
        let dir = try temporaryDirectory()
        let path = dir.appendingPathComponent("smollm2-f16.gguf").path
        try QuantizeModel.run(input: TestPaths.smollm2, output: path,
                              options: QuantizeOptions(fileType: .f16, threads: 2, allowRequantize: true))
        sharedDirectory = strdup(dir.path)
        atexit {
            if let dir = sharedDirectory { try? FileManager.default.removeItem(atPath: String(cString: dir)) }
        }
        made = path
        return path
    }
}

nonisolated(unsafe) private var sharedDirectory: UnsafeMutablePointer<CChar>?
