// A bordered box with an optional title; `inner(of:)` is the rect left for content.
// Below 2×2 there is no room for a border, so nothing is drawn and the content gets the whole rect.

public struct Block: Sendable {
    public var title: String
    public var style: Style
    public var titleStyle: Style

    public init(title: String = "", style: Style = Style(.border), titleStyle: Style = Style(.title, .bold)) {
        self.title = title
        self.style = style
        self.titleStyle = titleStyle
    }

    public func inner(of rect: Rect) -> Rect {
        rect.width < 2 || rect.height < 2 ? rect : rect.inset(by: 1)
    }

    public func render(in rect: Rect, into buffer: inout ScreenBuffer) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        let (x0, y0, x1, y1) = (rect.x, rect.y, rect.maxX - 1, rect.maxY - 1)
        for x in (x0 + 1)..<x1 {
            buffer.set(x, y0, Cell("─", style: style))
            buffer.set(x, y1, Cell("─", style: style))
        }
        for y in (y0 + 1)..<y1 {
            buffer.set(x0, y, Cell("│", style: style))
            buffer.set(x1, y, Cell("│", style: style))
        }
        buffer.set(x0, y0, Cell("┌", style: style))
        buffer.set(x1, y0, Cell("┐", style: style))
        buffer.set(x0, y1, Cell("└", style: style))
        buffer.set(x1, y1, Cell("┘", style: style))
        if !title.isEmpty, rect.width > 4 {
            let clip = Rect(x: x0 + 1, y: y0, width: rect.width - 2, height: 1)
            buffer.write(Text.truncate(" \(title) ", to: clip.width), x: x0 + 1, y: y0, style: titleStyle, clip: clip)
        }
    }
}
