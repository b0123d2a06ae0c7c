// Writes a response body into the `.part` file as it arrives, hashing each chunk (so verification needs no
// second pass) and reporting progress for every chunk with the speed over the last few seconds.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

final class PartFileSink: HTTPBodySink, @unchecked Sendable {   // used by one transfer at a time
    private let path: String
    private let directory: String
    private let expectedSize: Int64?
    private let interval: Double
    private let events: @Sendable (TransferEvent) -> Void
    private var fd: Int32
    private var hasher = SHA256Hasher()
    private let lock = NSLock()
    private var _written: Int64 = 0
    /// The length the current response promised the file to have.
    private var responseEnd: Int64?
    private var lastEmit = 0.0
    private var samples: [(time: Double, bytes: Int64)] = []
    private var rate = 0.0

    var written: Int64 { lock.withLock { _written } }

    /// Opens (or creates) the `.part` and hashes what it already holds.
    init(path: String, expectedSize: Int64?, directory: String, interval: Double,
         events: @escaping @Sendable (TransferEvent) -> Void) throws {
        self.path = path
        self.directory = directory
        self.expectedSize = expectedSize
        self.interval = interval
        self.events = events
        fd = Glibc.open(path, O_WRONLY | O_CREAT, 0o644)
        guard fd >= 0 else { throw HubError.io(path: path, reason: String(cString: strerror(errno))) }
        var st = stat()
        fstat(fd, &st)
        var existing = Int64(st.st_size)
        if let expectedSize, existing > expectedSize {      // longer than the file can be: not ours
            ftruncate(fd, 0)
            existing = 0
        }
        if existing > 0 { try hasher.update(contentsOf: path, length: existing) }
        lseek(fd, off_t(existing), SEEK_SET)
        _written = existing
    }

    func prepare(offset: Int64) {
        responseEnd = nil
        samples = [(Self.now(), offset)]
    }

    func open(_ response: HTTPURLResponse) throws {
        let length = response.expectedContentLength >= 0 ? Int64(response.expectedContentLength) : nil
        if response.statusCode == 206 {
            let range = response.value(forHTTPHeaderField: "Content-Range") ?? ""
            guard let start = Self.rangeStart(range), start == written else {
                throw HubError.badResponse(url: response.url?.absoluteString ?? "", reason:
                    "asked for bytes from \(written), got Content-Range '\(range)'")
            }
            responseEnd = Self.rangeTotal(range) ?? length.map { written + $0 }
        } else {
            if written > 0 { restart() }                       // the server ignored Range: start over
            responseEnd = length
        }
        if let expectedSize, let end = responseEnd, end != expectedSize {
            throw HubError.sizeMismatch(file: (path as NSString).lastPathComponent, expected: expectedSize, actual: end)
        }
        if let end = responseEnd { try DiskSpace.ensure(end - written, in: directory) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                let code = errno
                if code == EINTR { continue }
                if code == ENOSPC || code == EDQUOT || code == EFBIG {
                    throw HubError.diskFull(path: String(path.dropLast(".part".count)), written: written + Int64(offset),
                                            needed: responseEnd ?? expectedSize ?? 0)
                }
                throw HubError.io(path: path, reason: String(cString: strerror(code)))
            }
            offset += n
        }
        hasher.update(bytes)
        let total = lock.withLock { _written += Int64(bytes.count); return _written }
        // Every chunk is reported (listeners throttle what they show), so the last bytes before a stall are
        // never missing; the speed is recomputed at `interval`.
        let now = Self.now()
        if now - lastEmit >= interval {
            lastEmit = now
            updateRate(total, now: now)
        }
        events(.progress(TransferProgress(bytes: total, total: responseEnd ?? expectedSize, bytesPerSecond: rate)))
    }

    func emitProgress() {
        let bytes = written
        updateRate(bytes, now: Self.now())
        events(.progress(TransferProgress(bytes: bytes, total: responseEnd ?? expectedSize, bytesPerSecond: rate)))
    }

    private func updateRate(_ bytes: Int64, now: Double) {
        samples.append((now, bytes))
        while samples.count > 2, now - samples[0].time > 3 { samples.removeFirst() }
        let first = samples[0]
        rate = now > first.time ? max(0, Double(bytes - first.bytes) / (now - first.time)) : 0
    }

    /// Why a response that ended without an error still left the file short, if it did.
    func incomplete() -> String? {
        guard let end = responseEnd, written < end else { return nil }
        return "the connection closed after \(written) of \(end) bytes"
    }

    /// Truncates to zero and starts a new hash.
    func restart() {
        ftruncate(fd, 0)
        lseek(fd, 0, SEEK_SET)
        hasher = SHA256Hasher()
        lock.withLock { _written = 0 }
    }

    func sync() throws {
        guard fsync(fd) == 0 else { throw HubError.io(path: path, reason: String(cString: strerror(errno))) }
    }

    func finalizeHash() -> String { hasher.finalizeHex() }

    func close() {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }

    deinit { close() }

    private static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// "bytes 100-199/200" → 100.
    static func rangeStart(_ header: String) -> Int64? {
        guard let spec = header.split(separator: " ").last, let dash = spec.firstIndex(of: "-") else { return nil }
        return Int64(spec[..<dash])
    }

    /// "bytes 100-199/200" → 200 ("*" → nil).
    static func rangeTotal(_ header: String) -> Int64? {
        header.split(separator: "/").last.flatMap { Int64($0) }
    }
}
