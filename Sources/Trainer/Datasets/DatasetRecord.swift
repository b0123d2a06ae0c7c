// Fine-tuning data as read from disk, before tokenization: a conversation (chat JSONL, ShareGPT, alpaca
// turned into a user/assistant exchange) or a raw text document, with where it came from (file:line).
import Tokenizers

public enum DatasetFormat: String, Sendable, CaseIterable, Codable {
    /// `{"instruction", "input"?, "output", "system"?}`
    case alpaca
    /// `{"messages": [{"role", "content"}, ...]}`
    case chat
    /// `{"conversations": [{"from": "human"|"gpt"|"system", "value"}, ...]}`
    case sharegpt
    /// A plain text file (or JSONL rows `{"text": ...}`): every token is trained.
    case text
}

public struct DatasetRecord: Sendable, Equatable {
    public enum Content: Sendable, Equatable {
        case conversation([ChatMessage])
        case text(String)
    }

    public var content: Content
    /// "file:line" of the row (for error messages).
    public var location: String

    public init(_ content: Content, location: String) {
        self.content = content
        self.location = location
    }
}
