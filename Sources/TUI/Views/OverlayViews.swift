// Help overlay (every binding, grouped by scope, from the keymap tables) and the command palette.
import Screen

enum HelpView {
    /// Every help line, in scope order.
    static func lines() -> [StyledLine] {
        var out: [StyledLine] = []
        for scope in Scope.allCases {
            out.append(StyledLine(scope.rawValue, Style(.heading, .bold)))
            for binding in Keymap.bindings(scope) {
                let keys = binding.keyLabel
                let pad = String(repeating: " ", count: max(1, 20 - CharacterWidth.of(keys)))
                out.append(StyledLine([Span("  " + keys + pad, Style(.accent)), Span(binding.help)]))
            }
            out.append(StyledLine())
        }
        out.append(StyledLine("? also opens help when no text field has focus. Mouse: click tabs and chats, wheel scrolls.",
                              Style(.dim)))
        return out
    }

    static func render(_ state: AppState, scroll: Int, in body: Rect, into buffer: inout ScreenBuffer) {
        let rect = body.centered(Size(width: min(body.width, 84), height: body.height))
        buffer.fill(rect)
        let block = Block(title: "Keys · ↑/↓ scroll · Esc or F1 closes", style: Style(.borderFocused))
        block.render(in: rect, into: &buffer)
        let inner = block.inner(of: rect).inset(left: 1)
        let all = lines()
        let top = min(scroll, max(0, all.count - inner.height))
        Paragraph(Array(all.dropFirst(top)), wrap: false).render(in: inner, into: &buffer)
    }
}

enum PaletteView {
    static func render(_ state: AppState, _ palette: PaletteState, in body: Rect,
                       into buffer: inout ScreenBuffer) -> Point? {
        let items = paletteItems(state, filter: palette.filter.text)
        let height = min(body.height, max(4, min(items.count, 12) + 3))
        let rect = Rect(x: body.x, y: body.y, width: body.width, height: body.height)
            .centered(Size(width: min(body.width, 64), height: height))
        buffer.fill(rect)
        let block = Block(title: "Command palette", style: Style(.borderFocused))
        block.render(in: rect, into: &buffer)
        let inner = block.inner(of: rect)
        let (inputRow, listRect) = inner.splitTop(1)
        buffer.write("> ", x: inputRow.x, y: inputRow.y, style: Style(.accent), clip: inputRow)
        let cursor = TextInput(state: palette.filter, placeholder: "type to filter")
            .render(in: inputRow.inset(left: 2), into: &buffer)
        let lines = items.map { item -> StyledLine in
            let keyWidth = CharacterWidth.of(item.keys)
            let titleWidth = max(0, listRect.width - keyWidth - 1)
            let title = Text.truncate(item.title, to: titleWidth)
            let pad = String(repeating: " ", count: max(1, listRect.width - CharacterWidth.of(title) - keyWidth))
            return StyledLine([Span(title), Span(pad), Span(item.keys, Style(.dim))])
        }
        var list = ListState(selected: palette.selected)
        ListView(items: lines).render(in: listRect, into: &buffer, state: &list)
        if items.isEmpty { Text.render("no matching command", style: Style(.dim), in: listRect, into: &buffer) }
        return cursor
    }
}
