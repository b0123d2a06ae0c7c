// Token-by-token detokenization for streaming output: appends each token's bytes and returns only complete UTF-8,
// holding back a character split across tokens (CJK, emoji) until its last byte arrives.

public struct StreamingDetokenizer: Sendable {
    public let tokenizer: any Tokenizer
    /// Show control tokens (<|im_end|>, <end_of_turn> …) instead of hiding them.
    public var renderSpecial: Bool
    private var pending: [UInt8] = []
    private var stripLeadingSpace: Bool

    /// `startOfText`: the tokens start a text (not a continuation of a prompt), so for SentencePiece models that
    /// add a space prefix the first token's leading space is dropped, as llama.cpp's detokenize does.
    public init(tokenizer: any Tokenizer, renderSpecial: Bool = false, startOfText: Bool = false) {
        self.tokenizer = tokenizer
        self.renderSpecial = renderSpecial
        self.stripLeadingSpace = startOfText && tokenizer.addsSpacePrefix
    }

    /// The text that became complete with `token` (possibly empty).
    public mutating func append(_ token: Int32) -> String {
        var piece: [UInt8]
        if !renderSpecial && !tokenizer.attributes(token).isDisjoint(with: .special) {
            piece = []
        } else {
            piece = tokenizer.piece(token)
        }
        if stripLeadingSpace, piece.first == 0x20 { piece.removeFirst() }
        stripLeadingSpace = false
        pending.append(contentsOf: piece)
        let cut = Self.completePrefixLength(pending)
        guard cut > 0 else { return "" }
        let text = String(decoding: pending[0..<cut], as: UTF8.self)
        pending.removeFirst(cut)
        return text
    }

    /// Whatever is held back (an incomplete sequence comes out as U+FFFD).
    public mutating func flush() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// Bytes held back, waiting for the rest of a character.
    public var pendingByteCount: Int { pending.count }

    /// The length of `bytes` without a trailing incomplete UTF-8 sequence.
    static func completePrefixLength(_ bytes: [UInt8]) -> Int {
        var i = bytes.count - 1
        var continuation = 0
        while i >= 0 && continuation < 3 && bytes[i] & 0xC0 == 0x80 { i -= 1; continuation += 1 }
        guard i >= 0 else { return bytes.count }
        let lead = bytes[i]
        let needed = lead >= 0xF8 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
        return needed > bytes.count - i ? i : bytes.count
    }
}
