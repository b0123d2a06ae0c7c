// Model loading: commands to the engine service and its events (facts of local models, progress, loaded).

/// The `lathe info` facts of a GGUF file, as the Models pane shows them.
public struct ModelFacts: Sendable, Equatable, Codable {
    public var name: String
    public var path: String
    public var architecture: String
    public var parameters: Int
    public var fileSize: Int
    public var quantization: String
    public var contextLength: Int
    public var vocabularySize: Int
    public var layerCount: Int
    public var embeddingLength: Int
    public var headCount: Int
    public var hasChatTemplate: Bool

    public init(name: String, path: String, architecture: String, parameters: Int, fileSize: Int,
                quantization: String, contextLength: Int, vocabularySize: Int, layerCount: Int,
                embeddingLength: Int, headCount: Int, hasChatTemplate: Bool) {
        self.name = name
        self.path = path
        self.architecture = architecture
        self.parameters = parameters
        self.fileSize = fileSize
        self.quantization = quantization
        self.contextLength = contextLength
        self.vocabularySize = vocabularySize
        self.layerCount = layerCount
        self.embeddingLength = embeddingLength
        self.headCount = headCount
        self.hasChatTemplate = hasChatTemplate
    }
}

public enum ModelCommand: Sendable, Equatable {
    /// Scan the models directory; answered with `ModelEvent.available`.
    case scan
    case load(path: String)
    case unload
}

public enum ModelEvent: Sendable, Equatable {
    case available([ModelFacts])
    /// Loading progress in 0...1.
    case progress(path: String, fraction: Double)
    case loaded(ModelFacts)
    case unloaded
    case failed(path: String, message: String)
}
