// A tab bar: " 1 Chat  2 Models ..." with the selected tab highlighted; hitTest maps a click to a tab.

public struct Tabs: Sendable {
    public var titles: [String]
    public var selected: Int

    public init(titles: [String], selected: Int) {
        self.titles = titles
        self.selected = selected
    }

    /// The label of each tab and its x range, as drawn from x = 0.
    public func layout() -> [(label: String, x: Int, width: Int)] {
        var x = 0
        return titles.enumerated().map { i, title in
            let label = " \(i + 1) \(title) "
            defer { x += CharacterWidth.of(label) + 1 }
            return (label, x, CharacterWidth.of(label))
        }
    }

    /// The tab under column `x` of the bar, if any.
    public func hitTest(x: Int) -> Int? {
        layout().firstIndex { x >= $0.x && x < $0.x + $0.width }
    }

    public func render(in rect: Rect, into buffer: inout ScreenBuffer) {
        guard !rect.isEmpty else { return }
        let row = Rect(x: rect.x, y: rect.y, width: rect.width, height: 1)
        buffer.fill(row, with: Cell(" ", style: Style(.tabInactive)))
        for (i, tab) in layout().enumerated() {
            let style = i == selected ? Style(.tabActive, .bold) : Style(.tabInactive)
            buffer.write(tab.label, x: rect.x + tab.x, y: rect.y, style: style, clip: row)
        }
    }
}
