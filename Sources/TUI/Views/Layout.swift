// Screen geometry shared by views and the reducer (mouse hit-testing), so both agree on where things are.
import Screen

enum Layout {
    static func tabs(_ state: AppState) -> Tabs {
        Tabs(titles: Pane.allCases.map(\.title), selected: state.pane.rawValue)
    }

    /// Everything between the tab bar (row 0) and the status bar (last row).
    static func body(_ size: Size) -> Rect { Rect(x: 0, y: 1, width: size.width, height: size.height - 2) }

    static func tooSmall(_ size: Size) -> Bool { size.width < 20 || size.height < 5 }

    struct Chat {
        var list: Rect?
        var transcript: Rect
        var input: Rect
        var parameters: Rect?
        var bordered: Bool
    }

    static func chat(_ state: AppState) -> Chat {
        let body = body(state.size)
        let chat = state.chat
        let bordered = body.height >= 8 && body.width >= 30
        var rest = body
        var list: Rect?
        if body.width >= 70 {
            let split = rest.splitLeft(min(26, body.width / 4))
            list = split.0
            rest = split.1
        } else if chat.focus == .list || chat.focus == .rename {
            list = chat.focus == .list ? body : nil
            if chat.focus == .list { rest = Rect(x: body.maxX, y: body.y, width: 0, height: 0) }
        }
        var parameters: Rect?
        if chat.showParameters {
            if rest.width >= 80 {
                let split = rest.splitRight(30)
                rest = split.0
                parameters = split.1
            } else if chat.focus == .parameters {
                parameters = rest
                rest = Rect(x: rest.maxX, y: rest.y, width: 0, height: 0)
            }
        }
        let frame = bordered ? 2 : 0
        let editor = chat.focus == .rename || chat.focus == .systemPrompt ? chat.field : chat.input
        let textRows = TextInput(state: editor).rowCount(width: max(1, rest.width - frame))
        let inputHeight = min(min(max(1, textRows), 6) + frame, max(0, rest.height - 1))
        let (transcript, input) = rest.splitBottom(inputHeight)
        return Chat(list: list, transcript: transcript, input: input, parameters: parameters, bordered: bordered)
    }

    /// How far the transcript can scroll up: its display lines beyond one screenful.
    static func maxScroll(_ state: AppState) -> Int {
        let layout = chat(state)
        let inner = layout.bordered ? layout.transcript.inset(by: 1).inset(left: 1, right: 1) : layout.transcript
        guard inner.width > 0, inner.height > 0 else { return 0 }
        let all = ChatTranscript.visibleLines(state.chat, width: inner.width, count: Int.max / 4, skip: 0)
        return max(0, all.count - inner.height)
    }

    /// Index of the first conversation shown when `selected` must be visible in `height` rows.
    static func listOffset(selected: Int, height: Int) -> Int { max(0, selected - max(1, height) + 1) }

    /// The conversation under a mouse press in the list, if any.
    static func conversationRow(_ state: AppState, at mouse: MouseEvent) -> Int? {
        let layout = chat(state)
        guard let list = layout.list else { return nil }
        let inner = layout.bordered ? list.inset(by: 1) : list
        guard inner.contains(Point(x: mouse.x, y: mouse.y)) else { return nil }
        let row = listOffset(selected: state.chat.list.selected, height: inner.height) + mouse.y - inner.y
        return state.chat.conversations.indices.contains(row) ? row : nil
    }
}
