// The chat pane: conversation list, transcript, input editor (or rename/system-prompt field) and the
// parameters panel, laid out by Layout.chat. Returns where the terminal cursor goes.
import Bus
import Screen

enum ChatView {
    static func render(_ state: AppState, into buffer: inout ScreenBuffer) -> Point? {
        let layout = Layout.chat(state)
        let chat = state.chat
        if let list = layout.list { renderList(chat, in: list, bordered: layout.bordered, into: &buffer) }
        if let parameters = layout.parameters {
            renderParameters(chat, in: parameters, bordered: layout.bordered, into: &buffer)
        }
        renderTranscript(chat, in: layout.transcript, bordered: layout.bordered, into: &buffer)
        return renderInput(chat, in: layout.input, bordered: layout.bordered, into: &buffer)
    }

    private static func frame(_ title: String, focused: Bool, rect: Rect, bordered: Bool,
                              into buffer: inout ScreenBuffer) -> Rect {
        guard bordered else { return rect }
        let block = Block(title: title, style: Style(focused ? .borderFocused : .border))
        block.render(in: rect, into: &buffer)
        return block.inner(of: rect)
    }

    private static func renderList(_ chat: ChatState, in rect: Rect, bordered: Bool, into buffer: inout ScreenBuffer) {
        var inner = frame("Chats", focused: chat.focus == .list, rect: rect, bordered: bordered, into: &buffer)
        if chat.confirmDelete {
            let (rest, bottom) = inner.splitBottom(1)
            Text.render("d again deletes", style: Style(.warning), in: bottom, into: &buffer)
            inner = rest
        }
        let items = chat.conversations.enumerated().map { i, conversation -> StyledLine in
            let streaming = chat.generation?.conversation == conversation.id
            let mark = streaming ? "… " : i == chat.current ? "▸ " : "  "
            return StyledLine([Span(mark, Style(.accent)), Span(conversation.title, i == chat.current ? Style(.text, .bold) : .text)])
        }
        var listState = ListState(selected: chat.focus == .list ? chat.list.selected : chat.current,
                                  offset: 0)
        listState.offset = Layout.listOffset(selected: listState.selected, height: inner.height)
        ListView(items: items, showSelection: chat.focus == .list).render(in: inner, into: &buffer, state: &listState)
    }

    private static func renderTranscript(_ chat: ChatState, in rect: Rect, bordered: Bool,
                                         into buffer: inout ScreenBuffer) {
        let title = chat.scroll > 0 ? "\(chat.conversation.title) (↑\(chat.scroll))" : chat.conversation.title
        let inner = frame(title, focused: false, rect: rect, bordered: bordered, into: &buffer)
        guard !inner.isEmpty else { return }
        let content = bordered ? inner.inset(left: 1, right: 1) : inner
        if chat.conversation.messages.isEmpty {
            let hint = "Type a message, Enter sends · F1 help"
            let lines = TextWrap.wrap(hint, width: content.width, style: Style(.dim))
            Paragraph(lines, wrap: false).render(in: content.centered(Size(width: content.width, height: lines.count)),
                                                 into: &buffer)
            return
        }
        let lines = ChatTranscript.visibleLines(chat, width: content.width, count: content.height, skip: chat.scroll)
        let top = content.maxY - lines.count
        for (i, line) in lines.enumerated() { buffer.write(line, x: content.x, y: top + i, clip: content) }
    }

    private static func renderInput(_ chat: ChatState, in rect: Rect, bordered: Bool,
                                    into buffer: inout ScreenBuffer) -> Point? {
        let title: String
        let editor: TextInputState
        switch chat.focus {
        case .rename: (title, editor) = ("Rename: Enter saves, Esc cancels", chat.field)
        case .systemPrompt: (title, editor) = ("System prompt: Enter saves, Esc cancels", chat.field)
        default:
            let streaming = chat.generation.map { "generating… \($0.tokens) tokens, Esc stops" }
            (title, editor) = (streaming ?? "Message", chat.input)
        }
        let editing = [.input, .rename, .systemPrompt].contains(chat.focus)
        let inner = frame(title, focused: editing, rect: rect, bordered: bordered, into: &buffer)
        let placeholder = chat.focus == .input ? "Enter sends · Alt-Enter new line · ↑ history" : ""
        let cursor = TextInput(state: editor, placeholder: placeholder).render(in: inner, into: &buffer)
        return editing ? cursor : nil
    }

    private static func renderParameters(_ chat: ChatState, in rect: Rect, bordered: Bool,
                                         into buffer: inout ScreenBuffer) {
        let focused = chat.focus == .parameters
        let inner = frame("Parameters", focused: focused, rect: rect, bordered: bordered, into: &buffer)
        for (i, row) in ParameterRow.allCases.enumerated() where i < inner.height {
            let y = inner.y + i
            let line = Rect(x: inner.x, y: y, width: inner.width, height: 1)
            let selected = focused && i == chat.parameterRow
            if selected { buffer.fill(line, with: Cell(" ", style: Style(.selection))) }
            Text.render(row.label, style: selected ? Style(.selection) : Style(.dim), in: line, into: &buffer)
            let value = row.value(in: chat.conversation)
            Text.render(value, style: selected ? Style(.selection) : Style(.text, .bold), alignment: 2, in: line,
                        into: &buffer)
        }
        let hintRow = ParameterRow.allCases.count + 1
        if focused, inner.height > hintRow {
            Text.render("←/→ adjust · p preset", style: Style(.dim),
                        in: Rect(x: inner.x, y: inner.y + hintRow, width: inner.width, height: 1), into: &buffer)
        }
    }
}
