// Chat replies from a remote OpenAI-compatible endpoint instead of the local engine: the same
// GeneratedChunk stream as EngineReplyGenerator, so the Chat pane streams remote replies the same way.
import Bus
import Foundation

public struct RemoteReplyGenerator: ReplyGenerator {
    public let client: OpenAIClient

    public init(endpoint: RemoteEndpoint) { client = OpenAIClient(endpoint: endpoint) }

    public func generate(prompt turns: [ChatTurn], parameters: ChatParameters)
        -> AsyncThrowingStream<GeneratedChunk, Error> {
        let client = self.client
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let model = try await client.resolvedModel()
                    let messages = turns.map { RemoteMessage(role: $0.role.rawValue, content: $0.text) }
                    let sampling = RemoteSampling(temperature: parameters.temperature, topP: parameters.topP,
                                                  maxTokens: parameters.maxTokens, seed: parameters.seed)
                    let started = Date()
                    var firstToken: Double?
                    var generated = 0
                    for try await chunk in client.streamChat(model: model, messages: messages, sampling: sampling) {
                        switch chunk {
                        case .text(let text):
                            generated += 1
                            let elapsed = Date().timeIntervalSince(started)
                            firstToken = firstToken ?? elapsed
                            continuation.yield(.token(text: text, stats: TokenStats(
                                generatedTokens: generated, tokensPerSecond: elapsed > 0 ? Double(generated) / elapsed : 0,
                                contextUsed: 0, contextSize: parameters.contextLength)))
                        case let .finished(reason, promptTokens, completionTokens):
                            let elapsed = Date().timeIntervalSince(started) - (firstToken ?? 0)
                            let tokens = completionTokens ?? generated
                            continuation.yield(.finished(CompletionInfo(
                                promptTokens: promptTokens ?? 0, generatedTokens: tokens, promptTokensPerSecond: 0,
                                tokensPerSecond: elapsed > 0 && tokens > 1 ? Double(tokens - 1) / elapsed : 0,
                                timeToFirstToken: firstToken ?? 0,
                                stopReason: reason == "length" ? .maxTokens : .endOfSequence)))
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

extension RemoteReplyGenerator {
    /// The chat service's connector for endpoints chosen at run time (the Models pane): the server must answer
    /// GET /v1/models; without a model name its first model is used. `apiKey` is sent to every endpoint.
    public static func connector(apiKey: String?) -> RemoteConnector {
        return { url, model in
            guard var endpoint = RemoteEndpoint(url: url, apiKey: apiKey, model: model) else { throw RemoteError.badURL(url) }
            let listed = try await OpenAIClient(endpoint: endpoint).models()
            guard let chosen = model ?? listed.first else { throw RemoteError.noModels }
            endpoint.model = chosen
            return (RemoteReplyGenerator(endpoint: endpoint), "\(url) (\(chosen))")
        }
    }
}
