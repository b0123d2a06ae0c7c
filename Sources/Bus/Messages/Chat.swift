// Chat values shared by the TUI (which edits conversations) and Workbench (which persists them and generates):
// roles, turns, sampling parameters with named presets, and a whole conversation. Plain Codable values.
import Foundation

public enum ChatRole: String, Sendable, Codable, Equatable {
    case system, user, assistant
}

/// One turn of context given to a generator.
public struct ChatTurn: Sendable, Codable, Equatable {
    public var role: ChatRole
    public var text: String
    public init(role: ChatRole, text: String) {
        self.role = role
        self.text = text
    }
}

/// Sampling and context settings for one generation.
public struct ChatParameters: Sendable, Codable, Equatable {
    public var temperature: Double = 0.7
    public var topK: Int = 40
    public var topP: Double = 0.95
    public var minP: Double = 0.05
    public var repeatPenalty: Double = 1.1
    public var maxTokens: Int = 512
    public var seed: UInt64? = nil
    public var contextLength: Int = 2048

    public init() {}

    public init(temperature: Double, topK: Int, topP: Double, minP: Double, repeatPenalty: Double,
                maxTokens: Int, seed: UInt64?, contextLength: Int) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.minP = minP
        self.repeatPenalty = repeatPenalty
        self.maxTokens = maxTokens
        self.seed = seed
        self.contextLength = contextLength
    }
}

/// Named parameter presets offered by the parameters panel.
public struct ParameterPreset: Sendable, Equatable {
    public let name: String
    public let parameters: ChatParameters

    public static let all: [ParameterPreset] = [
        ParameterPreset(name: "Balanced", parameters: ChatParameters()),
        ParameterPreset(name: "Precise", parameters: ChatParameters(
            temperature: 0, topK: 1, topP: 1, minP: 0, repeatPenalty: 1, maxTokens: 512, seed: 0, contextLength: 2048)),
        ParameterPreset(name: "Creative", parameters: ChatParameters(
            temperature: 1.0, topK: 100, topP: 0.98, minP: 0.02, repeatPenalty: 1.05, maxTokens: 1024, seed: nil,
            contextLength: 2048)),
        ParameterPreset(name: "Focused", parameters: ChatParameters(
            temperature: 0.3, topK: 20, topP: 0.9, minP: 0.1, repeatPenalty: 1.15, maxTokens: 384, seed: nil,
            contextLength: 2048)),
    ]
}

/// Measured figures of one finished reply.
public struct CompletionInfo: Sendable, Codable, Equatable {
    public var promptTokens: Int
    public var generatedTokens: Int
    public var promptTokensPerSecond: Double
    public var tokensPerSecond: Double
    public var timeToFirstToken: Double          // seconds
    public var stopReason: StopReason

    public enum StopReason: String, Sendable, Codable, Equatable {
        case endOfSequence, maxTokens, cancelled, contextFull
    }

    public init(promptTokens: Int, generatedTokens: Int, promptTokensPerSecond: Double, tokensPerSecond: Double,
                timeToFirstToken: Double, stopReason: StopReason) {
        self.promptTokens = promptTokens
        self.generatedTokens = generatedTokens
        self.promptTokensPerSecond = promptTokensPerSecond
        self.tokensPerSecond = tokensPerSecond
        self.timeToFirstToken = timeToFirstToken
        self.stopReason = stopReason
    }
}

/// A message as shown and stored: a turn plus, for replies, its figures.
public struct ConversationMessage: Sendable, Codable, Equatable {
    public var role: ChatRole
    public var text: String
    public var info: CompletionInfo?
    public init(role: ChatRole, text: String, info: CompletionInfo? = nil) {
        self.role = role
        self.text = text
        self.info = info
    }
}

/// A whole conversation: what the conversation list shows and what is saved to disk.
public struct Conversation: Sendable, Codable, Equatable, Identifiable {
    public var id: UUID
    public var title: String
    public var systemPrompt: String
    public var messages: [ConversationMessage]
    public var parameters: ChatParameters
    public var presetName: String
    public var updated: Date

    public init(id: UUID = UUID(), title: String = "New chat", systemPrompt: String = "You are a helpful assistant.",
                messages: [ConversationMessage] = [], parameters: ChatParameters = ChatParameters(),
                presetName: String = "Balanced", updated: Date = Date(timeIntervalSince1970: 0)) {
        self.id = id
        self.title = title
        self.systemPrompt = systemPrompt
        self.messages = messages
        self.parameters = parameters
        self.presetName = presetName
        self.updated = updated
    }

    /// The context a generator sees: the system prompt (when set) then every message.
    public var turns: [ChatTurn] {
        let system = systemPrompt.isEmpty ? [] : [ChatTurn(role: .system, text: systemPrompt)]
        return system + messages.map { ChatTurn(role: $0.role, text: $0.text) }
    }
}
