// Commands the TUI sends to the chat service, and the service's answers about conversations on disk.
import Foundation

/// What to generate: the full context travels with the request, so the service holds no UI state.
public struct GenerationRequest: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// Reply to the last user turn.
        case reply
        /// Generate again after dropping the last reply.
        case regenerate
        /// Extend the last assistant turn (the generator continues its text).
        case continuation
    }

    public var id: UUID
    public var conversation: UUID
    public var kind: Kind
    public var turns: [ChatTurn]
    public var parameters: ChatParameters

    public init(id: UUID = UUID(), conversation: UUID, kind: Kind, turns: [ChatTurn],
                parameters: ChatParameters) {
        self.id = id
        self.conversation = conversation
        self.kind = kind
        self.turns = turns
        self.parameters = parameters
    }
}

/// Where replies come from: the local engine, or an OpenAI-compatible server (lathe serve, llama.cpp's server,
/// vLLM, TGI, Ollama). `model` nil asks the server for its first model.
public enum ChatBackend: Sendable, Equatable {
    case local
    case remote(url: String, model: String?)
}

public enum ChatCommand: Sendable, Equatable {
    /// Start a generation (send, regenerate, continue, edit-and-resend all become this).
    case send(GenerationRequest)
    /// Stop the running generation, if any.
    case stop
    /// Persist a conversation (after a reply, a rename, a parameter change).
    case save(Conversation)
    /// Delete a conversation from disk.
    case delete(conversation: UUID)
    /// Ask for every saved conversation; answered with `ChatEvent.conversations`.
    case loadAll
    /// Send later replies to another backend; answered with `backendChanged` once it answers, else `backendFailed`.
    case useBackend(ChatBackend)
}

public enum ChatEvent: Sendable, Equatable {
    case conversations([Conversation])
    case saveFailed(String)
    /// Replies now come from here: nil for the local engine, else "URL (model)".
    case backendChanged(remote: String?)
    /// The backend asked for could not be used (bad URL, unreachable, refused); the previous one stays.
    case backendFailed(String)
}
