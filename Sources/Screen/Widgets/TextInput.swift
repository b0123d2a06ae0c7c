// A multi-line text editor: `TextInputState` is the text and cursor (pure editing operations);
// `TextInput` draws it wrapped to a rect, scrolled to keep the cursor visible, and returns the cursor cell.

public struct TextInputState: Hashable, Sendable {
    public private(set) var characters: [Character]
    /// Index in `characters` before which typing inserts.
    public private(set) var cursor: Int

    public init(_ text: String = "") {
        characters = Array(text)
        cursor = characters.count
    }

    public var text: String { String(characters) }
    public var isEmpty: Bool { characters.isEmpty }
    public var lineCount: Int { characters.reduce(1) { $0 + ($1 == "\n" ? 1 : 0) } }
    /// True when the cursor is on the first logical line (Up then recalls history).
    public var cursorOnFirstLine: Bool { !characters[..<cursor].contains("\n") }
    public var cursorOnLastLine: Bool { !characters[cursor...].contains("\n") }

    public mutating func insert(_ text: String) {
        let new: [Character] = text.map { $0 == "\r\n" || $0 == "\r" ? "\n" : $0 == "\t" ? " " : $0 }
        characters.insert(contentsOf: new, at: cursor)
        cursor += new.count
    }

    public mutating func backspace() {
        guard cursor > 0 else { return }
        characters.remove(at: cursor - 1)
        cursor -= 1
    }

    public mutating func deleteForward() {
        if cursor < characters.count { characters.remove(at: cursor) }
    }

    public mutating func moveLeft() { cursor = max(0, cursor - 1) }
    public mutating func moveRight() { cursor = min(characters.count, cursor + 1) }
    public mutating func moveToLineStart() { cursor = lineStart(cursor) }
    public mutating func moveToLineEnd() {
        while cursor < characters.count, characters[cursor] != "\n" { cursor += 1 }
    }

    public mutating func moveUp() {
        let start = lineStart(cursor)
        guard start > 0 else { return }
        let column = cursor - start
        let previousStart = lineStart(start - 1)
        cursor = min(previousStart + column, start - 1)
    }

    public mutating func moveDown() {
        let column = cursor - lineStart(cursor)
        var end = cursor
        while end < characters.count, characters[end] != "\n" { end += 1 }
        guard end < characters.count else { return }
        var nextEnd = end + 1
        while nextEnd < characters.count, characters[nextEnd] != "\n" { nextEnd += 1 }
        cursor = min(end + 1 + column, nextEnd)
    }

    public mutating func clear() {
        characters = []
        cursor = 0
    }

    private func lineStart(_ index: Int) -> Int {
        var i = index
        while i > 0, characters[i - 1] != "\n" { i -= 1 }
        return i
    }
}

public struct TextInput: Sendable {
    public var state: TextInputState
    public var placeholder: String
    public var style: Style

    public init(state: TextInputState, placeholder: String = "", style: Style = Style(.input)) {
        self.state = state
        self.placeholder = placeholder
        self.style = style
    }

    /// Rows the text needs at `width` (for sizing the input box).
    public func rowCount(width: Int) -> Int { layout(width: width).rows }

    /// Draws the text and returns where the cursor goes (nil when the rect is empty).
    @discardableResult
    public func render(in rect: Rect, into buffer: inout ScreenBuffer) -> Point? {
        guard !rect.isEmpty else { return nil }
        if state.isEmpty, !placeholder.isEmpty {
            Text.render(placeholder, style: Style(.dim), in: rect, into: &buffer)
            return Point(x: rect.x, y: rect.y)
        }
        let l = layout(width: rect.width)
        let top = max(0, l.cursor.y - rect.height + 1)
        for (i, position) in l.positions.enumerated() where position.y >= top && position.y < top + rect.height {
            let ch = state.characters[i]
            if ch == "\n" { continue }
            buffer.write(String(ch), x: rect.x + position.x, y: rect.y + position.y - top, style: style, clip: rect)
        }
        return Point(x: rect.x + min(l.cursor.x, rect.width - 1), y: rect.y + l.cursor.y - top)
    }

    /// Position of every character and of the cursor when hard-wrapped to `width`.
    private func layout(width: Int) -> (positions: [Point], cursor: Point, rows: Int) {
        var positions: [Point] = []
        positions.reserveCapacity(state.characters.count)
        var x = 0, y = 0
        var cursor = Point(x: 0, y: 0)
        for (i, ch) in state.characters.enumerated() {
            if i == state.cursor { cursor = Point(x: x, y: y) }
            if ch == "\n" {
                positions.append(Point(x: x, y: y))
                x = 0
                y += 1
                continue
            }
            let w = max(1, CharacterWidth.of(ch))
            if x + w > max(1, width) { x = 0; y += 1 }
            if i == state.cursor { cursor = Point(x: x, y: y) }
            positions.append(Point(x: x, y: y))
            x += w
        }
        if state.cursor == state.characters.count {
            if x >= width { x = 0; y += 1 }
            cursor = Point(x: x, y: y)
        }
        return (positions, cursor, y + 1)
    }
}
