// The values that go in and out of the batch scheduler: requests, per-sequence events, errors and a
// snapshot of the scheduler's state for metrics.
import Foundation

public struct BatchRequest: Sendable {
    public var prompt: [Int32]
    public var parameters: GenerationParameters

    public init(prompt: [Int32], parameters: GenerationParameters) {
        self.prompt = prompt
        self.parameters = parameters
    }
}

public enum BatchEvent: Sendable {
    /// The sequence got a slot; `cachedTokens` of its prompt were already in that slot's cache.
    case admitted(cachedTokens: Int)
    /// A sampled token and the text it completed (possibly empty; token -1 carries a held-back tail).
    case text(String, token: Int32)
    /// The last event of a sequence. `queueSeconds` is the time spent waiting for a slot.
    case finished(GenerationStats, queueSeconds: Double)
}

public enum BatchError: Error, LocalizedError, Equatable, Sendable {
    case queueFull(limit: Int)
    case emptyPrompt
    case promptTooLong(tokens: Int, limit: Int)
    case shutDown

    public var errorDescription: String? {
        switch self {
        case let .queueFull(limit): return "too many waiting requests (limit \(limit)); retry later"
        case .emptyPrompt: return "the prompt is empty"
        case let .promptTooLong(tokens, limit):
            return "prompt of \(tokens) tokens does not fit the context of \(limit) tokens"
        case .shutDown: return "the scheduler is shut down"
        }
    }
}

/// The scheduler's state, published after every step.
public struct SchedulerSnapshot: Sendable, Equatable {
    public var slots = 0
    public var contextLength = 0
    public var activeSequences = 0
    public var waitingRequests = 0
    /// Positions held in the caches of active sequences, and the pool's total.
    public var kvTokensUsed = 0
    public var kvTokensCapacity = 0
    public var kvBytes = 0
    public var steps = 0
    public var promptTokensProcessed = 0
    public var promptTokensCached = 0
    public var generatedTokens = 0
    public var finishedSequences = 0
    public var cancelledSequences = 0
    /// Rows in the last step's batch.
    public var lastBatchRows = 0

    public init() {}
}
