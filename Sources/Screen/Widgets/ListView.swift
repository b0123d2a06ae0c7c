// A scrolling list with one selected row; the scroll offset lives in `ListState` between frames.

public struct ListState: Hashable, Sendable {
    public var selected: Int
    public var offset: Int
    public init(selected: Int = 0, offset: Int = 0) {
        self.selected = selected
        self.offset = offset
    }

    /// Moves the offset just enough to show `selected` in `height` rows.
    public mutating func scrollToSelection(height: Int) {
        guard height > 0 else { return }
        if selected < offset { offset = selected }
        if selected >= offset + height { offset = selected - height + 1 }
        offset = max(0, offset)
    }
}

public struct ListView: Sendable {
    public var items: [StyledLine]
    public var selectedStyle: Style
    public var showSelection: Bool

    public init(items: [StyledLine], selectedStyle: Style = Style(.selection), showSelection: Bool = true) {
        self.items = items
        self.selectedStyle = selectedStyle
        self.showSelection = showSelection
    }

    public func render(in rect: Rect, into buffer: inout ScreenBuffer, state: inout ListState) {
        guard !rect.isEmpty else { return }
        state.selected = min(max(0, state.selected), max(0, items.count - 1))
        state.scrollToSelection(height: rect.height)
        for row in 0..<rect.height {
            let index = state.offset + row
            guard index < items.count else { break }
            let y = rect.y + row
            if showSelection, index == state.selected {
                buffer.fill(Rect(x: rect.x, y: y, width: rect.width, height: 1), with: Cell(" ", style: selectedStyle))
                let plain = StyledLine(Text.truncate(items[index].text, to: rect.width), selectedStyle)
                buffer.write(plain, x: rect.x, y: y, clip: rect)
            } else {
                buffer.write(items[index], x: rect.x, y: y, clip: rect)
            }
        }
    }
}
