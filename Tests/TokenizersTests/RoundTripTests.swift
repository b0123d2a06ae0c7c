// decode(encode(s)) == s on a large varied text: English, code, CJK, emoji (ZWJ sequences, flags, skin tones),
// combining marks, RTL scripts, control characters and whitespace runs.
import Testing
import Tokenizers

@Suite struct RoundTripTests {
    static let variedText: String = {
        var parts = [
            "The quick brown fox jumps over the lazy dog. It's 3:45pm; we'll meet at 221B Baker St. — OK?\n",
            "func f<T: Equatable>(_ x: [T]) -> Int {\n\treturn x.count * 2 // comment\n}\n\n\n",
            "    indented  with   runs\t\tof\t whitespace   \r\n\r\n  trailing   ",
            "中文文本：我们今天去公园散步，天气非常好。「引号」《书名》……\n",
            "日本語のテキスト、カタカナとひらがな。한국어 문장입니다. Русский текст, ελληνικά, עברית, العربية.\n",
            "Emoji: 😀😃😄 👍🏽 🇯🇵🇫🇷 👨‍👩‍👧‍👦 ❤️‍🔥 🏳️‍🌈 🧑🏿‍💻\n",
            "Combining: e\u{301} a\u{308} n\u{303} Z\u{335}\u{32E}a\u{336}l\u{337}g\u{338}o\u{339} ก้ำ हिन्दी\n",
            "Math ∑∫√∞ ≤ ≥ ≠ ±, currency $€£¥₹, symbols ©®™ §¶ †‡, fractions ½ ⅓ ¾, superscripts x² y³\n",
            "Control: \u{1}\u{7}\u{1B}[31mred\u{1B}[0m, zero\u{200B}width, nbsp\u{A0}here, ideographic\u{3000}space\n",
            "URLs https://example.com/a?b=c&d=e#f, emails a.b@c.de, paths /usr/local/bin, C:\\Windows\\System32\n",
            "Numbers 0 1 12 123 1234 12345 3.14159 -42 1e-9 0xDEADBEEF 1,000,000 ٣٤٥ 一二三\n",
            "<div class=\"x\">HTML &amp; entities</div> <table><tr><td>cell</td></tr></table>\n",
            "don't DON'T I'm you're we've they'll she'd it's 'quoted' \"double\" `backtick`\n",
            String(repeating: " ", count: 40) + "\n" + String(repeating: "\n", count: 7) + String(repeating: "\t", count: 9),
        ]
        parts.append(String(TokenizerBench.englishText(bytes: 40_000).prefix(40_000)))
        parts.append(String(TokenizerBench.chineseText(bytes: 20_000).prefix(6_000)))
        return parts.joined()
    }()

    @Test(arguments: ["smollm2", "gemma3"])
    func decodeOfEncodeIsIdentity(model: String) throws {
        let tokenizer = try #require(TestModels.named(model))
        let ids = tokenizer.encode(Self.variedText, addSpecial: true, parseSpecial: false)
        #expect(ids.count > 10_000)
        let decoded = tokenizer.decode(ids, renderSpecial: false)
        if decoded != Self.variedText {
            let a = Array(decoded.unicodeScalars), b = Array(Self.variedText.unicodeScalars)
            let first = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
            func excerpt(_ s: [Unicode.Scalar]) -> String {
                var view = String.UnicodeScalarView()
                view.append(contentsOf: s[min(first, s.count)..<min(s.count, first + 20)])
                return String(view).debugDescription
            }
            Issue.record("first difference at scalar \(first): \(excerpt(a)) vs \(excerpt(b))")
        }
    }

    @Test(arguments: ["smollm2", "gemma3"])
    func piecesConcatenateToTheText(model: String) throws {
        let tokenizer = try #require(TestModels.named(model))
        let text = "Hello 世界 👨‍👩‍👧 e\u{301}\n\tend"
        let bytes = tokenizer.encode(text, addSpecial: false, parseSpecial: false).flatMap { tokenizer.piece($0) }
        #expect(String(decoding: bytes, as: UTF8.self) == text)
    }
}
