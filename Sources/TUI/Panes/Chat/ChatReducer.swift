// Chat pane actions: editing the input, history, focus changes, conversations (new, open, rename, delete),
// and the parameters panel. Generation-related actions live in ChatGeneration.swift.
import Bus
import Foundation
import Screen

func performChat(_ state: inout AppState, _ action: Action) -> [Effect] {
    var chat = state.chat
    defer { state.chat = chat }
    if chat.focus == .parameters, [.listUp, .listDown, .increase, .decrease, .nextPreset].contains(action) {
        return performParameters(&chat, action)
    }
    switch action {
    case .send: return send(&state, &chat)
    case .newline: editField(&chat) { $0.insert("\n") }
    case .historyPrevious: historyPrevious(&chat)
    case .historyNext: historyNext(&chat)
    case .regenerate: return regenerate(&state, &chat)
    case .continueReply: return continueReply(&state, &chat)
    case .editLast: editLast(&chat)
    case .newConversation:
        let id = state.makeID()
        chat.conversations.insert(Conversation(id: id, updated: state.now), at: 0)
        openConversation(&chat, 0)
    case .focusConversations:
        chat.list.selected = chat.current
        chat.focus = .list
    case .focusInput:
        chat.focus = .input
        chat.confirmDelete = false
    case .toggleParameters:
        chat.showParameters = chat.focus != .parameters
        chat.focus = chat.showParameters ? .parameters : .input
    case .editSystemPrompt:
        chat.field = TextInputState(chat.conversation.systemPrompt)
        chat.focus = .systemPrompt
    case .toggleThinking: chat.showThinking.toggle()
    case .scrollUp: chat.scroll = min(chat.scroll + max(1, state.size.height / 2), Layout.maxScroll(state))
    case .scrollDown: chat.scroll = max(0, chat.scroll - max(1, state.size.height / 2))
    case .listUp: chat.list.selected = max(0, chat.list.selected - 1)
    case .listDown: chat.list.selected = min(chat.conversations.count - 1, chat.list.selected + 1)
    case .openConversation:
        openConversation(&chat, chat.list.selected)
        chat.focus = .input
    case .renameConversation:
        openConversation(&chat, chat.list.selected)
        chat.field = TextInputState(chat.conversation.title)
        chat.focus = .rename
    case .deleteConversation: return deleteConversation(&state, &chat)
    case .commitField: return commitField(&state, &chat)
    case .cancelField: chat.focus = chat.focus == .rename ? .list : .input
    default: editField(&chat) { $0.apply(action) }     // the line-editing keys; other actions change nothing
    }
    return []
}

/// Edits the field that has focus: the rename/system-prompt editor, else the message input.
private func editField(_ chat: inout ChatState, _ edit: (inout TextInputState) -> Void) {
    if chat.focus == .rename || chat.focus == .systemPrompt { edit(&chat.field) } else { edit(&chat.input) }
}

func openConversation(_ chat: inout ChatState, _ index: Int) {
    guard chat.conversations.indices.contains(index) else { return }
    chat.current = index
    chat.list.selected = index
    chat.scroll = 0
    chat.confirmDelete = false
}

private func historyPrevious(_ chat: inout ChatState) {
    guard chat.input.cursorOnFirstLine else { return chat.input.moveUp() }
    guard !chat.history.isEmpty else { return }
    if chat.historyIndex == nil { chat.draft = chat.input.text }
    let index = max(0, (chat.historyIndex ?? chat.history.count) - 1)
    chat.input = TextInputState(chat.history[index])
    chat.historyIndex = index
}

private func historyNext(_ chat: inout ChatState) {
    guard chat.input.cursorOnLastLine, let index = chat.historyIndex else { return chat.input.moveDown() }
    if index + 1 < chat.history.count {
        chat.input = TextInputState(chat.history[index + 1])
        chat.historyIndex = index + 1
    } else {
        chat.input = TextInputState(chat.draft)
        chat.historyIndex = nil
    }
}

private func deleteConversation(_ state: inout AppState, _ chat: inout ChatState) -> [Effect] {
    guard chat.confirmDelete else {
        chat.confirmDelete = true
        return []
    }
    chat.confirmDelete = false
    let index = chat.list.selected
    guard chat.conversations.indices.contains(index) else { return [] }
    let id = chat.conversations[index].id
    if chat.generation?.conversation == id { chat.generation = nil }
    chat.conversations.remove(at: index)
    if chat.conversations.isEmpty { chat.conversations = [Conversation(id: state.makeID(), updated: state.now)] }
    openConversation(&chat, min(index, chat.conversations.count - 1))
    return [.chat(.delete(conversation: id))]
}

private func commitField(_ state: inout AppState, _ chat: inout ChatState) -> [Effect] {
    let text = chat.field.text
    if chat.focus == .rename {
        let title = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if !title.isEmpty { chat.conversation.title = title }
        chat.focus = .list
    } else {
        chat.conversation.systemPrompt = text
        chat.focus = .input
    }
    chat.conversation.updated = state.now
    return [.chat(.save(chat.conversation))]
}

func reduceChatEvent(_ chat: inout ChatState, _ event: ChatEvent) {
    switch event {
    case .conversations(let saved):
        let savedIDs = Set(saved.map(\.id))
        let local = chat.conversations.filter { !savedIDs.contains($0.id) && !$0.messages.isEmpty }
        let openID = chat.conversation.id
        var merged = local + saved.sorted { $0.updated > $1.updated }
        if merged.isEmpty { merged = chat.conversations }
        chat.conversations = merged
        let keepOpen = !chat.conversation.messages.isEmpty || chat.generation != nil
        openConversation(&chat, keepOpen ? (chat.index(of: openID) ?? 0) : 0)
    case .saveFailed(let message):
        chat.lastError = "Could not save: \(message)"
    case .backendChanged, .backendFailed:
        break   // the Models pane shows the endpoint in use
    }
}
