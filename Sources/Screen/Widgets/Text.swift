// Text and Paragraph widgets: one clipped line, or wrapped styled lines with a scroll offset.

public enum Text {
    /// `text` cut to `width` cells, ending in "…" when cut.
    public static func truncate(_ text: String, to width: Int) -> String {
        guard width > 0 else { return "" }
        if CharacterWidth.of(text) <= width { return text }
        var out = ""
        var used = 0
        for ch in text {
            let w = CharacterWidth.of(ch)
            if used + w > width - 1 { break }
            out.append(ch)
            used += w
        }
        return out + "…"
    }

    /// Draws `text` on the first row of `rect`, truncated; alignment 0 = left, 1 = centre, 2 = right.
    public static func render(_ text: String, style: Style = .text, alignment: Int = 0, in rect: Rect,
                              into buffer: inout ScreenBuffer) {
        guard !rect.isEmpty else { return }
        let shown = truncate(text, to: rect.width)
        let w = CharacterWidth.of(shown)
        let x = alignment == 0 ? rect.x : alignment == 1 ? rect.x + (rect.width - w) / 2 : rect.maxX - w
        buffer.write(shown, x: x, y: rect.y, style: style, clip: rect)
    }
}

public struct Paragraph: Sendable {
    public var lines: [StyledLine]
    public var wrap: Bool
    /// Display lines skipped at the top.
    public var scroll: Int

    public init(_ lines: [StyledLine], wrap: Bool = true, scroll: Int = 0) {
        self.lines = lines
        self.wrap = wrap
        self.scroll = scroll
    }

    public init(_ text: String, style: Style = .text, scroll: Int = 0) {
        self.init([StyledLine(text, style)], wrap: true, scroll: scroll)
    }

    /// The display lines at `width`.
    public func displayLines(width: Int) -> [StyledLine] {
        wrap ? lines.flatMap { TextWrap.wrap($0.spans, width: width) } : lines
    }

    public func render(in rect: Rect, into buffer: inout ScreenBuffer) {
        guard !rect.isEmpty else { return }
        let shown = displayLines(width: rect.width).dropFirst(max(0, scroll)).prefix(rect.height)
        for (i, line) in shown.enumerated() { buffer.write(line, x: rect.x, y: rect.y + i, clip: rect) }
    }
}
