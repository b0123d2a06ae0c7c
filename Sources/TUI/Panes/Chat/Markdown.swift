// Light markdown for replies: headings, bullet and numbered lists, quotes, fenced code, **bold** and `code`;
// <think>…</think> sections fold to one line unless shown. Output is wrapped styled lines.
import Foundation
import Screen

enum Markdown {
    /// `text` as display lines of at most `width` cells.
    static func lines(_ text: String, width: Int, base: Style, showThinking: Bool) -> [StyledLine] {
        guard width > 0 else { return [] }
        var out: [StyledLine] = []
        for segment in thinkSegments(text) {
            if segment.isThinking {
                let words = segment.text.split(whereSeparator: { $0 == " " || $0 == "\n" }).count
                if showThinking {
                    out.append(StyledLine("▾ thinking", Style(.thinking, .bold)))
                    out += TextWrap.wrap([Span(segment.text.trimmingCharacters(in: .whitespacesAndNewlines),
                                               Style(.thinking))], width: width)
                } else {
                    let label = segment.closed ? "▸ thought for \(words) words (Ctrl-T shows)" : "▸ thinking… \(words) words"
                    out.append(StyledLine(Text.truncate(label, to: width), Style(.thinking)))
                }
            } else {
                out += blocks(segment.text, width: width, base: base)
            }
        }
        return out
    }

    struct Segment {
        var text: String
        var isThinking: Bool
        var closed: Bool
    }

    static func thinkSegments(_ text: String) -> [Segment] {
        var segments: [Segment] = []
        var rest = Substring(text)
        while let open = rest.range(of: "<think>") {
            let before = String(rest[..<open.lowerBound])
            if !before.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                segments.append(Segment(text: before, isThinking: false, closed: true))
            }
            let inside = rest[open.upperBound...]
            if let close = inside.range(of: "</think>") {
                segments.append(Segment(text: String(inside[..<close.lowerBound]), isThinking: true, closed: true))
                rest = inside[close.upperBound...]
            } else {
                segments.append(Segment(text: String(inside), isThinking: true, closed: false))
                return segments
            }
        }
        let tail = segments.isEmpty ? String(rest) : String(rest).trimmingCharacters(in: .newlines)
        if !tail.isEmpty || segments.isEmpty { segments.append(Segment(text: tail, isThinking: false, closed: true)) }
        return segments
    }

    private static func blocks(_ text: String, width: Int, base: Style) -> [StyledLine] {
        var out: [StyledLine] = []
        var inCode = false
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") {
                inCode.toggle()
                let language = trimmed.dropFirst(3)
                out.append(StyledLine(inCode ? "╭─ \(language.isEmpty ? "code" : String(language))" : "╰─",
                                      Style(.dim)))
                continue
            }
            if inCode {
                out += TextWrap.wrap([Span("│ ", Style(.dim)), Span(line, Style(.code))], width: width,
                                     indent: Span("│ ", Style(.dim)))
                continue
            }
            out += block(line: line, trimmed: trimmed, width: width, base: base)
        }
        return out
    }

    private static func block(line: String, trimmed: String, width: Int, base: Style) -> [StyledLine] {
        if let hashes = trimmed.firstIndex(where: { $0 != "#" }), hashes != trimmed.startIndex,
           trimmed[hashes] == " ", trimmed.distance(from: trimmed.startIndex, to: hashes) <= 6 {
            return TextWrap.wrap(inline(String(trimmed[hashes...].dropFirst()), Style(.heading, .bold)), width: width)
        }
        for marker in ["- ", "* ", "+ "] where trimmed.hasPrefix(marker) {
            let depth = (line.count - line.drop(while: { $0 == " " }).count) / 2
            let pad = String(repeating: "  ", count: min(depth, 4))
            return TextWrap.wrap([Span(pad + "• ", Style(.accent))] + inline(String(trimmed.dropFirst(2)), base),
                                 width: width, indent: Span(pad + "  "))
        }
        if let dot = trimmed.firstIndex(of: "."), dot != trimmed.startIndex,
           trimmed[..<dot].allSatisfy(\.isNumber), trimmed[dot...].hasPrefix(". ") {
            let number = String(trimmed[...dot]) + " "
            return TextWrap.wrap([Span(number, Style(.accent))] + inline(String(trimmed[dot...].dropFirst(2)), base),
                                 width: width, indent: Span(String(repeating: " ", count: number.count)))
        }
        if trimmed.hasPrefix("> ") {
            return TextWrap.wrap([Span("▌ ", Style(.dim))] + inline(String(trimmed.dropFirst(2)), Style(.dim)),
                                 width: width, indent: Span("▌ ", Style(.dim)))
        }
        return TextWrap.wrap(inline(line, base), width: width)
    }

    /// Splits **bold** and `code` spans out of one line.
    static func inline(_ text: String, _ base: Style) -> [Span] {
        guard text.contains("**") || text.contains("`") else { return [Span(text, base)] }
        var spans: [Span] = []
        var current = ""
        var bold = false, code = false
        var i = text.startIndex
        func flush() {
            if !current.isEmpty {
                spans.append(Span(current, code ? Style(.code) : bold ? base.adding(.bold) : base))
            }
            current = ""
        }
        while i < text.endIndex {
            if !code, text[i...].hasPrefix("**") {
                flush()
                bold.toggle()
                i = text.index(i, offsetBy: 2)
            } else if text[i] == "`" {
                flush()
                code.toggle()
                i = text.index(after: i)
            } else {
                current.append(text[i])
                i = text.index(after: i)
            }
        }
        flush()
        return spans
    }
}
