// Writes a GGUF file tensor by tensor: the header (metadata + tensor infos with their final offsets) first,
// then each tensor's bytes in declaration order, padded to the alignment. The file is built at `path.tmp` and
// renamed by `finish()`; `abort()` (or any failure) removes it, so no partial file is left behind.
import Foundation
import GGUF
#if canImport(Glibc)
import Glibc
#endif

struct GGUFStreamWriter {
    let path: String
    private let fd: Int32
    private let layout: [GGUFTensorInfo]
    private let alignment: Int
    private var next = 0
    private var written = 0
    private var open = true

    /// `header` holds the metadata and the tensor infos (their data closures are never called).
    init(path: String, header: GGUFWriter) throws {
        self.path = path
        layout = header.tensors.map(\.info)
        alignment = header.alignment
        fd = Glibc.open(path + ".tmp", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw QuantizerError.writeFailed(path: path, reason: String(cString: strerror(errno))) }
        do { try writeAll(fd, header.headerBytes(), path: path) } catch {
            abort()
            throw error
        }
    }

    var tensorsRemaining: Int { layout.count - next }

    /// Appends part of the current tensor's data; `endTensor()` pads and moves to the next one.
    mutating func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard next < layout.count, written + bytes.count <= layout[next].byteCount else {
            throw QuantizerError.writeFailed(path: path, reason: "more data than declared for tensor \(next < layout.count ? layout[next].name : "?")")
        }
        try writeAll(fd, bytes, path: path)
        written += bytes.count
    }

    mutating func endTensor() throws {
        let info = layout[next]
        guard written == info.byteCount else {
            throw QuantizerError.writeFailed(path: path, reason: "tensor '\(info.name)' has \(written) bytes, expected \(info.byteCount)")
        }
        let padding = alignUp(info.byteCount, to: alignment) - info.byteCount
        if padding > 0 { try writeAll(fd, [UInt8](repeating: 0, count: padding), path: path) }
        next += 1
        written = 0
    }

    mutating func finish() throws {
        guard next == layout.count else {
            abort()
            throw QuantizerError.writeFailed(path: path, reason: "only \(next) of \(layout.count) tensors written")
        }
        open = false
        guard close(fd) == 0, rename(path + ".tmp", path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(path + ".tmp")
            throw QuantizerError.writeFailed(path: path, reason: reason)
        }
    }

    mutating func abort() {
        if open { close(fd) }
        open = false
        unlink(path + ".tmp")
    }
}

/// write(2) until every byte is out (retrying when interrupted); a failure names `path`.
func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
    var offset = 0
    while offset < bytes.count {
        let count = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
        if count < 0 {
            if errno == EINTR { continue }
            throw QuantizerError.writeFailed(path: path, reason: String(cString: strerror(errno)))
        }
        offset += count
    }
}

func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
    try bytes.withUnsafeBytes { try writeAll(fd, $0, path: path) }
}
