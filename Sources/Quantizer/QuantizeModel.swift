// GGUF -> GGUF quantization, streamed: the input is mmapped, each tensor is converted in chunks of rows
// (about 16 MiB of f32 at a time) and written straight to a temporary file beside the output, so memory stays
// near one chunk; the input pages of a finished tensor are dropped. The temporary file is renamed over the
// output at the end and removed on any failure or cancel. Metadata is copied in order, with
// general.quantization_version and general.file_type set as llama-quantize sets them.
import Foundation
import GGUF
import Kernels
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

public struct QuantizeOptions: Sendable {
    public var fileType: QuantFileType
    public var threads: Int
    public var allowRequantize: Bool
    public var overrides: [TensorTypeOverride]
    /// Every quantizable tensor gets the default type (llama-quantize --pure).
    public var pure: Bool

    public init(fileType: QuantFileType, threads: Int = 2, allowRequantize: Bool = false,
                overrides: [TensorTypeOverride] = [], pure: Bool = false) {
        self.fileType = fileType
        self.threads = threads
        self.allowRequantize = allowRequantize
        self.overrides = overrides
        self.pure = pure
    }
}

/// Progress of one run: reported when a tensor starts, after each chunk and when it ends.
public struct QuantizeProgress: Sendable {
    public var index: Int
    public var count: Int
    public var tensor: PlannedTensor
    /// Relative RMS error of the finished tensor (nil while running and for copied tensors).
    public var relativeError: Double?
    public var tensorFinished: Bool
    /// Elements processed so far over all tensors, and in total.
    public var elementsDone: Int
    public var elementsTotal: Int
    public var elapsedSeconds: Double

    public var fraction: Double { elementsTotal > 0 ? Double(elementsDone) / Double(elementsTotal) : 1 }
    /// Remaining time at the rate so far (nil before any progress).
    public var etaSeconds: Double? {
        guard elementsDone > 0, elapsedSeconds > 0 else { return nil }
        return elapsedSeconds * Double(elementsTotal - elementsDone) / Double(elementsDone)
    }
}

public struct QuantizeResult: Sendable, Codable {
    public var output: String
    public var fileType: String
    public var tensors: Int
    public var inputBytes: Int
    public var outputBytes: Int
    public var seconds: Double
    public var fallbacks: Int
    /// Output tensor count per type name.
    public var typeCounts: [String: Int]

    enum CodingKeys: String, CodingKey {
        case output, fileType = "file_type", tensors, inputBytes = "input_bytes", outputBytes = "output_bytes"
        case seconds, fallbacks, typeCounts = "type_counts"
    }
}

/// Set from any thread to stop a running quantization at the next chunk.
public final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    public init() {}
    public func cancel() { flag.store(true, ordering: .relaxed) }
    public var isCancelled: Bool { flag.load(ordering: .relaxed) }
}

public enum QuantizeModel {
    /// Elements converted per chunk (16 MiB of f32).
    static let chunkElements = 4 << 20

    /// The plan for quantizing `file` with `options`, validated (requantizing, readable types).
    public static func plan(_ file: GGUFFile, options: QuantizeOptions) throws -> [PlannedTensor] {
        let plan = try QuantizationMix.plan(tensors: file.tensors, model: MixModelInfo(file: file),
                                            fileType: options.fileType, overrides: options.overrides,
                                            pure: options.pure)
        for entry in plan where entry.needsConversion {
            guard QuantizerTypes.canRead(entry.info.type) else {
                throw QuantizerError.unsupportedType(tensor: entry.name, type: entry.info.type.name)
            }
            guard QuantizerTypes.canQuantize(to: entry.targetType) else {
                throw QuantizerError.unsupportedType(tensor: entry.name, type: entry.targetType.name)
            }
            if entry.info.type.isQuantized && !options.allowRequantize {
                throw QuantizerError.requantizeDisabled(tensor: entry.name, type: entry.info.type.name)
            }
        }
        return plan
    }

    /// Estimated output size in bytes (header excluded, alignment padding included).
    public static func estimatedSize(_ plan: [PlannedTensor], alignment: Int = 32) -> Int {
        plan.reduce(0) { $0 + alignUp($1.targetByteCount, to: alignment) }
    }

    /// Whether any tensor that will be converted is already quantized (requantizing loses quality).
    public static func requantizes(_ plan: [PlannedTensor]) -> Bool {
        plan.contains { $0.needsConversion && $0.info.type.isQuantized }
    }

    /// The output file's metadata: the input's, in order, with llama-quantize's changes.
    static func metadata(of file: GGUFFile, fileType: QuantFileType) -> GGUFWriter {
        var writer = GGUFWriter()
        writer.version = 3
        writer.alignment = file.alignment
        writer.metadata = file.metadata.filter { !["split.no", "split.count", "split.tensors.count"].contains($0.key) }
        writer.set("general.quantization_version", .uint32(2))
        writer.set("general.file_type", .uint32(fileType.id))
        return writer
    }

    @discardableResult
    public static func run(input: String, output: String, options: QuantizeOptions,
                           cancel: CancellationFlag = CancellationFlag(),
                           progress: (QuantizeProgress) -> Void = { _ in }) throws -> QuantizeResult {
        let started = Date()
        let inputURL = URL(fileURLWithPath: input).standardizedFileURL
        guard inputURL.path != URL(fileURLWithPath: output).standardizedFileURL.path else {
            throw QuantizerError.invalidArgument("output '\(output)' is the input file")
        }
        let file = try GGUFFile(path: input)
        let plan = try plan(file, options: options)
        var header = metadata(of: file, fileType: options.fileType)
        for entry in plan {
            header.addTensor(name: entry.name, dims: entry.info.dims, type: entry.targetType) { UnsafeRawBufferPointer(start: nil, count: 0) }
        }
        var writer = try GGUFStreamWriter(path: output, header: header)
        do {
            let pool = ThreadPool.shared(threads: max(1, options.threads))
            let total = plan.reduce(0) { $0 + $1.info.elementCount }
            var done = 0
            var scratch = ChunkBuffers()
            defer { scratch.release() }
            for (index, entry) in plan.enumerated() {
                if cancel.isCancelled { throw QuantizerError.cancelled }
                func report(_ error: Double?, finished: Bool) {
                    progress(QuantizeProgress(index: index, count: plan.count, tensor: entry, relativeError: error,
                                              tensorFinished: finished, elementsDone: done, elementsTotal: total,
                                              elapsedSeconds: Date().timeIntervalSince(started)))
                }
                report(nil, finished: false)
                let source = file.data(for: entry.info)
                var error: Double? = nil
                if !entry.needsConversion {
                    try writer.append(source)
                    done += entry.info.elementCount
                } else {
                    let converter = RowConverter(sourceType: entry.info.type, targetType: entry.targetType,
                                                 rowLength: entry.info.rowLength, pool: pool)
                    let rows = entry.info.rowCount
                    let chunkRows = max(1, chunkElements / max(entry.info.rowLength, 1))
                    scratch.reserve(floats: min(rows, chunkRows) * entry.info.rowLength,
                                    bytes: min(rows, chunkRows) * converter.targetRowBytes)
                    var sums = RowConverter.ErrorSums()
                    var row = 0
                    while row < rows {
                        if cancel.isCancelled { throw QuantizerError.cancelled }
                        let count = min(chunkRows, rows - row)
                        sums.add(converter.convert(source.baseAddress! + row * converter.sourceRowBytes,
                                                   into: scratch.bytes, rowCount: count, firstRow: row,
                                                   floats: scratch.floats))
                        try writer.append(UnsafeRawBufferPointer(start: scratch.bytes, count: count * converter.targetRowBytes))
                        dropPages(UnsafeRawBufferPointer(start: source.baseAddress! + row * converter.sourceRowBytes,
                                                         count: count * converter.sourceRowBytes))
                        row += count
                        done += count * entry.info.rowLength
                        if row < rows { report(nil, finished: false) }
                    }
                    error = sums.relativeRMSE
                }
                try writer.endTensor()
                dropPages(source)
                report(error, finished: true)
            }
            try writer.finish()
        } catch {
            writer.abort()
            throw error
        }
        var counts: [String: Int] = [:]
        for entry in plan { counts[entry.targetType.name, default: 0] += 1 }
        let outputBytes = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
        return QuantizeResult(output: output, fileType: options.fileType.rawValue, tensors: plan.count,
                              inputBytes: file.fileSize, outputBytes: outputBytes,
                              seconds: Date().timeIntervalSince(started), fallbacks: plan.filter(\.fellBack).count,
                              typeCounts: counts)
    }

    /// Lets the kernel drop the input pages of a finished tensor (they are file-backed and re-readable), so
    /// the resident set does not grow with the model.
    static func dropPages(_ region: UnsafeRawBufferPointer) {
        guard let base = region.baseAddress, region.count > 0 else { return }
        let page = UInt(sysconf(Int32(_SC_PAGESIZE)))
        let start = (UInt(bitPattern: base) + page - 1) & ~(page - 1)
        let end = (UInt(bitPattern: base) + UInt(region.count)) & ~(page - 1)
        if end > start { madvise(UnsafeMutableRawPointer(bitPattern: start), Int(end - start), MADV_DONTNEED) }
    }
}

/// The chunk buffers, grown as needed and reused across tensors.
private struct ChunkBuffers {
    private(set) var floats = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    private(set) var bytes = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 64)
    private var floatCapacity = 1
    private var byteCapacity = 1

    mutating func reserve(floats count: Int, bytes byteCount: Int) {
        if count > floatCapacity {
            floats.deallocate()
            floats = .allocate(capacity: count)
            floatCapacity = count
        }
        if byteCount > byteCapacity {
            bytes.deallocate()
            bytes = .allocate(byteCount: byteCount, alignment: 64)
            byteCapacity = byteCount
        }
    }

    func release() {
        floats.deallocate()
        bytes.deallocate()
    }
}
