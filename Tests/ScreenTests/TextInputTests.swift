// The multi-line editor: editing operations and where the cursor is drawn.
import Screen
import Testing

@Test func editingInsertsDeletesAndMovesByLine() {
    var s = TextInputState()
    s.insert("ab\ncde")
    #expect(s.lineCount == 2)
    #expect(!s.cursorOnFirstLine)
    s.moveUp()
    #expect(s.cursor == 2)
    #expect(s.cursorOnFirstLine)
    s.moveDown()
    #expect(s.cursor == 5)
    s.backspace()
    #expect(s.text == "ab\nce")
    s.moveToLineStart()
    s.insert("X")
    #expect(s.text == "ab\nXce")
    s.insert("p\r\nq\tr")
    #expect(s.text == "ab\nXp\nq rce")
}

@Test func inputWrapsAndPlacesCursorAfterWideText() {
    var b = ScreenBuffer(width: 4, height: 2, fill: "x")
    let cursor = TextInput(state: TextInputState("ab中文")).render(in: b.bounds, into: &b)
    #expect(b.rows == ["ab中", "文xx"])
    #expect(cursor == Point(x: 2, y: 1))
}

@Test func inputScrollsToKeepTheCursorVisible() {
    var b = ScreenBuffer(width: 4, height: 1, fill: "x")
    let cursor = TextInput(state: TextInputState("one\ntwo")).render(in: b.bounds, into: &b)
    #expect(b.rows == ["twox"])
    #expect(cursor == Point(x: 3, y: 0))
}
