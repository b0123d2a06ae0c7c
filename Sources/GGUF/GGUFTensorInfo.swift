// One entry of a GGUF tensor table. Dimensions are ggml order: fastest-varying first
// (a weight of shape [rows=out, cols=in] in PyTorch is stored with dims [in, out]).

public struct GGUFTensorInfo: Equatable, Sendable {
    public let name: String
    /// ggml order: `dims[0]` is the row length (contiguous), `dims[1]` the number of rows, ...
    public let dims: [Int]
    public let type: GGMLType
    /// Offset of the tensor's data from the start of the data section.
    public let offset: UInt64

    public init(name: String, dims: [Int], type: GGMLType, offset: UInt64) {
        self.name = name
        self.dims = dims
        self.type = type
        self.offset = offset
    }

    public var elementCount: Int { dims.reduce(1, *) }
    public var byteCount: Int { type.byteCount(elements: elementCount) ?? 0 }
    /// Elements per row (`dims[0]`) and number of rows (product of the other dims).
    public var rowLength: Int { dims.first ?? 1 }
    public var rowCount: Int { dims.dropFirst().reduce(1, *) }
    public var rowByteCount: Int { type.byteCount(elements: rowLength) ?? 0 }
}
