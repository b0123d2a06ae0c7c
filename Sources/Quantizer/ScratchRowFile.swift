// Fixed-size Float rows kept in an unlinked temporary file instead of memory: written once with pwrite, read
// back with pread. The file has no name from the moment it is made, so nothing is left behind however the
// process ends; its pages live in the kernel's cache, which can drop them, not in our heap.
import Foundation

final class ScratchRowFile {
    let rowLength: Int
    private let descriptor: Int32

    init(rowLength: Int) throws {
        self.rowLength = rowLength
        var template = Array((NSTemporaryDirectory() + "/lathe-rows-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw QuantizerError.writeFailed(path: NSTemporaryDirectory(), reason: "cannot create a scratch file: \(String(cString: strerror(errno)))")
        }
        unlink(template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        descriptor = fd
    }

    deinit { close(descriptor) }

    private var rowBytes: Int { rowLength * MemoryLayout<Float>.stride }

    func write(row index: Int, from values: UnsafePointer<Float>) throws {
        try transfer(index, UnsafeMutableRawPointer(mutating: values), "write") { fd, buffer, count, offset in
            pwrite(fd, buffer, count, offset)
        }
    }

    func read(row index: Int, into values: UnsafeMutablePointer<Float>) throws {
        try transfer(index, UnsafeMutableRawPointer(values), "read") { fd, buffer, count, offset in
            pread(fd, buffer, count, offset)
        }
    }

    /// Loops over short reads/writes until the whole row moved.
    private func transfer(_ index: Int, _ buffer: UnsafeMutableRawPointer, _ what: String,
                          _ call: (Int32, UnsafeMutableRawPointer, Int, off_t) -> Int) throws {
        var done = 0
        while done < rowBytes {
            let n = call(descriptor, buffer + done, rowBytes - done, off_t(index * rowBytes + done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw QuantizerError.writeFailed(path: NSTemporaryDirectory(), reason: "scratch file \(what) of row \(index) failed: \(n < 0 ? String(cString: strerror(errno)) : "end of file")")
            }
            done += n
        }
    }
}
