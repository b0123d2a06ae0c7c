// Streaming SHA-256 over libcrypto: bytes are hashed as they arrive, so verifying a download costs no extra
// pass over the file (a resumed download hashes its existing prefix once, then continues).
import CLibCrypto
import Foundation

public final class SHA256Hasher {
    private let context: OpaquePointer

    public init() {
        context = EVP_MD_CTX_new()
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
    }

    deinit { EVP_MD_CTX_free(context) }

    public func update(_ buffer: UnsafeRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        EVP_DigestUpdate(context, base, buffer.count)
    }

    public func update(_ data: Data) { data.withUnsafeBytes { update($0) } }

    /// The digest as lowercase hex. The hasher is spent afterwards.
    public func finalizeHex() -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        return digest.prefix(Int(length)).map { String(format: "%02x", $0) }.joined()
    }

    /// Hashes the first `length` bytes of the file at `path` (all of it when nil) into this hasher.
    /// Returns the number of bytes read.
    @discardableResult
    public func update(contentsOf path: String, length: Int64? = nil) throws -> Int64 {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw HubError.io(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        let chunk = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        var total: Int64 = 0
        while length.map({ total < $0 }) ?? true {
            let want = length.map { Int(min(Int64(chunk), $0 - total)) } ?? chunk
            let n = read(fd, buffer.baseAddress, want)
            if n < 0 {
                if errno == EINTR { continue }
                throw HubError.io(path: path, reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            total += Int64(n)
        }
        return total
    }

    /// The SHA-256 of a whole file, as lowercase hex.
    public static func hex(ofFile path: String) throws -> String {
        let hasher = SHA256Hasher()
        try hasher.update(contentsOf: path)
        return hasher.finalizeHex()
    }
}
