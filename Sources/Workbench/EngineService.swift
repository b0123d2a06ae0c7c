// The engine service: owns the loaded model, answers ModelCommands (scan, load, unload) from the bus, and
// generates chat replies for ChatService on its own serial queue, so heavy work never blocks the Swift
// concurrency pool that the UI and the bus run on.
import Bus
import Engine
import Foundation
import GGUF
import Synchronization
import Tokenizers

/// The loaded model and its generator; every engine call runs on `queue`.
public final class EngineHost: @unchecked Sendable {  // mutable state is touched only on `queue`
    let queue = DispatchQueue(label: "lathe.engine", qos: .userInitiated)
    private(set) var model: LanguageModel?
    private var generator: TextGenerator?
    let threads: Int

    public init(threads: Int = ThreadCount.default) { self.threads = threads }

    /// Loads `path` (replacing any loaded model) on the engine queue.
    public func load(path: String, contextLength: Int?) async throws -> LanguageModel {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                do {
                    self.generator = nil
                    self.model = nil
                    let model = try LanguageModel(path: path, threads: self.threads)
                    self.model = model
                    self.generator = TextGenerator(model: model, contextLength: contextLength)
                    continuation.resume(returning: model)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    public func unload() async {
        await withCheckedContinuation { continuation in
            queue.async {
                self.generator = nil
                self.model = nil
                continuation.resume()
            }
        }
    }

    /// Runs `body` with the generator on the engine queue (nil when no model is loaded).
    func withGenerator(contextLength: Int, _ body: @escaping @Sendable (TextGenerator?) -> Void) {
        queue.async {
            // A new context length needs a new KV cache (the conversation is re-read once).
            if let model = self.model, let current = self.generator,
               current.session.contextLength != min(contextLength, model.config.trainedContextLength) {
                self.generator = TextGenerator(model: model, contextLength: min(contextLength, model.config.trainedContextLength))
            }
            body(self.generator)
        }
    }
}

public enum EngineServiceError: Error, LocalizedError {
    case noModelLoaded
    public var errorDescription: String? { "no model is loaded: pick one in the Models pane (F3)" }
}

/// Replies to chat turns with the loaded model (ChatService's generator).
public struct EngineReplyGenerator: ReplyGenerator {
    let host: EngineHost

    public init(host: EngineHost) { self.host = host }

    public func generate(prompt turns: [ChatTurn], parameters: ChatParameters)
        -> AsyncThrowingStream<GeneratedChunk, Error> {
        AsyncThrowingStream { continuation in
            let cancelled = CancelFlag()
            continuation.onTermination = { _ in cancelled.set() }
            host.withGenerator(contextLength: parameters.contextLength) { generator in
                guard let generator else { return continuation.finish(throwing: EngineServiceError.noModelLoaded) }
                do {
                    let info = try Self.run(generator, turns: turns, parameters: parameters, cancelled: cancelled) {
                        continuation.yield($0)
                    }
                    continuation.yield(.finished(info))
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
        }
    }

    static func run(_ generator: TextGenerator, turns: [ChatTurn], parameters: ChatParameters, cancelled: CancelFlag,
                    emit: (GeneratedChunk) -> Void) throws -> CompletionInfo {
        let model = generator.model
        // A trailing assistant turn is continued: render up to it with a generation prompt, then append it.
        let continuing = turns.last?.role == .assistant ? turns.last?.text : nil
        let context = continuing == nil ? turns : Array(turns.dropLast())
        let messages = context.map { ChatMessage(role: $0.role.rawValue, content: $0.text) }
        let rendered = try model.renderChat(messages, addGenerationPrompt: true) + (continuing ?? "")
        let prompt = model.tokenizeChatPrompt(rendered)
        var generated = 0
        let started = Date()
        let stats = try generator.generate(prompt: prompt, parameters: parameters.generationParameters,
                                           isCancelled: { cancelled.isSet }) { text, _ in
            generated += 1
            let elapsed = Date().timeIntervalSince(started)
            let live = TokenStats(generatedTokens: generated, tokensPerSecond: elapsed > 0 ? Double(generated) / elapsed : 0,
                                  contextUsed: generator.session.tokens.count + 1,
                                  contextSize: generator.session.contextLength)
            emit(.token(text: text, stats: live))
            return !cancelled.isSet
        }
        return CompletionInfo(promptTokens: stats.promptTokens, generatedTokens: stats.generatedTokens,
                              promptTokensPerSecond: stats.promptTokensPerSecond,
                              tokensPerSecond: stats.generationTokensPerSecond,
                              timeToFirstToken: stats.timeToFirstToken, stopReason: stats.stopReason.chatStopReason)
    }
}

final class CancelFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .relaxed) }
    func set() { flag.store(true, ordering: .relaxed) }
}

extension ChatParameters {
    var generationParameters: GenerationParameters {
        var p = GenerationParameters()
        p.maxTokens = maxTokens
        p.sampling.temperature = Float(temperature)
        p.sampling.topK = topK
        p.sampling.topP = Float(topP)
        p.sampling.minP = Float(minP)
        p.sampling.repeatPenalty = Float(repeatPenalty)
        p.sampling.seed = seed ?? UInt64.random(in: 0...UInt64.max)
        return p
    }
}

extension Engine.StopReason {
    var chatStopReason: CompletionInfo.StopReason {
        switch self {
        case .endOfGeneration, .stopString: return .endOfSequence
        case .maxTokens: return .maxTokens
        case .contextFull: return .contextFull
        case .cancelled: return .cancelled
        }
    }
}

extension ModelFacts {
    /// The facts of a GGUF file (`lathe info`), or nil when it cannot be parsed.
    public init(path: String, summary s: ModelSummary) {
        let weights = s.tensorTypes.filter { $0.key != "F32" }.max { $0.value < $1.value }?.key ?? "F32"
        self.init(name: (path as NSString).lastPathComponent, path: path, architecture: s.architecture,
                  parameters: s.parameters, fileSize: s.fileSize, quantization: weights,
                  contextLength: s.contextLength ?? 0, vocabularySize: s.vocabSize ?? 0,
                  layerCount: s.blockCount ?? 0, embeddingLength: s.embeddingLength ?? 0,
                  headCount: s.headCount ?? 0, hasChatTemplate: s.hasChatTemplate)
    }
}
