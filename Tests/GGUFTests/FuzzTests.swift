// Fuzz-style robustness: thousands of seeded random mutations (byte flips, truncations, inserted and deleted
// bytes, u64/u32 fields set to hostile values) of the real SmolLM2 header must each end in a thrown GGUFError or
// a valid parse whose invariants hold: never a crash, never a trap, never an allocation sized by a hostile count.
import Foundation
import GGUF
import LatheTestSupport
import Testing

/// A small, fast, seedable RNG (Vigna's SplitMix64), so every run mutates the same way.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

struct Mutator {
    var rng: SplitMix64
    /// Byte ranges worth aiming at (the header, the tensor table) besides uniformly random positions.
    let hotRanges: [Range<Int>]

    static let hostile64: [UInt64] = [.max, .max - 1, 1 << 63, UInt64(Int64.max), 1 << 62, 1 << 40, 1 << 32,
                                      UInt64(UInt32.max), 0, 1, 2, 3, 4, 5, 31, 32, 33, 1000, 49152]
    static let hostile32: [UInt32] = [0, 1, 2, 3, 4, 5, 8, 9, 12, 13, 30, 31, 34, 39, 40, 255, .max, 1 << 31]

    private mutating func position(in count: Int) -> Int {
        guard count > 0 else { return 0 }
        if Int.random(in: 0..<3, using: &rng) > 0, let range = hotRanges.randomElement(using: &rng),
           range.lowerBound < count {
            return Int.random(in: range.lowerBound..<min(range.upperBound, count), using: &rng)
        }
        return Int.random(in: 0..<count, using: &rng)
    }

    private mutating func put<T: FixedWidthInteger>(_ value: T, at offset: Int, in bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { src in
            for (i, b) in src.enumerated() where offset + i < bytes.count { bytes[offset + i] = b }
        }
    }

    /// Applies one to three random mutations; returns a short label of the first for the statistics.
    mutating func mutate(_ bytes: inout [UInt8]) -> String {
        var label = ""
        for round in 0..<Int.random(in: 1...3, using: &rng) {
            let kind = Int.random(in: 0..<7, using: &rng)
            let name: String
            switch kind {
            case 0:
                name = "flip"
                for _ in 0..<Int.random(in: 1...8, using: &rng) where !bytes.isEmpty {
                    bytes[position(in: bytes.count)] ^= UInt8.random(in: 1...255, using: &rng)
                }
            case 1:
                name = "truncate"
                bytes.removeSubrange(position(in: bytes.count)...)
            case 2:
                name = "insert"
                let at = bytes.isEmpty ? 0 : position(in: bytes.count)
                let n = Int.random(in: 1...16, using: &rng)
                bytes.insert(contentsOf: (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }, at: at)
            case 3:
                name = "delete"
                if !bytes.isEmpty {
                    let at = position(in: bytes.count)
                    bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...64, using: &rng)))
                }
            case 4:
                name = "u64"
                put(Mutator.hostile64.randomElement(using: &rng)!, at: position(in: bytes.count), in: &bytes)
            case 5:
                name = "u32"
                put(Mutator.hostile32.randomElement(using: &rng)!, at: position(in: bytes.count), in: &bytes)
            default:
                // The four header counts and the version, which gate everything else.
                name = "header"
                let field = [4, 8, 16].randomElement(using: &rng)!
                if field == 4 {
                    put(Mutator.hostile32.randomElement(using: &rng)!, at: field, in: &bytes)
                } else {
                    put(Mutator.hostile64.randomElement(using: &rng)!, at: field, in: &bytes)
                }
            }
            if round == 0 { label = name }
        }
        return label
    }
}

/// Checks what a successful parse promises: every tensor inside the data, aligned, non-overlapping, sane sizes.
func checkInvariants(_ file: GGUFFile) -> String? {
    guard file.alignment > 0, file.alignment & (file.alignment - 1) == 0 else { return "bad alignment" }
    guard file.dataOffset % file.alignment == 0 else { return "unaligned data offset" }
    var spans: [(UInt64, UInt64)] = []
    for t in file.tensors {
        guard (1...4).contains(t.dims.count), t.dims.allSatisfy({ $0 >= 0 }) else { return "bad dims \(t.dims)" }
        guard t.offset % UInt64(file.alignment) == 0 else { return "unaligned \(t.name)" }
        guard t.type.byteCount(elements: t.elementCount) == t.byteCount else { return "bad size \(t.name)" }
        let end = t.offset + UInt64(t.byteCount)
        guard t.byteCount == 0 || file.dataOffset + Int(end) <= file.fileSize else { return "out of bounds \(t.name)" }
        if t.byteCount > 0 { spans.append((t.offset, end)) }
        let view = file.data(for: t)
        guard view.count == t.byteCount else { return "view size \(t.name)" }
    }
    spans.sort { $0.0 < $1.0 }
    for (a, b) in zip(spans, spans.dropFirst()) where a.1 > b.0 { return "overlap" }
    guard Set(file.tensors.map(\.name)).count == file.tensors.count else { return "duplicate tensor" }
    guard Set(file.metadata.map(\.key)).count == file.metadata.count else { return "duplicate key" }
    _ = ModelSummary(file: file)  // everything `lathe info` derives must not trap either
    return nil
}

/// The real SmolLM2 header, made compact for speed: all its metadata (the three 49k-entry tokenizer arrays cut to
/// their first 200 entries) and all 272 tensor infos with their real names and types, each shrunk to one block
/// row whose bytes come from the real tensor; about 60 KB, so a parse takes microseconds, not milliseconds.
func compactSmolLM2() throws -> [UInt8] {
    let file = try GGUFFile(path: TestPaths.smollm2)
    var writer = GGUFWriter()
    for (key, value) in file.metadata {
        if case .array(let a) = value, a.count > 200 {
            switch a {
            case .string(let v): writer.set(key, .array(.string(Array(v.prefix(200)))))
            case .int32(let v): writer.set(key, .array(.int32(Array(v.prefix(200)))))
            default: writer.set(key, value)
            }
        } else {
            writer.set(key, value)
        }
    }
    for t in file.tensors {
        writer.addTensor(name: t.name, dims: [t.type.blockSize], type: t.type) { [file] in
            UnsafeRawBufferPointer(rebasing: file.data(for: t).prefix(t.type.typeSize))
        }
    }
    return try withTemporaryDirectory { dir in
        let path = dir.appendingPathComponent("compact.gguf").path
        try writer.write(to: path)
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

@Suite struct FuzzTests {
    struct Outcome {
        var parsed = 0
        var errors: [String: Int] = [:]
        var labels: [String: Int] = [:]
    }

    private func errorName(_ e: GGUFError) -> String {
        String(String(describing: e).prefix { $0 != "(" })
    }

    private func fuzz(_ base: [UInt8], iterations: Int, seed: UInt64, hot: [Range<Int>]) -> Outcome {
        var mutator = Mutator(rng: SplitMix64(seed: seed), hotRanges: hot)
        var outcome = Outcome()
        for iteration in 0..<iterations {
            var bytes = base
            let label = mutator.mutate(&bytes)
            outcome.labels[label, default: 0] += 1
            do {
                let file = try GGUFFile(bytes: bytes)
                if let problem = checkInvariants(file) {
                    Issue.record("iteration \(iteration) (\(label)) parsed but \(problem)")
                }
                outcome.parsed += 1
            } catch let error as GGUFError {
                let message = error.errorDescription ?? ""
                if message.isEmpty || !isOneLine(message) || message.count > 2000 {
                    Issue.record("iteration \(iteration): bad message '\(message)'")
                }
                outcome.errors[errorName(error), default: 0] += 1
            } catch {
                Issue.record("iteration \(iteration): non-GGUF error \(error)")
            }
        }
        return outcome
    }

    private func report(_ name: String, _ o: Outcome, _ seconds: Double, _ count: Int) {
        let errors = o.errors.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        print("fuzz \(name): \(count) mutations in \(String(format: "%.2f", seconds)) s; parsed \(o.parsed); \(errors)")
    }

    /// 4,750 mutations of the compact SmolLM2 file (header + tensor table + data, so mutations can also parse).
    @Test func mutationsOfTheCompactSmolLM2Header() throws {
        let base = try compactSmolLM2()
        let file = try GGUFFile(bytes: base)
        #expect(file.tensors.count == 272 && file.metadata.count == 33)
        // Aim at the fixed header, the start of the metadata, and the tensor table.
        let tableStart = file.metadata.isEmpty ? 24 : base.count / 2
        let hot = [0..<64, 24..<2048, tableStart..<file.dataOffset, (file.dataOffset - 4096)..<file.dataOffset]
        let start = Date()
        let outcome = fuzz(base, iterations: 4750, seed: 0x1A7E_2026, hot: hot)
        let seconds = Date().timeIntervalSince(start)
        report("compact", outcome, seconds, 4750)
        #expect(outcome.parsed + outcome.errors.values.reduce(0, +) == 4750)
        // The mutations reach deep: both outcomes occur, and many distinct error kinds.
        #expect(outcome.parsed > 50)
        #expect(outcome.errors.count >= 8, "error kinds: \(outcome.errors)")
    }

    /// 250 mutations of the real header region (each parse reads ~1.8 MB, so fewer) of SmolLM2 (its first dataOffset + 64 KiB bytes, tensor data cut off,
    /// so a parse that survives the metadata and the tensor table must end in an out-of-bounds error).
    @Test func mutationsOfTheRealSmolLM2Header() throws {
        let real = try GGUFFile(path: TestPaths.smollm2)
        let length = real.dataOffset + 65536
        let base = Array(real.rawBytes.prefix(length))
        // Locate the tensor table: it starts with token_embd.weight's name.
        let marker = Array("token_embd.weight".utf8)
        let tableStart = (0..<(base.count - marker.count)).first { i in
            base[i] == marker[0] && base[i..<(i + marker.count)].elementsEqual(marker)
        }.map { $0 - 8 } ?? 0
        #expect(tableStart > 1_000_000)
        let hot = [0..<64, 24..<4096, tableStart..<real.dataOffset]
        let start = Date()
        let outcome = fuzz(base, iterations: 250, seed: 0x5EED_0001, hot: hot)
        let seconds = Date().timeIntervalSince(start)
        report("real header", outcome, seconds, 250)
        #expect(outcome.errors.count >= 5, "error kinds: \(outcome.errors)")
    }

    /// Exhaustive single-byte and single-u64 patches over the fixed header and the first KV of the hand-made sample.
    @Test func everyHeaderFieldWithHostileValues() {
        let base = sampleFile().bytes
        var count = 0
        for offset in 0..<min(base.count, 96) {
            for value in Mutator.hostile64 {
                var bytes = base
                withUnsafeBytes(of: value.littleEndian) { src in
                    for (i, b) in src.enumerated() where offset + i < bytes.count { bytes[offset + i] = b }
                }
                do {
                    if let problem = checkInvariants(try GGUFFile(bytes: bytes)) {
                        Issue.record("offset \(offset) value \(value): \(problem)")
                    }
                } catch is GGUFError {
                } catch {
                    Issue.record("offset \(offset) value \(value): \(error)")
                }
                count += 1
            }
        }
        #expect(count > 1000)
    }
}
