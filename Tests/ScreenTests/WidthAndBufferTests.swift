// Display widths, buffer writes with wide characters, and wrapping of CJK/emoji text.
import Screen
import Testing

@Test func widthsOfAsciiCjkEmojiAndCombining() {
    #expect(CharacterWidth.of("a") == 1)
    #expect(CharacterWidth.of("中") == 2)
    #expect(CharacterWidth.of("한") == 2)
    #expect(CharacterWidth.of("😀") == 2)
    #expect(CharacterWidth.of("❤️") == 2)          // VS16 emoji presentation
    #expect(CharacterWidth.of("🇫🇷") == 2)
    #expect(CharacterWidth.of("é") == 1)           // e + combining acute is one grapheme
    #expect(CharacterWidth.of("\u{7}") == 0)
    #expect(CharacterWidth.of("ｱ") == 1)           // halfwidth katakana
    #expect(CharacterWidth.of("Ａ") == 2)          // fullwidth A
    #expect(CharacterWidth.of("日本語 ok") == 9)
}

@Test func wideCharacterTakesTwoCellsWithContinuation() {
    var b = ScreenBuffer(width: 6, height: 1, fill: "x")
    let end = b.write("a中b", x: 0, y: 0)
    #expect(end == 4)
    #expect(b.rows == ["a中bxx"])
    #expect(b[1, 0].isWide)
    #expect(b[2, 0].isContinuation)
}

@Test func wideCharacterThatDoesNotFitBecomesASpace() {
    var b = ScreenBuffer(width: 4, height: 1, fill: "x")
    b.write("ab中", x: 1, y: 0, clip: Rect(x: 0, y: 0, width: 4, height: 1))
    #expect(b.rows == ["xab "])
}

@Test func overwritingHalfAWideCharacterBlanksTheOtherHalf() {
    var b = ScreenBuffer(width: 4, height: 1, fill: "x")
    b.write("中中", x: 0, y: 0)
    b.write("z", x: 1, y: 0)
    #expect(b.rows == [" z中"])
    b.write("y", x: 2, y: 0)
    #expect(b.rows == [" zy "])
}

@Test func writesOutsideTheBufferAreIgnored() {
    var b = ScreenBuffer(width: 3, height: 2, fill: "x")
    b.write("hello", x: -2, y: 0)
    b.write("hello", x: 0, y: 5)
    b.fill(Rect(x: 2, y: 1, width: 10, height: 10), with: Cell("o"))
    #expect(b.rows == ["llo", "xxo"])
    var empty = ScreenBuffer(width: 0, height: 0)
    empty.write("a", x: 0, y: 0)
    #expect(empty.rows == [])
}

@Test func wrapBreaksAtSpacesAndCutsLongWords() {
    let lines = TextWrap.wrap("the quick brown fox", width: 10).map(\.text)
    #expect(lines == ["the quick", "brown fox"])
    #expect(TextWrap.wrap("abcdefghijkl", width: 5).map(\.text) == ["abcde", "fghij", "kl"])
    #expect(TextWrap.wrap("a\n\nb", width: 5).map(\.text) == ["a", "", "b"])
}

@Test func wrapBreaksBetweenCjkCharactersAndKeepsEmojiWhole() {
    #expect(TextWrap.wrap("日本語のテキスト", width: 7).map(\.text) == ["日本語", "のテキ", "スト"])
    #expect(TextWrap.wrap("ok 😀😀😀", width: 5).map(\.text) == ["ok 😀", "😀😀"])
    for line in TextWrap.wrap("混合 mixed テキスト with 絵文字 🎉 and words", width: 9) { #expect(line.width <= 9) }
}

@Test func wrapKeepsStylesPerSpan() {
    let lines = TextWrap.wrap([Span("bold ", Style(.text, .bold)), Span("plain", .text)], width: 20)
    #expect(lines == [StyledLine([Span("bold ", Style(.text, .bold)), Span("plain", .text)])])
}

@Test func styleRunsDescribeRoles() {
    var b = ScreenBuffer(width: 6, height: 1)
    b.write("ab", x: 0, y: 0, style: Style(.user, .bold))
    #expect(b.styleRuns(row: 0) == "2:user+bold 4:text")
}
