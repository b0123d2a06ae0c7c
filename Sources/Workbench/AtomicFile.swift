// Crash-safe file writes: write a temp file in the same directory, fsync it, rename over the target, fsync
// the directory. A reader sees the old file or the new one, never half of one.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public enum WorkbenchError: Error, LocalizedError, Equatable {
    case write(path: String, reason: String)
    case read(path: String, reason: String)
    case unsupportedVersion(path: String, version: Int, supported: Int)

    public var errorDescription: String? {
        switch self {
        case let .write(path, reason): "could not write '\(path)': \(reason)"
        case let .read(path, reason): "could not read '\(path)': \(reason)"
        case let .unsupportedVersion(path, version, supported):
            "'\(path)' has version \(version); this Lathe reads version \(supported) or older"
        }
    }
}

public enum AtomicFile {
    /// Replaces `url` with `data` atomically, creating the parent directory if needed.
    public static func write(_ data: Data, to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw WorkbenchError.write(path: url.path, reason: "cannot create its directory: \(error.localizedDescription)")
        }
        let temp = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
        let fd = open(temp.path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw WorkbenchError.write(path: url.path, reason: String(cString: strerror(errno))) }
        var ok = data.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; return false }
                offset += n
            }
            return true
        }
        ok = ok && fsync(fd) == 0
        let reason = ok ? "" : String(cString: strerror(errno))
        close(fd)
        guard ok, rename(temp.path, url.path) == 0 else {
            let why = ok ? String(cString: strerror(errno)) : reason
            unlink(temp.path)
            throw WorkbenchError.write(path: url.path, reason: why)
        }
        let dirFD = open(directory.path, O_RDONLY)
        if dirFD >= 0 {
            fsync(dirFD)
            close(dirFD)
        }
    }
}
