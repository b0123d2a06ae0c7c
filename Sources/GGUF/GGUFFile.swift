// A parsed GGUF file: metadata in file order, the tensor table, and zero-copy views of tensor data
// straight out of an mmap of the file (of each part, for a split model). The mappings live as long as the GGUFFile.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public final class GGUFFile: @unchecked Sendable {  // immutable after init; the mappings are read-only
    public let path: String?
    /// The files the model is read from: `path` alone, or every part of a split model in order.
    public let paths: [String]
    public let version: UInt32
    /// Metadata in the order it appears in the file (the first part's, for a split model).
    public let metadata: [(key: String, value: GGUFValue)]
    /// Every tensor; a split model's in part order, each `offset` into its own part's data section.
    public let tensors: [GGUFTensorInfo]
    public let alignment: Int
    /// Byte offset of the data section from the start of the (first) file.
    public let dataOffset: Int
    /// Bytes on disk: the file's size, or the sum over a split model's parts.
    public let fileSize: Int

    private let mappings: [GGUFMapping]
    /// For each tensor, the start of the data section of the part that holds it.
    private let dataStarts: [UnsafeRawPointer]
    private let metadataIndex: [String: Int]
    private let tensorIndex: [String: Int]

    /// Opens and validates `path`, mapping it read-only. A split model's first part (`NAME-00001-of-00003.gguf`)
    /// opens the whole model: every part is mapped and checked, and its tensors read as one table.
    ///
    ///     let file = try GGUFFile(path: "models/SmolLM2-135M-Instruct.Q4_1.gguf")
    ///     let layers = file.int("llama.block_count")
    public convenience init(path: String) throws {
        try self.init(parts: try GGUFSplit.parts(first: try GGUFSplit.open(path)), path: path)
    }

    /// Parses an in-memory GGUF image (copied), e.g. for tests.
    public convenience init(bytes: [UInt8]) throws {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 64)
        bytes.withUnsafeBytes { source in
            // An empty array may have no base address; there is nothing to copy then.
            if let start = source.baseAddress, !source.isEmpty { buffer.copyMemory(from: start, byteCount: source.count) }
        }
        let mapping = GGUFMapping(base: UnsafeRawPointer(buffer), size: bytes.count) { buffer.deallocate() }
        let part = GGUFSplit.Part(path: "", mapping: mapping, header: try GGUFParser.parse(mapping.bytes))
        try self.init(parts: [part], path: nil)
    }

    private init(parts: [GGUFSplit.Part], path: String?) throws {
        let header = parts[0].header
        self.path = path
        self.paths = path == nil ? [] : parts.map(\.path)
        self.mappings = parts.map(\.mapping)
        self.fileSize = parts.reduce(0) { $0 + $1.mapping.size }
        self.version = header.version
        self.metadata = header.metadata
        self.alignment = header.alignment
        self.dataOffset = header.dataOffset
        var tensors: [GGUFTensorInfo] = []
        var starts: [UnsafeRawPointer] = []
        for part in parts {
            tensors += part.header.tensors
            starts += repeatElement(part.mapping.base + part.header.dataOffset, count: part.header.tensors.count)
        }
        var tensorIndex: [String: Int] = [:]
        for (index, info) in tensors.enumerated() {
            // Names are unique within a part (the parser checks); across parts a repeat is as bad.
            guard tensorIndex.updateValue(index, forKey: info.name) == nil else { throw GGUFError.duplicateTensor(info.name) }
        }
        self.tensors = tensors
        self.dataStarts = starts
        self.tensorIndex = tensorIndex
        self.metadataIndex = Dictionary(header.metadata.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { a, _ in a })
    }


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

    /// Where `tensor`'s data section starts: that of the part holding it (tensors are found by name).
    private func dataStart(_ tensor: GGUFTensorInfo) -> UnsafeRawPointer {
        tensorIndex[tensor.name].map { dataStarts[$0] } ?? mappings[0].base + dataOffset
    }

    /// Zero-copy view of a tensor's bytes inside the mapping.
    public func data(for tensor: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: dataStart(tensor) + Int(tensor.offset), count: tensor.byteCount)
    }

    /// Zero-copy typed view of an F32 tensor (nil for other types).
    public func floats(_ tensor: GGUFTensorInfo) -> UnsafeBufferPointer<Float>? {
        guard tensor.type == .f32 else { return nil }
        // Tensor data is aligned to `alignment` (>= 4 for every real file); checked here for hostile ones.
        let start = dataStart(tensor) + Int(tensor.offset)
        guard Int(bitPattern: start) % MemoryLayout<Float>.alignment == 0 else { return nil }
        return UnsafeBufferPointer(start: start.assumingMemoryBound(to: Float.self), count: tensor.elementCount)
    }

    /// The whole file as bytes (for byte-level comparisons and copying); a split model's first part only.
    public var rawBytes: UnsafeRawBufferPointer { mappings[0].bytes }

    /// Total number of tensor elements (the model's parameter count).
    public var parameterCount: Int { tensors.reduce(0) { $0 + $1.elementCount } }
}
