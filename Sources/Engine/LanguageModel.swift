// A model ready to use: the mapped GGUF, its transformer weights, tokenizer and chat template.
// Load once, then create sessions (each with its own KV cache) to generate from it.
import Foundation
import GGUF
import Tokenizers

public final class LanguageModel: @unchecked Sendable {  // immutable after init
    public let path: String
    public let file: GGUFFile
    public let transformer: Transformer
    public let tokenizer: any Tokenizer
    public let chatTemplate: ChatTemplate
    /// "model" when the GGUF carries a template, else the name of the built-in fallback used.
    public let chatTemplateSource: String
    public let loadSeconds: Double

    ///     let model = try LanguageModel(path: "models/SmolLM2-135M-Instruct.Q4_1.gguf")
    ///     let generator = TextGenerator(model: model, contextLength: 2048)
    public init(path: String, threads: Int = ThreadCount.default) throws {
        let started = Date()
        self.path = path
        file = try GGUFFile(path: path)
        transformer = try Transformer(file: file, threads: threads)
        tokenizer = try TokenizerLoader.load(from: file)
        if let source = file.string("tokenizer.chat_template") {
            chatTemplate = try ChatTemplate(source: source)
            chatTemplateSource = "model"
        } else {
            let fallback = ChatTemplate.fallback(architecture: transformer.config.architecture)
            chatTemplate = fallback.template
            chatTemplateSource = fallback.name
        }
        loadSeconds = Date().timeIntervalSince(started)
    }

    public var config: ModelConfig { transformer.config }
    public var name: String { file.string("general.name") ?? (path as NSString).lastPathComponent }
    /// The context length used when none is asked for: the trained length, capped at 4096.
    public var defaultContextLength: Int { min(config.trainedContextLength, 4096) }

    /// Applies run-time LoRA adapters to every later forward pass (an empty list removes them). Call between
    /// generations, never during one.
    public func setAdapters(_ adapters: [ScaledLoRA]) throws {
        transformer.lora = adapters.isEmpty ? nil : try LoRAStack(adapters, config: config)
    }

    public func tokenString(_ id: Int32?) -> String { id.map { tokenizer.tokenText($0) } ?? "" }

    /// Renders `messages` with the model's chat template (or the fallback) into a prompt string.
    public func renderChat(_ messages: [ChatMessage], addGenerationPrompt: Bool = true) throws -> String {
        try chatTemplate.render(messages: messages, addGenerationPrompt: addGenerationPrompt,
                                bosToken: tokenString(tokenizer.bos), eosToken: tokenString(tokenizer.eos))
    }

    /// Tokenizes a rendered chat prompt: special tokens in it are parsed, and BOS is added only when the
    /// model wants it and the template did not already write it.
    public func tokenizeChatPrompt(_ prompt: String) -> [Int32] {
        var ids = tokenizer.encode(prompt, addSpecial: false, parseSpecial: true)
        if tokenizer.addsBOS, let bos = tokenizer.bos, ids.first != bos { ids.insert(bos, at: 0) }
        return ids
    }
}

public enum ThreadCount {
    /// Every core this process may use (2 on the project's machines).
    public static var `default`: Int { ProcessInfo.processInfo.activeProcessorCount }
}
