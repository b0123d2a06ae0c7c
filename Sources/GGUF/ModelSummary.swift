// The facts `lathe info` and the Models pane show about a model file, read from its metadata.

public struct ModelSummary: Equatable, Sendable, Codable {
    public var architecture: String
    public var name: String?
    public var parameters: Int
    public var fileSize: Int
    public var tensorCount: Int
    /// Tensor type name ("Q4_K", "F32") to how many tensors use it.
    public var tensorTypes: [String: Int]
    public var contextLength: Int?
    public var embeddingLength: Int?
    public var blockCount: Int?
    public var headCount: Int?
    public var headCountKV: Int?
    public var feedForwardLength: Int?
    public var vocabSize: Int?
    public var tokenizerModel: String?
    public var tokenizerPre: String?
    public var hasChatTemplate: Bool
    public var fileType: Int?

    enum CodingKeys: String, CodingKey {
        case architecture, name, parameters, fileSize = "file_size", tensorCount = "tensor_count"
        case tensorTypes = "tensor_types", contextLength = "context_length", embeddingLength = "embedding_length"
        case blockCount = "block_count", headCount = "head_count", headCountKV = "head_count_kv"
        case feedForwardLength = "feed_forward_length", vocabSize = "vocab_size"
        case tokenizerModel = "tokenizer_model", tokenizerPre = "tokenizer_pre"
        case hasChatTemplate = "has_chat_template", fileType = "file_type"
    }

    public init(file: GGUFFile) {
        let arch = file.architecture ?? "unknown"
        architecture = arch
        name = file.string("general.name")
        parameters = file.parameterCount
        fileSize = file.fileSize
        tensorCount = file.tensors.count
        tensorTypes = Dictionary(file.tensors.map { ($0.type.name, 1) }, uniquingKeysWith: +)
        contextLength = file.archInt("context_length")
        embeddingLength = file.archInt("embedding_length")
        blockCount = file.archInt("block_count")
        headCount = file.archInt("attention.head_count")
        headCountKV = file.archInt("attention.head_count_kv")
        feedForwardLength = file.archInt("feed_forward_length")
        vocabSize = file.archInt("vocab_size") ?? file.array("tokenizer.ggml.tokens")?.count
        tokenizerModel = file.string("tokenizer.ggml.model")
        tokenizerPre = file.string("tokenizer.ggml.pre")
        hasChatTemplate = file.string("tokenizer.chat_template") != nil
        fileType = file.int("general.file_type")
    }
}
