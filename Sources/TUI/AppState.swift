// The whole UI state as one value: which pane, overlays, and each pane's state. `reduce` changes it;
// views only read it. Ids come from a counter (plus a per-run prefix) so tests are deterministic.
import Bus
import Foundation
import Screen

public enum Overlay: Sendable, Equatable {
    case help(scroll: Int)
    case palette(PaletteState)
}

public struct PaletteState: Sendable, Equatable {
    public var filter = TextInputState()
    public var selected = 0
    public init() {}
}

public struct AppState: Sendable, Equatable {
    public var size: Size
    public var pane: Pane = .chat
    public var overlay: Overlay?
    public var chat: ChatState
    public var models = ModelsState()
    public var quantize = QuantizeState()
    public var metrics = MetricsState()
    public var train = TrainState()
    public var background = BackgroundState()
    /// The theme in use and those that can be cycled through (F9).
    public var themeName: String
    public var themeNames: [String]
    public var now: Date
    /// Random per run (0 in tests) so new ids never collide with saved ones.
    public var idPrefix: UInt64
    public var idCounter: UInt64 = 0
    public var quitRequested = false
    /// A one-off word for the status bar (e.g. why Ctrl-Z did nothing); the next key clears it.
    public var notice: String?

    /// A fresh state with one empty conversation.
    public init(size: Size, themeName: String = "dark", themeNames: [String] = ["dark", "light", "high-contrast"],
                idPrefix: UInt64 = 0, now: Date = Date(timeIntervalSince1970: 0),
                conversations: [Conversation] = []) {
        self.size = size
        self.themeName = themeName
        self.themeNames = themeNames
        self.idPrefix = idPrefix
        self.now = now
        self.chat = ChatState(conversations: conversations)
        if self.chat.conversations.isEmpty {
            let id = makeID()
            self.chat.conversations = [Conversation(id: id, updated: now)]
        }
    }

    /// A new id: the run prefix in the first 8 bytes, a counter in the last 8.
    public mutating func makeID() -> UUID {
        idCounter += 1
        let p = idPrefix.bigEndian, c = idCounter.bigEndian
        var bytes = [UInt8](repeating: 0, count: 16)
        withUnsafeBytes(of: p) { for i in 0..<8 { bytes[i] = $0[i] } }
        withUnsafeBytes(of: c) { for i in 0..<8 { bytes[8 + i] = $0[i] } }
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    /// The keymap scope that gets keys now.
    public var scope: Scope {
        if overlay != nil { return .overlay }
        switch pane {
        case .chat:
            switch chat.focus {
            case .input: return .chatInput
            case .list: return .chatList
            case .parameters: return .parameters
            case .rename, .systemPrompt: return .field
            }
        case .models:
            switch models.focus {
            case .local: return models.endpointField != nil ? .modelsEndpoint : .models
            case .search: return .modelsSearch
            case .results: return .hubResults
            case .files: return .hubFiles
            case .downloads: return .downloads
            }
        case .train: return train.editing != nil ? .trainField : train.focus == .form ? .trainForm : .trainRuns
        case .quantize: return .quantize
        case .metrics: return .metrics
        }
    }

    /// True when printable keys go into a text field (so `?` types instead of opening help).
    public var isEditingText: Bool {
        if case .palette = overlay { return true }
        if overlay == nil && pane == .train { return train.editing != nil }
        if overlay == nil, pane == .models { return models.focus == .search || models.endpointField != nil }
        return overlay == nil && pane == .chat && [.input, .rename, .systemPrompt].contains(chat.focus)
    }
}

public struct ModelsState: Sendable, Equatable {
    public var available: [ModelFacts] = []
    public var list = ListState()
    public var loaded: ModelFacts?
    /// Path and fraction of a load in progress.
    public var loading: (path: String, fraction: Double)?
    public var lastError: String?
    /// The OpenAI-compatible endpoint chats go to instead of the local engine ("URL (model)"; `lathe tui --remote
    /// URL`, or `e` in this pane).
    public var remote: String?
    /// The remote-endpoint field while `e` edits it ("URL [MODEL]"; empty returns to the local engine).
    public var endpointField: TextInputState?
    /// The endpoint being checked after the field was committed.
    public var connecting: String?
    /// The section with focus: local models, or the Hub browser's search, results, files, or the downloads.
    public var focus: ModelsFocus = .local
    public var hub = HubBrowser()
    /// Every download the service reported, in the order they were queued.
    public var downloads: [DownloadStatus] = []
    public var downloadList = ListState()
    public init() {}

    public static func == (a: ModelsState, b: ModelsState) -> Bool {
        a.available == b.available && a.list == b.list && a.loaded == b.loaded && a.lastError == b.lastError
            && a.remote == b.remote && a.endpointField == b.endpointField && a.connecting == b.connecting
            && a.loading?.path == b.loading?.path && a.loading?.fraction == b.loading?.fraction
            && a.focus == b.focus && a.hub == b.hub && a.downloads == b.downloads && a.downloadList == b.downloadList
    }
}

public struct MetricsState: Sendable, Equatable {
    public static let historyLength = 240
    public var samples: [MetricsSample] = []
    public var generations: [CompletionInfo] = []
    public var server = ServerPaneState()
    public init() {}
}

/// Latest events of the training service (its pane fills in later).
public struct BackgroundState: Sendable, Equatable {
    public var trainLosses: [Double] = []
    public var lastTrain: TrainEvent?
    public init() {}
}
