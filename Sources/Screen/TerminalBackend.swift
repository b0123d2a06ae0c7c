// The one surface between the renderer and a terminal: draw changed cells, flush, cursor, size and input.
// `NcursesBackend` (Terminal target) and `MemoryBackend` (tests) conform; nothing here knows ncurses.

public struct CellChange: Hashable, Sendable {
    public var x: Int
    public var y: Int
    public var cell: Cell
    public init(x: Int, y: Int, cell: Cell) {
        self.x = x
        self.y = y
        self.cell = cell
    }
}

public protocol TerminalBackend: AnyObject {
    /// Current terminal size in cells.
    var size: Size { get }
    /// Draws the given cells (a wide cell covers the next column too; continuations are never sent).
    func draw(_ changes: [CellChange])
    /// Blanks the whole screen (before a full redraw).
    func clear()
    /// Shows the cursor at `position`, or hides it when nil.
    func setCursor(_ position: Point?)
    /// Makes what was drawn visible.
    func flush()
    /// Input that arrived since the last call; never blocks.
    func pollEvents() -> [TerminalEvent]
    /// Maps style roles to colours.
    func apply(theme: Theme)
    /// Gives the terminal back to the shell and stops the process (Ctrl-Z); returns after `fg`. Returns false
    /// when it cannot (no job control to resume it) and did nothing.
    func suspend() -> Bool
}

public extension TerminalBackend {
    func apply(theme: Theme) {}
    func suspend() -> Bool { false }
}
