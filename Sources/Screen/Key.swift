// Input as values: keys, mouse and terminal events. Defined here so the TUI never sees ncurses.

public enum Key: Hashable, Sendable {
    case char(Character)
    /// Ctrl with a lowercase letter (Ctrl-Q is `.ctrl("q")`).
    case ctrl(Character)
    /// Alt (Meta) with a character (Alt-1 is `.alt("1")`).
    case alt(Character)
    case enter, altEnter, tab, backTab, backspace, delete, escape, insert
    case up, down, left, right, home, end, pageUp, pageDown
    /// F1...F12.
    case function(Int)

    /// How help and the status bar name the key.
    public var label: String {
        switch self {
        case .char(" "): "Space"
        case .char(let c): String(c)
        case .ctrl(let c): "Ctrl-\(String(c).uppercased())"
        case .alt(let c): "Alt-\(c)"
        case .enter: "Enter"
        case .altEnter: "Alt-Enter"
        case .tab: "Tab"
        case .backTab: "Shift-Tab"
        case .backspace: "Backspace"
        case .delete: "Del"
        case .escape: "Esc"
        case .insert: "Ins"
        case .up: "↑"
        case .down: "↓"
        case .left: "←"
        case .right: "→"
        case .home: "Home"
        case .end: "End"
        case .pageUp: "PgUp"
        case .pageDown: "PgDn"
        case .function(let n): "F\(n)"
        }
    }
}

public struct MouseEvent: Hashable, Sendable {
    public enum Kind: Hashable, Sendable { case press, scrollUp, scrollDown }
    public var x: Int
    public var y: Int
    public var kind: Kind
    public init(x: Int, y: Int, kind: Kind) {
        self.x = x
        self.y = y
        self.kind = kind
    }
}

public enum TerminalEvent: Hashable, Sendable {
    case key(Key)
    /// Text pasted at once (bracketed paste, or a burst of input containing newlines).
    case paste(String)
    case resize(Size)
    case mouse(MouseEvent)
    /// The process was told to end (SIGTERM, SIGHUP…): quit as Ctrl-Q does, saving a streaming reply.
    case terminate
}
