// The bottom bar: left items then right-aligned items, all in the status style, truncated to fit.

public struct StatusBar: Sendable {
    public var left: [Span]
    public var right: [Span]

    public init(left: [Span], right: [Span] = []) {
        self.left = left
        self.right = right
    }

    public func render(in rect: Rect, into buffer: inout ScreenBuffer) {
        guard !rect.isEmpty else { return }
        let row = Rect(x: rect.x, y: rect.y, width: rect.width, height: 1)
        buffer.fill(row, with: Cell(" ", style: Style(.statusBar)))
        let rightLine = StyledLine(right)
        let rightWidth = min(rightLine.width, rect.width)
        let leftClip = Rect(x: rect.x, y: rect.y, width: rect.width - rightWidth - 1, height: 1)
        buffer.write(StyledLine(left), x: rect.x, y: rect.y, clip: leftClip)
        if rightWidth > 0 { buffer.write(rightLine, x: rect.maxX - rightWidth, y: rect.y, clip: row) }
    }
}
