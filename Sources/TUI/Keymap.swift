// Keymaps as data: every binding with its action and help text, per scope. The reducer, the help overlay,
// the command palette and the status-bar hints all read these tables, so they cannot drift apart.
import Screen

public enum Scope: String, Sendable, CaseIterable {
    case global = "Everywhere"
    case chatInput = "Chat: message input"
    case chatList = "Chat: conversation list"
    case parameters = "Chat: parameters panel"
    case field = "Chat: rename / system prompt"
    case metrics = "Metrics"
    case models = "Models: local models"
    case modelsSearch = "Models: Hub search field"
    case modelsEndpoint = "Models: remote endpoint field"
    case hubResults = "Models: Hub search results"
    case hubFiles = "Models: repository files"
    case downloads = "Models: downloads"
    case trainForm = "Train: new-run form"
    case trainRuns = "Train: runs"
    case trainField = "Train: editing a field"
    case quantize = "Quantize"
    case overlay = "Help and palette"
}

public struct KeyBinding: Sendable, Equatable {
    public var keys: [Key]
    public var action: Action
    public var help: String
    /// A one-word label when the binding is shown in the status bar's key hints.
    public var hint: String?

    public init(_ keys: [Key], _ action: Action, _ help: String, hint: String? = nil) {
        self.keys = keys
        self.action = action
        self.help = help
        self.hint = hint
    }

    public var keyLabel: String { keys.map(\.label).joined(separator: "/") }
}

public enum Keymap {
    public static func bindings(_ scope: Scope) -> [KeyBinding] {
        switch scope {
        case .global: global
        case .chatInput: chatInput
        case .chatList: chatList
        case .parameters: parameters
        case .field: field
        case .models: models
        case .trainForm: trainForm
        case .trainRuns: trainRuns
        case .trainField: trainField
        case .metrics: metrics
        case .modelsSearch: modelsSearch
        case .modelsEndpoint: modelsEndpoint
        case .hubResults: hubResults
        case .hubFiles: hubFiles
        case .downloads: downloads
        case .quantize: quantize
        case .overlay: overlay
        }
    }

    /// The action bound to `key` in `scope`, if any.
    public static func action(for key: Key, in scope: Scope) -> Action? {
        bindings(scope).first { $0.keys.contains(key) }?.action
    }

    static let global: [KeyBinding] = [
        KeyBinding([.ctrl("c")], .interrupt, "Stop the generation; quit when idle"),
        KeyBinding([.function(1)], .help, "Show or hide this help (also ? outside text fields)", hint: "help"),
        KeyBinding([.ctrl("p")], .palette, "Command palette", hint: "commands"),
        KeyBinding([.ctrl("q")], .quit, "Quit Lathe", hint: "quit"),
        KeyBinding([.alt("1"), .function(2)], .showPane(.chat), "Chat pane"),
        KeyBinding([.alt("2"), .function(3)], .showPane(.models), "Models pane"),
        KeyBinding([.alt("3"), .function(4)], .showPane(.train), "Train pane"),
        KeyBinding([.alt("4"), .function(5)], .showPane(.quantize), "Quantize pane"),
        KeyBinding([.alt("5"), .function(6)], .showPane(.metrics), "Metrics pane"),
        KeyBinding([.function(9)], .cycleTheme, "Next colour theme"),
        KeyBinding([.ctrl("z")], .suspend, "Suspend to the shell (fg returns)"),
    ]

    /// The line-editing keys of every text field (message input, rename and system prompt, Hub search, remote
    /// endpoint, Train form fields); `TextInputState.apply(_:)` carries them out.
    public static let lineEditing: [KeyBinding] = [
        KeyBinding([.left], .cursorLeft, "Cursor left"),
        KeyBinding([.right], .cursorRight, "Cursor right"),
        KeyBinding([.home], .lineStart, "Start of line"),
        KeyBinding([.end], .lineEnd, "End of line"),
        KeyBinding([.backspace], .deleteBackward, "Delete before the cursor"),
        KeyBinding([.delete], .deleteForward, "Delete at the cursor"),
    ]

    static let chatInput: [KeyBinding] = [
        KeyBinding([.enter], .send, "Send the message", hint: "send"),
        KeyBinding([.altEnter, .ctrl("j")], .newline, "New line in the message"),
        KeyBinding([.escape], .stop, "Stop the generation", hint: "stop"),
        KeyBinding([.up], .historyPrevious, "Previous line, or recall earlier messages on the first line"),
        KeyBinding([.down], .historyNext, "Next line, or later messages"),
    ] + lineEditing + [
        KeyBinding([.ctrl("r")], .regenerate, "Regenerate the last reply"),
        KeyBinding([.ctrl("o")], .continueReply, "Continue the last reply"),
        KeyBinding([.ctrl("e")], .editLast, "Edit and resend the last message"),
        KeyBinding([.ctrl("n")], .newConversation, "New conversation"),
        KeyBinding([.ctrl("l"), .tab], .focusConversations, "Conversation list"),
        KeyBinding([.ctrl("g")], .toggleParameters, "Parameters panel"),
        KeyBinding([.ctrl("s")], .editSystemPrompt, "Edit the system prompt"),
        KeyBinding([.ctrl("t")], .toggleThinking, "Show or fold <think> sections"),
        KeyBinding([.pageUp], .scrollUp, "Scroll the conversation up"),
        KeyBinding([.pageDown], .scrollDown, "Scroll the conversation down"),
    ]

    static let chatList: [KeyBinding] = [
        KeyBinding([.up, .char("k")], .listUp, "Previous conversation"),
        KeyBinding([.down, .char("j")], .listDown, "Next conversation"),
        KeyBinding([.enter], .openConversation, "Open it", hint: "open"),
        KeyBinding([.char("n")], .newConversation, "New conversation", hint: "new"),
        KeyBinding([.char("r")], .renameConversation, "Rename", hint: "rename"),
        KeyBinding([.char("d"), .delete], .deleteConversation, "Delete (press twice to confirm)", hint: "delete"),
        KeyBinding([.escape, .tab], .focusInput, "Back to the message input"),
    ]

    static let parameters: [KeyBinding] = [
        KeyBinding([.up], .listUp, "Previous parameter"),
        KeyBinding([.down], .listDown, "Next parameter"),
        KeyBinding([.right, .char("+")], .increase, "Increase", hint: "more"),
        KeyBinding([.left, .char("-")], .decrease, "Decrease", hint: "less"),
        KeyBinding([.char("p")], .nextPreset, "Next preset", hint: "preset"),
        KeyBinding([.escape, .tab, .ctrl("g")], .focusInput, "Back to the message input"),
    ]

    static let field: [KeyBinding] = [
        KeyBinding([.enter], .commitField, "Save", hint: "save"),
        KeyBinding([.escape], .cancelField, "Cancel", hint: "cancel"),
        KeyBinding([.altEnter, .ctrl("j")], .newline, "New line (system prompt)"),
    ] + lineEditing

    static let models: [KeyBinding] = [
        KeyBinding([.up, .char("k")], .listUp, "Previous model"),
        KeyBinding([.down, .char("j")], .listDown, "Next model"),
        KeyBinding([.enter, .char("l")], .loadModel, "Load the selected model", hint: "load"),
        KeyBinding([.char("u")], .unloadModel, "Unload the model", hint: "unload"),
        KeyBinding([.char("r")], .rescanModels, "Rescan the models directory", hint: "rescan"),
        KeyBinding([.char("/"), .char("s")], .searchHub, "Search the Hugging Face Hub", hint: "search Hub"),
        KeyBinding([.char("e")], .editEndpoint, "Chat through a remote OpenAI-compatible server, or back to local",
                   hint: "remote"),
        KeyBinding([.tab], .focusNextSection, "Next section (search, results, files, downloads)"),
    ]

    static let modelsSearch: [KeyBinding] = [
        KeyBinding([.enter], .runSearch, "Search GGUF models on the Hub", hint: "search"),
        KeyBinding([.escape], .closeSection, "Back to the local models", hint: "back"),
        KeyBinding([.tab], .focusNextSection, "Next section"),
    ] + lineEditing

    static let modelsEndpoint: [KeyBinding] = [
        KeyBinding([.enter], .commitField, "Use this endpoint (empty: the local engine)", hint: "use"),
        KeyBinding([.escape], .cancelField, "Cancel", hint: "cancel"),
    ] + lineEditing

    static let hubResults: [KeyBinding] = [
        KeyBinding([.up, .char("k")], .listUp, "Previous repository"),
        KeyBinding([.down, .char("j")], .listDown, "Next repository"),
        KeyBinding([.enter], .openRepo, "List the repository's GGUF files", hint: "files"),
        KeyBinding([.char("/")], .searchHub, "Edit the search", hint: "search"),
        KeyBinding([.tab], .focusNextSection, "Next section"),
        KeyBinding([.escape], .closeSection, "Back to the search field"),
    ]

    static let hubFiles: [KeyBinding] = [
        KeyBinding([.up, .char("k")], .listUp, "Previous file"),
        KeyBinding([.down, .char("j")], .listDown, "Next file"),
        KeyBinding([.enter, .char("d")], .downloadFile, "Download it (queued; runs while you chat)", hint: "download"),
        KeyBinding([.char("/")], .searchHub, "Search again"),
        KeyBinding([.tab], .focusNextSection, "Next section"),
        KeyBinding([.escape], .closeSection, "Back to the results", hint: "back"),
    ]

    static let downloads: [KeyBinding] = [
        KeyBinding([.up, .char("k")], .listUp, "Previous download"),
        KeyBinding([.down, .char("j")], .listDown, "Next download"),
        KeyBinding([.char("p"), .char(" ")], .pauseDownload, "Pause or resume", hint: "pause/resume"),
        KeyBinding([.char("x")], .cancelDownload, "Cancel (deletes the partial file)", hint: "cancel"),
        KeyBinding([.enter, .char("l")], .loadModel, "Load a finished download", hint: "load"),
        KeyBinding([.char("/")], .searchHub, "Search the Hub"),
        KeyBinding([.tab], .focusNextSection, "Next section"),
        KeyBinding([.escape], .closeSection, "Back to the local models"),
    ]

    static let trainForm: [KeyBinding] = [
        KeyBinding([.char("s")], .startTraining, "Start a fine-tuning run with the form's settings", hint: "start"),
        KeyBinding([.char("p")], .pauseTraining, "Pause or continue the run", hint: "pause"),
        KeyBinding([.char("x")], .stopTraining, "Stop the run (a checkpoint and the adapter are saved)", hint: "stop"),
        KeyBinding([.char("r")], .resumeTraining, "Resume the stopped run", hint: "resume"),
        KeyBinding([.up, .char("k")], .listUp, "Previous field"),
        KeyBinding([.down, .char("j")], .listDown, "Next field"),
        KeyBinding([.enter], .editTrainField, "Edit the field (text) or change it (choices)", hint: "edit"),
        KeyBinding([.right, .char("+")], .increase, "Increase the value"),
        KeyBinding([.left, .char("-")], .decrease, "Decrease the value"),
        KeyBinding([.tab], .toggleTrainFocus, "Runs list (compare past runs)", hint: "runs"),
    ]

    static let trainRuns: [KeyBinding] = [
        KeyBinding([.up, .char("k")], .listUp, "Previous run (its curves are drawn for comparison)"),
        KeyBinding([.down, .char("j")], .listDown, "Next run"),
        KeyBinding([.enter, .char("r")], .resumeTraining, "Resume the selected run", hint: "resume"),
        KeyBinding([.char("p")], .pauseTraining, "Pause or continue the run", hint: "pause"),
        KeyBinding([.char("x")], .stopTraining, "Stop the run", hint: "stop"),
        KeyBinding([.char("g")], .refreshRuns, "Rescan the runs", hint: "rescan"),
        KeyBinding([.tab, .escape], .toggleTrainFocus, "Back to the form", hint: "form"),
    ]

    static let trainField: [KeyBinding] = [
        KeyBinding([.enter], .commitField, "Save", hint: "save"),
        KeyBinding([.escape], .cancelField, "Cancel", hint: "cancel"),
    ] + lineEditing

    static let metrics: [KeyBinding] = [
        KeyBinding([.char("s")], .toggleServer, "Start or stop the OpenAI-compatible server (serves the loaded model)",
                   hint: "serve"),
    ]

    static let quantize: [KeyBinding] = [
        KeyBinding([.up, .char("k")], .listUp, "Previous source model"),
        KeyBinding([.down, .char("j")], .listDown, "Next source model"),
        KeyBinding([.right, .char("l")], .nextQuantType, "Next target type", hint: "type"),
        KeyBinding([.left, .char("h")], .previousQuantType, "Previous target type"),
        KeyBinding([.enter], .startQuantize, "Quantize the selected model to the target type", hint: "start"),
        KeyBinding([.escape, .char("c")], .cancelQuantize, "Cancel the quantization (no partial file is left)", hint: "cancel"),
        KeyBinding([.char("e")], .evaluateQuantize, "Perplexity and KL divergence of the result against the source", hint: "evaluate"),
        KeyBinding([.char("r")], .rescanModels, "Rescan the models directory"),
    ]

    static let overlay: [KeyBinding] = [
        KeyBinding([.escape], .closeOverlay, "Close", hint: "close"),
        KeyBinding([.up], .listUp, "Up"),
        KeyBinding([.down], .listDown, "Down"),
        KeyBinding([.enter], .runSelected, "Run the selected command (palette)", hint: "run"),
    ]
}
