// A table with a bold header row and fixed column widths; cells are truncated, never wrapped.

public struct Table: Sendable {
    public struct Column: Sendable {
        public var title: String
        public var width: Int
        public var alignRight: Bool
        public init(_ title: String, width: Int, alignRight: Bool = false) {
            self.title = title
            self.width = width
            self.alignRight = alignRight
        }
    }

    public var columns: [Column]
    public var rows: [[String]]
    public var headerStyle: Style
    public var style: Style

    public init(columns: [Column], rows: [[String]], headerStyle: Style = Style(.heading, .bold),
                style: Style = .text) {
        self.columns = columns
        self.rows = rows
        self.headerStyle = headerStyle
        self.style = style
    }

    public func render(in rect: Rect, into buffer: inout ScreenBuffer) {
        guard !rect.isEmpty else { return }
        drawRow(columns.map(\.title), y: rect.y, style: headerStyle, rect: rect, buffer: &buffer)
        for (i, row) in rows.prefix(rect.height - 1).enumerated() {
            drawRow(row, y: rect.y + 1 + i, style: style, rect: rect, buffer: &buffer)
        }
    }

    private func drawRow(_ cells: [String], y: Int, style: Style, rect: Rect, buffer: inout ScreenBuffer) {
        var x = rect.x
        for (column, text) in zip(columns, cells) {
            guard x < rect.maxX else { break }
            let width = min(column.width, rect.maxX - x)
            let shown = Text.truncate(text, to: width)
            let pad = column.alignRight ? width - CharacterWidth.of(shown) : 0
            buffer.write(shown, x: x + pad, y: y, style: style, clip: Rect(x: x, y: y, width: width, height: 1).intersection(rect))
            x += column.width + 1
        }
    }
}
