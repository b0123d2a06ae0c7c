// Checkpoints: one file per saved step, `checkpoint-<step>.bin`, written to a temporary name, fsynced and
// renamed, so a crash leaves either the old set or the new file, never half of one.
//
// Layout: "LTCKPT01" | u64 JSON length | JSON (CheckpointState) | parameter values | AdamW m | AdamW v |
//         u64 FNV-1a 64 of everything before | "LTCKEND!"
// Values are stored as raw little-endian Float. A file that is short, lacks the trailer or fails the hash
// is reported as corrupt, and `latestValid` falls back to the previous checkpoint.
import Foundation

public struct CheckpointState: Codable, Sendable, Equatable {
    /// Optimizer steps completed.
    public var step: Int
    public var optimizerSteps: Int
    public var parameterCount: Int
    /// Anything the owner of the run wants back on resume (e.g. the data cursor).
    public var extra: [String: Double]

    public init(step: Int, optimizerSteps: Int, parameterCount: Int, extra: [String: Double] = [:]) {
        self.step = step
        self.optimizerSteps = optimizerSteps
        self.parameterCount = parameterCount
        self.extra = extra
    }
}

public enum Checkpoint {
    static let magic = Array("LTCKPT01".utf8)
    static let endMagic = Array("LTCKEND!".utf8)

    public static func fileName(step: Int) -> String { String(format: "checkpoint-%08d.bin", step) }

    /// Writes `store`'s values and `optimizer`'s moments atomically to `directory/checkpoint-<step>.bin`.
    @discardableResult
    public static func save(_ state: CheckpointState, store: ParameterStore<Float>, optimizer: AdamW<Float>,
                            directory: String) throws -> String {
        let path = (directory as NSString).appendingPathComponent(fileName(step: state.step))
        let json = try JSONEncoder().encode(state)
        let floats = store.count
        var data = Data(capacity: 32 + json.count + 12 * floats)
        data.append(contentsOf: magic)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        data.append(UnsafeBufferPointer(start: store.values, count: floats))
        data.append(UnsafeBufferPointer(start: optimizer.m, count: floats))
        data.append(UnsafeBufferPointer(start: optimizer.v, count: floats))
        let hash = data.withUnsafeBytes { FNV1a.hash($0) }
        withUnsafeBytes(of: hash.littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: endMagic)
        try AtomicWrite.write(data, to: path)
        return path
    }

    /// Reads and verifies a checkpoint; on success copies it into `store` and `optimizer`.
    public static func load(path: String, store: ParameterStore<Float>, optimizer: AdamW<Float>) throws
        -> CheckpointState {
        let name = (path as NSString).lastPathComponent
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TrainerError.badCheckpoint(name, "cannot be read")
        }
        return try data.withUnsafeBytes { raw -> CheckpointState in
            guard raw.count >= 32, Array(raw.prefix(8)) == magic else {
                throw TrainerError.badCheckpoint(name, "not a Lathe checkpoint (bad magic)")
            }
            guard Array(raw.suffix(8)) == endMagic else {
                throw TrainerError.badCheckpoint(name, "truncated (no end marker)")
            }
            let body = UnsafeRawBufferPointer(rebasing: raw[0..<(raw.count - 16)])
            let stored = raw.loadUnaligned(fromByteOffset: raw.count - 16, as: UInt64.self).littleEndian
            guard FNV1a.hash(body) == stored else { throw TrainerError.badCheckpoint(name, "checksum mismatch") }
            let jsonLength = Int(raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self).littleEndian)
            guard 16 + jsonLength <= body.count else { throw TrainerError.badCheckpoint(name, "bad header length") }
            let state = try JSONDecoder().decode(CheckpointState.self,
                                                 from: Data(raw[16..<(16 + jsonLength)]))
            let n = store.count
            guard state.parameterCount == n, body.count == 16 + jsonLength + 12 * n else {
                throw TrainerError.badCheckpoint(name, "holds \(state.parameterCount) parameters, expected \(n)")
            }
            var offset = 16 + jsonLength
            for target in [store.values, optimizer.m, optimizer.v] {
                memcpy(target, raw.baseAddress! + offset, 4 * n)
                offset += 4 * n
            }
            optimizer.steps = state.optimizerSteps
            return state
        }
    }

    /// Checkpoint files in `directory`, newest step first.
    public static func list(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasPrefix("checkpoint-") && $0.hasSuffix(".bin") }.sorted(by: >)
            .map { (directory as NSString).appendingPathComponent($0) }
    }

    /// Loads the newest checkpoint that verifies; `skipped` receives each corrupt one with the reason.
    public static func loadLatestValid(in directory: String, store: ParameterStore<Float>, optimizer: AdamW<Float>,
                                       skipped: (String, Error) -> Void) throws -> (CheckpointState, String) {
        for path in list(in: directory) {
            do {
                return (try load(path: path, store: store, optimizer: optimizer), path)
            } catch {
                skipped(path, error)
            }
        }
        throw TrainerError.noCheckpoint(directory)
    }

    /// Deletes all but the newest `keep` checkpoints.
    public static func prune(in directory: String, keep: Int) {
        for path in list(in: directory).dropFirst(max(1, keep)) { try? FileManager.default.removeItem(atPath: path) }
    }
}

/// 64-bit FNV-1a, 8 bytes at a time folded in byte order (fast enough for tens of MB per checkpoint).
enum FNV1a {
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        let prime: UInt64 = 0x100_0000_01b3
        var i = 0
        let n = bytes.count
        while i + 8 <= n {
            h = (h ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* prime
            i += 8
        }
        while i < n {
            h = (h ^ UInt64(bytes[i])) &* prime
            i += 1
        }
        return h
    }
}

/// Write to a temporary file in the same directory, fsync, rename over the target, fsync the directory.
enum AtomicWrite {
    static func write(_ data: Data, to path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw TrainerError.io(temporary, "cannot create: \(String(cString: strerror(errno)))") }
        var ok = true
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written <= 0 { ok = false; return }
                offset += written
            }
        }
        ok = ok && fsync(fd) == 0
        close(fd)
        guard ok, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw TrainerError.io(path, "write failed: \(String(cString: strerror(errno)))")
        }
        let dir = open((path as NSString).deletingLastPathComponent, O_RDONLY)
        if dir >= 0 {
            fsync(dir)
            close(dir)
        }
    }

    static func write(_ text: String, to path: String) throws { try write(Data(text.utf8), to: path) }
}
