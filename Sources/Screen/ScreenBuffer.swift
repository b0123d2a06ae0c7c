// A grid of cells that views draw into. Writes clip to a rect and to the buffer; a wide character that does
// not fit becomes a space, and overwriting half of a wide character blanks the other half.

public struct ScreenBuffer: Equatable, Sendable {
    public private(set) var size: Size
    public private(set) var cells: [Cell]

    public init(size: Size, fill: Cell = .blank) {
        self.size = size
        self.cells = Array(repeating: fill, count: size.width * size.height)
    }

    /// A buffer filled with `fill` (tests pre-fill with a sentinel such as "x").
    public init(width: Int, height: Int, fill: Character = " ") {
        self.init(size: Size(width: width, height: height), fill: Cell(fill))
    }

    public var bounds: Rect { Rect(size: size) }

    public subscript(x: Int, y: Int) -> Cell {
        guard x >= 0, y >= 0, x < size.width, y < size.height else { return .blank }
        return cells[y * size.width + x]
    }

    /// Sets one cell, repairing any wide character it cuts in half.
    public mutating func set(_ x: Int, _ y: Int, _ cell: Cell) {
        guard x >= 0, y >= 0, x < size.width, y < size.height else { return }
        let i = y * size.width + x
        let old = cells[i]
        if old.isContinuation, x > 0, cells[i - 1].isWide { cells[i - 1] = Cell(character: " ", width: 1, style: cells[i - 1].style) }
        if old.isWide, x + 1 < size.width, cells[i + 1].isContinuation {
            cells[i + 1] = Cell(character: " ", width: 1, style: old.style)
        }
        cells[i] = cell
    }

    public mutating func fill(_ rect: Rect, with cell: Cell = .blank) {
        let r = rect.intersection(bounds)
        for y in r.y..<r.maxY { for x in r.x..<r.maxX { set(x, y, cell) } }
    }

    /// Writes `text` from (x, y), clipped to `clip`; returns the x after the last cell written.
    /// Controls are skipped; a wide character needing two cells where one is left becomes a space.
    @discardableResult
    public mutating func write<S: StringProtocol>(_ text: S, x: Int, y: Int, style: Style = .text,
                                                  clip: Rect? = nil) -> Int {
        let area = (clip ?? bounds).intersection(bounds)
        guard y >= area.y, y < area.maxY else { return x }
        var cx = x
        for ch in text {
            if cx >= area.maxX { break }
            let w = CharacterWidth.of(ch)
            if w == 0 { continue }
            if cx < area.x { cx += w; continue }
            if w == 2 {
                if cx + 1 >= area.maxX {
                    set(cx, y, Cell(character: " ", width: 1, style: style))
                    cx += 1
                    break
                }
                set(cx, y, Cell(character: ch, width: 2, style: style))
                set(cx + 1, y, .continuation(style))
            } else {
                set(cx, y, Cell(character: ch, width: 1, style: style))
            }
            cx += w
        }
        return cx
    }

    /// Sets the style of every cell in `rect` (keeps characters), e.g. to highlight a selected row.
    public mutating func setStyle(_ style: Style, in rect: Rect) {
        let r = rect.intersection(bounds)
        for y in r.y..<r.maxY { for x in r.x..<r.maxX { cells[y * size.width + x].style = style } }
    }

    /// Each row as text; continuation cells are left out so a wide character shows once.
    public var rows: [String] {
        (0..<size.height).map { y in
            var s = ""
            for x in 0..<size.width where !self[x, y].isContinuation { s.append(self[x, y].character) }
            return s
        }
    }

    /// Run-length roles of one row, e.g. "3:user 20:text" (attributes as +bold etc.).
    public func styleRuns(row y: Int) -> String {
        var runs: [(Int, Style)] = []
        for x in 0..<size.width {
            let style = self[x, y].style
            if let last = runs.last, last.1 == style { runs[runs.count - 1].0 += 1 } else { runs.append((1, style)) }
        }
        return runs.map { "\($0.0):\($0.1.role.rawValue)\(Self.attributeSuffix($0.1.attributes))" }
            .joined(separator: " ")
    }

    static func attributeSuffix(_ a: Attributes) -> String {
        var s = ""
        if a.contains(.bold) { s += "+bold" }
        if a.contains(.dim) { s += "+dim" }
        if a.contains(.italic) { s += "+italic" }
        if a.contains(.underline) { s += "+underline" }
        if a.contains(.reverse) { s += "+reverse" }
        return s
    }
}
