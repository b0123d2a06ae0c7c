// Raw terminal input to events: control keys, Alt keys, Alt-Enter, bracketed paste and paste bursts.
import Screen
import Testing

private func scalars(_ text: String) -> [RawInput] { text.unicodeScalars.map { .scalar($0) } }

@Test func controlBytesBecomeKeys() {
    var decoder = InputDecoder()
    #expect(decoder.decode(scalars("a\r\u{11}\u{7F}\t\u{1A}")) ==
            [.key(.char("a")), .key(.enter), .key(.ctrl("q")), .key(.backspace), .key(.tab), .key(.ctrl("z"))])
    #expect(decoder.decode(scalars("\n")) == [.key(.ctrl("j"))])
}

@Test func escapePrefixesAltAndAltEnter() {
    var decoder = InputDecoder()
    #expect(decoder.decode(scalars("\u{1B}1")) == [.key(.alt("1"))])
    #expect(decoder.decode(scalars("\u{1B}\r")) == [.key(.altEnter)])
    #expect(decoder.decode(scalars("\u{1B}")) == [.key(.escape)])
    #expect(decoder.decode(scalars("\u{1B}[99;5u")) == [])               // unknown CSI sequence is dropped
}

@Test func bracketedPasteIsOneEventEvenAcrossPolls() {
    var decoder = InputDecoder()
    #expect(decoder.decode(scalars("\u{1B}[200~line 1\rline")) == [])
    #expect(decoder.decode(scalars(" 2\u{1B}[201~x")) == [.paste("line 1\rline 2"), .key(.char("x"))])
}

@Test func burstOfTextWithNewlinesIsAPasteButTypingEnterIsNot() {
    var decoder = InputDecoder()
    #expect(decoder.decode(scalars("first line\rsecond line\r")) == [.paste("first line\nsecond line\n")])
    #expect(decoder.decode(scalars("a\r")) == [.key(.char("a")), .key(.enter)])
    #expect(decoder.decode(scalars("hi you\r")) == scalars("hi you").compactMap {
        if case .scalar(let s) = $0 { .key(.char(Character(s))) } else { nil }
    } + [.key(.enter)])
    #expect(decoder.decode([.key(.up), .scalar("x")]) == [.key(.up), .key(.char("x"))])
}
