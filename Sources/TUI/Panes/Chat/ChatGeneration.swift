// Generation from the chat pane: send, regenerate, continue, edit-and-resend, stop, and streaming events.
// Requests carry the whole context; tokens are routed by request id, so late tokens of a stopped run are ignored.
import Bus
import Foundation
import Screen

func send(_ state: inout AppState, _ chat: inout ChatState) -> [Effect] {
    let text = chat.input.text
    guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return [] }
    guard chat.generation == nil else {
        chat.lastError = "A reply is still streaming: Esc stops it"
        return []
    }
    if chat.history.last != text { chat.history.append(text) }
    chat.historyIndex = nil
    chat.draft = ""
    chat.input.clear()
    if chat.conversation.messages.isEmpty, chat.conversation.title == "New chat" {
        let firstLine = text.split(separator: "\n").first.map(String.init) ?? text
        chat.conversation.title = String(firstLine.prefix(40))
    }
    chat.conversation.messages.append(ConversationMessage(role: .user, text: text))
    return startGeneration(&state, &chat, kind: .reply)
}

func regenerate(_ state: inout AppState, _ chat: inout ChatState) -> [Effect] {
    guard chat.generation == nil, chat.conversation.messages.contains(where: { $0.role == .user }) else { return [] }
    while chat.conversation.messages.last?.role == .assistant { chat.conversation.messages.removeLast() }
    return startGeneration(&state, &chat, kind: .regenerate)
}

func continueReply(_ state: inout AppState, _ chat: inout ChatState) -> [Effect] {
    guard chat.generation == nil, chat.conversation.messages.last?.role == .assistant else { return [] }
    return startGeneration(&state, &chat, kind: .continuation)
}

/// Puts the last user message back in the input and drops it and everything after; Enter resends it.
func editLast(_ chat: inout ChatState) {
    guard chat.generation == nil,
          let index = chat.conversation.messages.lastIndex(where: { $0.role == .user }) else { return }
    chat.input = TextInputState(chat.conversation.messages[index].text)
    chat.conversation.messages.removeSubrange(index...)
    chat.focus = .input
}

/// Builds the request from the open conversation; for a reply or regeneration, adds the empty reply to fill.
private func startGeneration(_ state: inout AppState, _ chat: inout ChatState,
                             kind: GenerationRequest.Kind) -> [Effect] {
    let conversation = chat.conversation
    let request = GenerationRequest(id: state.makeID(), conversation: conversation.id, kind: kind,
                                    turns: conversation.turns, parameters: conversation.parameters)
    if kind != .continuation { chat.conversation.messages.append(ConversationMessage(role: .assistant, text: "")) }
    chat.conversation.updated = state.now
    chat.generation = ActiveGeneration(request: request.id, conversation: conversation.id)
    chat.scroll = 0
    chat.lastError = nil
    chat.focus = .input
    return [.chat(.send(request))]
}

/// Stops the running generation at once: the partial reply stays and is saved. Its figures come with the
/// service's late "finished" event (see `reduceStopped`).
func stopGeneration(_ state: inout AppState) -> [Effect] {
    guard let generation = state.chat.generation else { return [] }
    state.chat.generation = nil
    var effects: [Effect] = [.chat(.stop)]
    var stopped = StoppedGeneration(request: generation.request, conversation: generation.conversation)
    if let i = state.chat.index(of: generation.conversation) {
        let messages = state.chat.conversations[i].messages
        if messages.last.map({ $0.role == .assistant && $0.text.isEmpty }) == true {
            state.chat.conversations[i].messages.removeLast()
        } else if let last = messages.last, last.role == .assistant {
            stopped.reply = (messages.count - 1, last.text)
        }
        effects.append(.chat(.save(state.chat.conversations[i])))
    }
    state.chat.stopped = stopped
    return effects
}

/// A stopped generation's late events: tokens are ignored; "finished" puts its figures under the partial reply
/// (unless that reply was since removed or edited away) and into the metrics table.
private func reduceStopped(_ state: inout AppState, _ event: GenerationEvent) -> [Effect] {
    guard let stopped = state.chat.stopped else { return [] }
    switch event {
    case .started, .token: return []
    case .failed:
        state.chat.stopped = nil
        return []
    case .finished(_, let info):
        state.chat.stopped = nil
        guard let i = state.chat.index(of: stopped.conversation), let reply = stopped.reply,
              reply.index < state.chat.conversations[i].messages.count,
              state.chat.conversations[i].messages[reply.index].role == .assistant,
              state.chat.conversations[i].messages[reply.index].text == reply.text else { return [] }
        state.chat.conversations[i].messages[reply.index].info = info
        record(&state, info)
        return [.chat(.save(state.chat.conversations[i]))]
    }
}

func reduceGeneration(_ state: inout AppState, _ event: GenerationEvent) -> [Effect] {
    if state.chat.stopped?.request == event.request { return reduceStopped(&state, event) }
    guard let generation = state.chat.generation, generation.request == event.request,
          let i = state.chat.index(of: generation.conversation) else { return [] }
    switch event {
    case .started:
        return []
    case .token(_, let text, let stats):
        appendToReply(&state.chat.conversations[i], text)
        state.chat.generation?.tokens = stats.generatedTokens
        state.chat.generation?.tokensPerSecond = stats.tokensPerSecond
        state.chat.contextUsed = stats.contextUsed
        state.chat.contextSize = stats.contextSize
        return []
    case .finished(_, let info):
        state.chat.generation = nil
        let last = state.chat.conversations[i].messages.indices.last
        if let last, state.chat.conversations[i].messages[last].role == .assistant {
            state.chat.conversations[i].messages[last].info = info
        }
        record(&state, info)
        state.chat.conversations[i].updated = state.now
        return [.chat(.save(state.chat.conversations[i]))]
    case .failed(_, let message):
        state.chat.generation = nil
        state.chat.lastError = message
        if state.chat.conversations[i].messages.last.map({ $0.role == .assistant && $0.text.isEmpty }) == true {
            state.chat.conversations[i].messages.removeLast()
        }
        return [.chat(.save(state.chat.conversations[i]))]
    }
}

/// A finished reply's figures: the status bar's last speed and a row of the Metrics pane's table.
private func record(_ state: inout AppState, _ info: CompletionInfo) {
    if info.generatedTokens > 0 { state.chat.lastTokensPerSecond = info.tokensPerSecond }
    state.metrics.generations.append(info)
    if state.metrics.generations.count > 50 { state.metrics.generations.removeFirst() }
}

private func appendToReply(_ conversation: inout Conversation, _ text: String) {
    if conversation.messages.last?.role == .assistant {
        conversation.messages[conversation.messages.count - 1].text += text
    } else {
        conversation.messages.append(ConversationMessage(role: .assistant, text: text))
    }
}
