// Chat pane state: conversations, the open one, the input editor and its history, the running generation,
// and the panels (conversation list, parameters, rename / system prompt field).
import Bus
import Foundation
import Screen

public enum ChatFocus: Sendable, Equatable {
    case input, list, parameters, rename, systemPrompt
}

/// The generation in flight: its request id and where its tokens go.
public struct ActiveGeneration: Sendable, Equatable {
    public var request: UUID
    public var conversation: UUID
    public var tokens = 0
    public var tokensPerSecond = 0.0
}

/// A generation stopped by the user whose "finished" event (with its figures) has not come yet.
public struct StoppedGeneration: Sendable, Equatable {
    public var request: UUID
    public var conversation: UUID
    /// Where its partial reply is in the conversation, and its text (to tell whether the reply is still there);
    /// nil when nothing had streamed (the empty reply was dropped).
    public var reply: (index: Int, text: String)?

    public static func == (a: Self, b: Self) -> Bool {
        a.request == b.request && a.conversation == b.conversation && a.reply?.index == b.reply?.index
            && a.reply?.text == b.reply?.text
    }
}

public struct ChatState: Sendable, Equatable {
    public var conversations: [Conversation]
    /// Index of the open conversation.
    public var current = 0
    public var list = ListState()
    public var focus: ChatFocus = .input
    public var input = TextInputState()
    /// Editor for the rename and system-prompt fields.
    public var field = TextInputState()
    /// Sent messages, oldest first, and where Up/Down browsing is (nil: editing a fresh draft).
    public var history: [String] = []
    public var historyIndex: Int?
    public var draft = ""
    public var generation: ActiveGeneration?
    public var stopped: StoppedGeneration?
    /// Display lines scrolled up from the bottom of the transcript.
    public var scroll = 0
    public var showThinking = false
    public var showParameters = false
    public var parameterRow = 0
    public var confirmDelete = false
    public var contextUsed = 0
    public var contextSize = 0
    public var lastTokensPerSecond = 0.0
    public var lastError: String?

    public init(conversations: [Conversation]) {
        self.conversations = conversations
    }

    public var conversation: Conversation {
        get { conversations[min(current, conversations.count - 1)] }
        set { conversations[min(current, conversations.count - 1)] = newValue }
    }

    public var isGenerating: Bool { generation != nil }

    func index(of id: UUID) -> Int? { conversations.firstIndex { $0.id == id } }
}
