// A parsed GGUF file: metadata in file order, the tensor table, and zero-copy views of tensor data
// straight out of an mmap of the file. The mapping lives as long as the GGUFFile.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public final class GGUFFile: @unchecked Sendable {  // immutable after init; the mapping is read-only
    public let path: String?
    public let version: UInt32
    /// Metadata in the order it appears in the file.
    public let metadata: [(key: String, value: GGUFValue)]
    public let tensors: [GGUFTensorInfo]
    public let alignment: Int
    /// Byte offset of the data section from the start of the file.
    public let dataOffset: Int
    public let fileSize: Int

    private let base: UnsafeRawPointer
    private let release: () -> Void
    private let metadataIndex: [String: Int]
    private let tensorIndex: [String: Int]

    /// Opens and validates `path`, mapping it read-only.
    ///
    ///     let file = try GGUFFile(path: "models/SmolLM2-135M-Instruct.Q4_1.gguf")
    ///     let layers = file.int("llama.block_count")
    public convenience init(path: String) throws {
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
        let pointer = UnsafeRawPointer(mapped)
        do {
            try self.init(base: pointer, size: size, path: path) { munmap(mapped, size) }
        } catch {
            munmap(mapped, size)
            throw error
        }
    }

    /// Parses an in-memory GGUF image (copied), e.g. for tests.
    public convenience init(bytes: [UInt8]) throws {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 64)
        bytes.withUnsafeBytes { source in
            // An empty array may have no base address; there is nothing to copy then.
            if let start = source.baseAddress, !source.isEmpty { buffer.copyMemory(from: start, byteCount: source.count) }
        }
        do {
            try self.init(base: UnsafeRawPointer(buffer), size: bytes.count, path: nil) { buffer.deallocate() }
        } catch {
            buffer.deallocate()
            throw error
        }
    }

    private init(base: UnsafeRawPointer, size: Int, path: String?, release: @escaping () -> Void) throws {
        let header = try GGUFParser.parse(UnsafeRawBufferPointer(start: base, count: size))
        self.path = path
        self.base = base
        self.fileSize = size
        self.version = header.version
        self.metadata = header.metadata
        self.tensors = header.tensors
        self.alignment = header.alignment
        self.dataOffset = header.dataOffset
        self.metadataIndex = Dictionary(header.metadata.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { a, _ in a })
        self.tensorIndex = Dictionary(header.tensors.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        self.release = release
    }

    deinit { release() }

    // MARK: Metadata

    public subscript(key: String) -> GGUFValue? {
        metadataIndex[key].map { metadata[$0].value }
    }

    public func int(_ key: String) -> Int? { self[key]?.int }
    public func double(_ key: String) -> Double? { self[key]?.double }
    public func string(_ key: String) -> String? { self[key]?.string }
    public func bool(_ key: String) -> Bool? { self[key]?.bool }
    public func array(_ key: String) -> GGUFArray? { self[key]?.array }

    /// `general.architecture`, e.g. "llama" or "gemma3".
    public var architecture: String? { string("general.architecture") }

    /// Looks up `{architecture}.{suffix}` (e.g. "block_count").
    public func archInt(_ suffix: String) -> Int? { architecture.flatMap { int("\($0).\(suffix)") } }
    public func archDouble(_ suffix: String) -> Double? { architecture.flatMap { double("\($0).\(suffix)") } }

    public func requireInt(_ key: String) throws -> Int {
        guard let value = self[key] else { throw GGUFError.missingKey(key) }
        guard let int = value.int else {
            throw GGUFError.wrongValueType(key: key, expected: "integer", found: "\(value.type)")
        }
        return int
    }

    // MARK: Tensors

    public func tensor(named name: String) -> GGUFTensorInfo? { tensorIndex[name].map { tensors[$0] } }

    public func requireTensor(_ name: String) throws -> GGUFTensorInfo {
        guard let info = tensor(named: name) else { throw GGUFError.missingTensor(name) }
        return info
    }

    /// Zero-copy view of a tensor's bytes inside the mapping.
    public func data(for tensor: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + dataOffset + Int(tensor.offset), count: tensor.byteCount)
    }

    /// Zero-copy typed view of an F32 tensor (nil for other types).
    public func floats(_ tensor: GGUFTensorInfo) -> UnsafeBufferPointer<Float>? {
        guard tensor.type == .f32 else { return nil }
        // Tensor data is aligned to `alignment` (>= 4 for every real file); checked here for hostile ones.
        let start = base + dataOffset + Int(tensor.offset)
        guard Int(bitPattern: start) % MemoryLayout<Float>.alignment == 0 else { return nil }
        return UnsafeBufferPointer(start: start.assumingMemoryBound(to: Float.self), count: tensor.elementCount)
    }

    /// The whole file as bytes (for byte-level comparisons and copying).
    public var rawBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: fileSize) }

    /// Total number of tensor elements (the model's parameter count).
    public var parameterCount: Int { tensors.reduce(0) { $0 + $1.elementCount } }
}
