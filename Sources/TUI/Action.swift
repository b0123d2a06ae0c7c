// The named things a key (or the command palette) can do. Keymap.swift binds keys to these.

public enum Pane: Int, Sendable, CaseIterable, Equatable {
    case chat, models, train, quantize, metrics

    public var title: String {
        switch self {
        case .chat: "Chat"
        case .models: "Models"
        case .train: "Train"
        case .quantize: "Quantize"
        case .metrics: "Metrics"
        }
    }
}

public enum Action: Sendable, Equatable {
    case quit, interrupt, help, palette, suspend, cycleTheme, showPane(Pane), closeOverlay, runSelected
    case send, newline, historyPrevious, historyNext, cursorLeft, cursorRight, lineStart, lineEnd
    case deleteBackward, deleteForward
    case stop, regenerate, continueReply, editLast, newConversation, focusConversations, focusInput
    case toggleParameters, editSystemPrompt, toggleThinking, scrollUp, scrollDown
    case listUp, listDown, openConversation, renameConversation, deleteConversation
    case increase, decrease, nextPreset, commitField, cancelField
    case loadModel, unloadModel, rescanModels, editEndpoint
    case startTraining, pauseTraining, stopTraining, resumeTraining, editTrainField, toggleTrainFocus, refreshRuns
    case toggleServer
    case previousQuantType, nextQuantType, startQuantize, cancelQuantize, evaluateQuantize
    case focusNextSection, closeSection, searchHub, runSearch, openRepo, downloadFile, pauseDownload, cancelDownload
}
