// One GGUF file mapped read-only into memory; unmapped when the last reference goes.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class GGUFMapping: @unchecked Sendable {  // immutable; the mapping is read-only
    let base: UnsafeRawPointer
    let size: Int
    private let release: () -> Void

    init(base: UnsafeRawPointer, size: Int, release: @escaping () -> Void) {
        self.base = base
        self.size = size
        self.release = release
    }

    /// Maps `path`, a non-empty regular file.
    convenience init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw GGUFError.cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw GGUFError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw GGUFError.cannotOpen(path: path, reason: "not a regular file")
        }
        let size = Int(info.st_size)
        guard size > 0 else { throw GGUFError.truncated(field: "magic", offset: 0, needed: 4, fileSize: 0) }
        let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let mapped, mapped != MAP_FAILED else {
            throw GGUFError.cannotOpen(path: path, reason: "mmap failed: \(String(cString: strerror(errno)))")
        }
        self.init(base: UnsafeRawPointer(mapped), size: size) { munmap(mapped, size) }
    }

    deinit { release() }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: size) }
}
