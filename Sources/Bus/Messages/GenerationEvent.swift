// Events of one generation, tagged with the request id so a stopped run's late tokens can be told apart.
import Foundation

/// Live figures sent with every token.
public struct TokenStats: Sendable, Equatable {
    public var generatedTokens: Int
    public var tokensPerSecond: Double
    public var contextUsed: Int
    public var contextSize: Int
    public init(generatedTokens: Int, tokensPerSecond: Double, contextUsed: Int, contextSize: Int) {
        self.generatedTokens = generatedTokens
        self.tokensPerSecond = tokensPerSecond
        self.contextUsed = contextUsed
        self.contextSize = contextSize
    }
}

public enum GenerationEvent: Sendable, Equatable {
    case started(request: UUID)
    case token(request: UUID, text: String, stats: TokenStats)
    case finished(request: UUID, CompletionInfo)
    case failed(request: UUID, String)

    public var request: UUID {
        switch self {
        case .started(let id), .token(let id, _, _), .finished(let id, _), .failed(let id, _): id
        }
    }
}
