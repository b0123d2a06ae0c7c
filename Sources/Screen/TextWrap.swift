// Styled text and word wrapping by display width. Words break at spaces; CJK and other wide characters
// may break between any two characters; a word longer than the line is cut.

/// A run of text in one style.
public struct Span: Hashable, Sendable {
    public var text: String
    public var style: Style
    public init(_ text: String, _ style: Style = .text) {
        self.text = text
        self.style = style
    }
}

/// One display line of spans.
public struct StyledLine: Hashable, Sendable {
    public var spans: [Span]
    public init(_ spans: [Span] = []) { self.spans = spans }
    public init(_ text: String, _ style: Style = .text) { self.spans = [Span(text, style)] }
    public var width: Int { spans.reduce(0) { $0 + CharacterWidth.of($1.text) } }
    public var text: String { spans.map(\.text).joined() }
}

public enum TextWrap {
    private struct Glyph {
        var character: Character
        var width: Int
        var style: Style
    }

    /// Wraps `spans` to `width` cells; explicit newlines start new lines. `indent` prefixes continuation lines.
    public static func wrap(_ spans: [Span], width: Int, indent: Span? = nil) -> [StyledLine] {
        guard width > 0 else { return [] }
        var lines: [StyledLine] = []
        var paragraph: [Glyph] = []
        for span in spans {
            for ch in span.text {
                if ch == "\n" || ch == "\r\n" {
                    lines += wrapParagraph(paragraph, width: width, indent: indent)
                    paragraph = []
                    continue
                }
                let c: Character = ch == "\t" ? " " : ch
                let w = CharacterWidth.of(c)
                if w > 0 { paragraph.append(Glyph(character: c, width: w, style: span.style)) }
            }
        }
        lines += wrapParagraph(paragraph, width: width, indent: indent)
        return lines
    }

    /// Plain-text convenience.
    public static func wrap(_ text: String, width: Int, style: Style = .text) -> [StyledLine] {
        wrap([Span(text, style)], width: width)
    }

    private static func wrapParagraph(_ glyphs: [Glyph], width: Int, indent: Span?) -> [StyledLine] {
        if glyphs.isEmpty { return [StyledLine()] }
        var out: [StyledLine] = []
        var line: [Glyph] = []
        var lineWidth = 0
        var lastBreak = 0               // glyph count of the line up to the last break opportunity
        let indentWidth = indent.map { CharacterWidth.of($0.text) } ?? 0
        var limit = width

        func emit(_ count: Int) {
            var kept = Array(line[0..<count])
            while kept.last?.character == " " { kept.removeLast() }
            var spans = makeSpans(kept)
            if !out.isEmpty, let indent, indentWidth < width { spans.insert(indent, at: 0) }
            out.append(StyledLine(spans))
            var rest = Array(line[count...])
            while rest.first?.character == " " { rest.removeFirst() }
            line = rest
            lineWidth = rest.reduce(0) { $0 + $1.width }
            lastBreak = 0
            limit = indentWidth < width ? width - indentWidth : width
        }

        for g in glyphs {
            if g.width == 2, !line.isEmpty { lastBreak = line.count }
            if lineWidth + g.width > limit {
                if g.character == " " { emit(line.count); continue }
                emit(lastBreak > 0 ? lastBreak : line.count)
                while lineWidth + g.width > limit, !line.isEmpty { emit(line.count) }
            }
            if g.character == " " && line.isEmpty && !out.isEmpty { continue }
            line.append(g)
            lineWidth += g.width
            if g.character == " " || g.width == 2 { lastBreak = line.count }
        }
        if !line.isEmpty || out.isEmpty { emit(line.count) }
        return out
    }

    private static func makeSpans(_ glyphs: [Glyph]) -> [Span] {
        var spans: [Span] = []
        for g in glyphs {
            if let last = spans.last, last.style == g.style {
                spans[spans.count - 1].text.append(g.character)
            } else {
                spans.append(Span(String(g.character), g.style))
            }
        }
        return spans
    }
}

public extension ScreenBuffer {
    /// Writes one styled line at (x, y) clipped to `clip`; returns the x after it.
    @discardableResult
    mutating func write(_ line: StyledLine, x: Int, y: Int, clip: Rect) -> Int {
        var cx = x
        for span in line.spans { cx = write(span.text, x: cx, y: y, style: span.style, clip: clip) }
        return cx
    }
}
