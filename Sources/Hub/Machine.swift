// Facts about this machine that decide whether a download fits: free disk space (statvfs) and memory.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public enum DiskSpace {
    /// Bytes available to this user on the filesystem holding `path` (nil if it cannot be read).
    public static func free(at path: String) -> Int64? {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return nil }
        return Int64(stats.f_bavail) * Int64(stats.f_frsize)
    }

    /// Throws `insufficientSpace` when fewer than `needed` bytes (plus a small margin) are free at `directory`.
    public static func ensure(_ needed: Int64, in directory: String) throws {
        guard needed > 0, let free = free(at: directory) else { return }
        let margin: Int64 = 1 << 20
        if free < needed + margin { throw HubError.insufficientSpace(directory: directory, needed: needed, free: free) }
    }
}

/// What running a model of a given file size needs in memory, against this machine's RAM.
public struct MemoryEstimate: Sendable, Equatable {
    public enum Verdict: String, Sendable { case fits, tight, tooLarge = "too large" }
    public var needed: Int64
    public var available: Int64
    public var verdict: Verdict

    /// The weights (mmapped, the whole file) plus ~15% and 200 MB for the KV cache at a 2-4K context and
    /// scratch buffers; "tight" above 80% of RAM.
    public init(fileSize: Int64, physicalMemory: Int64 = Int64(ProcessInfo.processInfo.physicalMemory)) {
        needed = fileSize + fileSize * 15 / 100 + 200_000_000
        available = physicalMemory
        verdict = needed <= physicalMemory * 8 / 10 ? .fits : needed <= physicalMemory ? .tight : .tooLarge
    }
}
