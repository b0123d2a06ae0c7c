// One terminal cell: a grapheme, its display width (2 for wide; the next cell is then a continuation of
// width 0) and a style. Equality is what the renderer diffs.

public struct Cell: Hashable, Sendable {
    public var character: Character
    /// 1 for a normal cell, 2 for the leading half of a wide character, 0 for its trailing continuation.
    public var width: UInt8
    public var style: Style

    public init(_ character: Character, style: Style = .text) {
        self.character = character
        self.width = UInt8(clamping: max(1, CharacterWidth.of(character)))
        self.style = style
    }

    init(character: Character, width: UInt8, style: Style) {
        self.character = character
        self.width = width
        self.style = style
    }

    public static let blank = Cell(character: " ", width: 1, style: .text)
    public var isContinuation: Bool { width == 0 }
    public var isWide: Bool { width == 2 }

    static func continuation(_ style: Style) -> Cell { Cell(character: " ", width: 0, style: style) }
}
