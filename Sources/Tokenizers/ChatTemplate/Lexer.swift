// Lexer: template source → tokens, with jinja2's whitespace rules as HF configures them
// (trim_blocks, lstrip_blocks, `-`/`+` markers, one trailing newline dropped, CRLF → LF).

enum TokenKind: Equatable, Sendable {
    case text(String)
    case variableBegin, variableEnd, blockBegin, blockEnd
    case name(String)
    case string(String)
    case integer(Int)
    case float(Double)
    case op(String)
    case eof
}

struct Token: Sendable {
    var kind: TokenKind
    var position: SourcePosition
}

struct Lexer {
    let trimBlocks = true
    let lstripBlocks = true
    private let src: [Unicode.Scalar]
    private var lineStarts: [Int] = [0]
    private var pos = 0
    private var tokens: [Token] = []

    init(source: String) {
        // Python's splitlines-on-\r\n|\r|\n, then keep_trailing_newline=False drops one final newline.
        var scalars: [Unicode.Scalar] = []
        var iterator = source.unicodeScalars.makeIterator()
        var pending = iterator.next()
        while let s = pending {
            pending = iterator.next()
            if s == "\r" {
                scalars.append("\n")
                if pending == "\n" { pending = iterator.next() }
            } else {
                scalars.append(s)
            }
        }
        if scalars.last == "\n" { scalars.removeLast() }
        src = scalars
        for (i, s) in src.enumerated() where s == "\n" { lineStarts.append(i + 1) }
    }

    static func tokenize(_ source: String) throws -> [Token] {
        var lexer = Lexer(source: source)
        try lexer.run()
        return lexer.tokens
    }

    func position(_ offset: Int) -> SourcePosition {
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return SourcePosition(line: lo + 1, column: offset - lineStarts[lo] + 1)
    }

    private func at(_ i: Int) -> Unicode.Scalar? { i < src.count ? src[i] : nil }
    private func starts(_ s: String, at i: Int) -> Bool {
        var j = i
        for c in s.unicodeScalars { guard at(j) == c else { return false }; j += 1 }
        return true
    }
    private func string(_ range: Range<Int>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: src[range])
        return String(view)
    }
    private func fail(_ message: String, _ offset: Int) -> ChatTemplateError {
        let p = position(offset)
        return ChatTemplateError(.syntax, message, line: p.line, column: p.column)
    }

    private mutating func run() throws {
        while pos < src.count {
            guard let open = nextTagStart(from: pos) else {
                emitText(pos..<src.count, sign: nil, isVariable: true)
                break
            }
            let kind = src[open + 1]
            let signScalar = at(open + 2)
            let sign: Unicode.Scalar? = (signScalar == "-" || signScalar == "+") ? signScalar : nil
            emitText(pos..<open, sign: sign, isVariable: kind == "{")
            let inner = open + 2 + (sign == nil ? 0 : 1)
            switch kind {
            case "#": try skipComment(from: inner, open: open)
            case "{":
                tokens.append(Token(kind: .variableBegin, position: position(open)))
                pos = inner
                try lexExpression(open: open, isBlock: false)
            default:
                if let afterRaw = rawBlockStart(inner) {
                    try lexRaw(contentStart: afterRaw, open: open)
                } else {
                    tokens.append(Token(kind: .blockBegin, position: position(open)))
                    pos = inner
                    try lexExpression(open: open, isBlock: true)
                }
            }
        }
        tokens.append(Token(kind: .eof, position: position(src.count)))
    }

    private func nextTagStart(from start: Int) -> Int? {
        var i = start
        while i + 1 < src.count {
            if src[i] == "{", src[i + 1] == "{" || src[i + 1] == "%" || src[i + 1] == "#" { return i }
            i += 1
        }
        return nil
    }

    /// Emits data text before a tag, applying `{%-`-style stripping or lstrip_blocks.
    private mutating func emitText(_ range: Range<Int>, sign: Unicode.Scalar?, isVariable: Bool) {
        var end = range.upperBound
        if sign == "-" {
            while end > range.lowerBound, isPythonSpace(src[end - 1]) { end -= 1 }
        } else if sign != "+", lstripBlocks, !isVariable, range.upperBound < src.count {
            var lineStart = end
            while lineStart > range.lowerBound, src[lineStart - 1] != "\n" { lineStart -= 1 }
            let lineStarting = range.lowerBound == 0 || src[range.lowerBound - 1] == "\n"
            if lineStart > range.lowerBound || lineStarting,
               src[lineStart..<end].allSatisfy({ $0 == " " || $0 == "\t" }) {
                end = lineStart
            }
        }
        if end > range.lowerBound {
            tokens.append(Token(kind: .text(string(range.lowerBound..<end)), position: position(range.lowerBound)))
        }
    }

    /// After a block/comment end: `-` strips all following whitespace; trim_blocks removes one newline.
    private mutating func afterBlockEnd(_ i: Int, sign: Unicode.Scalar?) -> Int {
        var j = i
        if sign == "-" {
            while j < src.count, isPythonSpace(src[j]) { j += 1 }
        } else if sign == nil, trimBlocks, at(j) == "\n" {
            j += 1
        }
        return j
    }

    private mutating func skipComment(from start: Int, open: Int) throws {
        var i = start
        while i < src.count {
            if starts("#}", at: i) { pos = afterBlockEnd(i + 2, sign: nil); return }
            if (src[i] == "-" || src[i] == "+"), starts("#}", at: i + 1) {
                pos = afterBlockEnd(i + 3, sign: src[i]); return
            }
            i += 1
        }
        throw fail("missing end of comment tag", open)
    }

    /// `{% raw %}` (any spacing, optional `-`): returns the offset after its `%}`.
    private func rawBlockStart(_ inner: Int) -> Int? {
        var i = inner
        while let c = at(i), isPythonSpace(c) { i += 1 }
        guard starts("raw", at: i) else { return nil }
        i += 3
        while let c = at(i), isPythonSpace(c) { i += 1 }
        if starts("%}", at: i) { return i + 2 }
        if starts("-%}", at: i) {
            var j = i + 3
            while let c = at(j), isPythonSpace(c) { j += 1 }
            return j
        }
        return nil
    }

    private mutating func lexRaw(contentStart: Int, open: Int) throws {
        var i = contentStart
        while let close = nextTagStart(from: i) {
            defer { i = close + 2 }
            guard src[close + 1] == "%" else { continue }
            var j = close + 2
            let sign: Unicode.Scalar? = (at(j) == "-" || at(j) == "+") ? at(j) : nil
            if sign != nil { j += 1 }
            while let c = at(j), isPythonSpace(c) { j += 1 }
            guard starts("endraw", at: j) else { continue }
            j += 6
            while let c = at(j), isPythonSpace(c) { j += 1 }
            var endSign: Unicode.Scalar? = nil
            if at(j) == "-" || at(j) == "+" { endSign = at(j); j += 1 }
            guard starts("%}", at: j) else { continue }
            emitText(contentStart..<close, sign: sign, isVariable: false)
            pos = afterBlockEnd(j + 2, sign: endSign)
            return
        }
        throw fail("missing end of raw directive", open)
    }
}

func isPythonSpace(_ s: Unicode.Scalar) -> Bool {
    s.properties.isWhitespace || (0x1C...0x1F).contains(s.value)
}

// MARK: Inside `{{ … }}` and `{% … %}`

extension Lexer {
    private static let operators3: [String] = []
    private static let operators2 = ["**", "//", "==", "!=", ">=", "<="]
    private static let operators1 = Set("+-/*%~[](){}<>=.:|,;".unicodeScalars)

    fileprivate mutating func lexExpression(open: Int, isBlock: Bool) throws {
        var depth = 0
        while true {
            while let c = at(pos), isPythonSpace(c) { pos += 1 }
            guard pos < src.count else {
                throw fail(isBlock ? "unexpected end of template: missing '%}'" : "unexpected end of template: missing '}}'", open)
            }
            if depth == 0, try lexTagEnd(isBlock: isBlock) { return }
            let start = pos
            let c = src[pos]
            if c == "'" || c == "\"" {
                tokens.append(Token(kind: .string(try lexString(quote: c)), position: position(start)))
            } else if c.properties.numericType != nil, ("0"..."9").contains(c) {
                tokens.append(Token(kind: try lexNumber(), position: position(start)))
            } else if c == "_" || c.properties.isAlphabetic {
                while let d = at(pos), d == "_" || d.properties.isAlphabetic || ("0"..."9").contains(d) { pos += 1 }
                tokens.append(Token(kind: .name(string(start..<pos)), position: position(start)))
            } else if let op = Self.operators2.first(where: { starts($0, at: pos) }) {
                pos += 2
                tokens.append(Token(kind: .op(op), position: position(start)))
            } else if Self.operators1.contains(c) {
                pos += 1
                if "([{".unicodeScalars.contains(c) { depth += 1 }
                if ")]}".unicodeScalars.contains(c) { depth = max(0, depth - 1) }
                tokens.append(Token(kind: .op(String(Character(c))), position: position(start)))
            } else {
                throw fail("unexpected character '\(Character(c))'", pos)
            }
        }
    }

    /// Recognises `%}`, `-%}`, `+%}` (blocks) or `}}`, `-}}` (variables) and consumes what follows.
    private mutating func lexTagEnd(isBlock: Bool) throws -> Bool {
        let close = isBlock ? "%}" : "}}"
        var sign: Unicode.Scalar? = nil
        var i = pos
        if (src[i] == "-" || (isBlock && src[i] == "+")), starts(close, at: i + 1) { sign = src[i]; i += 1 }
        guard starts(close, at: i) else { return false }
        let endPos = position(pos)
        tokens.append(Token(kind: isBlock ? .blockEnd : .variableEnd, position: endPos))
        if isBlock {
            pos = afterBlockEnd(i + 2, sign: sign)
        } else {
            pos = i + 2
            if sign == "-" { while let c = at(pos), isPythonSpace(c) { pos += 1 } }
        }
        return true
    }

    private mutating func lexNumber() throws -> TokenKind {
        let start = pos
        let afterDot = start > 0 && src[start - 1] == "."
        func digits(_ lexer: inout Lexer) {
            while let d = lexer.at(lexer.pos), ("0"..."9").contains(d) || (d == "_" && lexer.at(lexer.pos + 1).map { ("0"..."9").contains($0) } == true) {
                lexer.pos += 1
            }
        }
        digits(&self)
        var isFloat = false
        if !afterDot, at(pos) == ".", let d = at(pos + 1), ("0"..."9").contains(d) {
            isFloat = true; pos += 1; digits(&self)
        }
        if !afterDot, at(pos) == "e" || at(pos) == "E" {
            var j = pos + 1
            if at(j) == "+" || at(j) == "-" { j += 1 }
            if let d = at(j), ("0"..."9").contains(d) { isFloat = true; pos = j; digits(&self) }
        }
        let text = string(start..<pos).replacingOccurrences(of: "_", with: "")
        if isFloat, let d = Double(text) { return .float(d) }
        guard let i = Int(text) else { throw fail("integer literal too large", start) }
        return .integer(i)
    }

    /// A quoted literal, decoded as Python's "unicode-escape" does (unknown escapes stay as written).
    private mutating func lexString(quote: Unicode.Scalar) throws -> String {
        let open = pos
        pos += 1
        var out = String.UnicodeScalarView()
        while pos < src.count {
            let c = src[pos]
            pos += 1
            if c == quote { return String(out) }
            guard c == "\\", pos < src.count else { out.append(c); continue }
            let e = src[pos]
            pos += 1
            switch e {
            case "\n": break
            case "\\", "'", "\"": out.append(e)
            case "n": out.append("\n")
            case "t": out.append("\t")
            case "r": out.append("\r")
            case "a": out.append("\u{07}")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "v": out.append("\u{0B}")
            case "x", "u", "U":
                let count = e == "x" ? 2 : (e == "u" ? 4 : 8)
                guard pos + count <= src.count, let v = UInt32(string(pos..<pos + count), radix: 16),
                      let scalar = Unicode.Scalar(v) else { throw fail("invalid \\\(Character(e)) escape in string", pos - 2) }
                out.append(scalar)
                pos += count
            case "0"..."7":
                var v = e.value - 48
                var n = 1
                while n < 3, let d = at(pos), ("0"..."7").contains(d) { v = v * 8 + d.value - 48; pos += 1; n += 1 }
                out.append(Unicode.Scalar(v) ?? "\u{FFFD}")
            default:
                out.append("\\"); out.append(e)
            }
        }
        throw fail("unterminated string literal", open)
    }
}
