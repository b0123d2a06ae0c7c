// Pre-tokenizer stages that llama.cpp runs through std::regex over "collapsed" text (one byte per code point):
// \p{N} (one digit each), \p{N}+, [\p{P}\$\+<=>\^~\|]+ and [0-9][0-9][0-9]. Matches and the gaps between them
// both become chunks, as unicode_regex_split_stl emits them.

struct ClassSplit: PreTokenizerStage {
    enum Kind: Sendable { case digit, numberRun, defaultPunctuation, threeDigits }
    let kind: Kind

    static let digit = ClassSplit(kind: .digit)
    static let numberRun = ClassSplit(kind: .numberRun)
    static let defaultPunctuation = ClassSplit(kind: .defaultPunctuation)
    static let threeDigits = ClassSplit(kind: .threeDigits)

    /// ASCII members of [\p{P}\$\+<=>\^~\|] after llama.cpp's collapsing: ASCII punctuation and symbols except '`'.
    private static func isDefaultPunctuation(_ c: UInt32, _ f: UInt8) -> Bool {
        if c < 0x80 {
            switch c {
            case 0x21...0x2F, 0x3A...0x40, 0x5B...0x5E, 0x5F, 0x7B...0x7E: return true
            default: return false
            }
        }
        return f & CodepointFlag.whitespace == 0 && f & CodepointFlag.categoryMask == CodepointFlag.punctuation
    }

    private static func isNumber(_ c: UInt32, _ f: UInt8) -> Bool {
        if c < 0x80 { return c >= 0x30 && c <= 0x39 }
        return f & CodepointFlag.whitespace == 0 && f & CodepointFlag.categoryMask == CodepointFlag.number
    }

    /// The end of a match starting at `p` (nil when none starts there).
    private func match(_ cpts: UnsafeBufferPointer<UInt32>, _ flags: UnsafeBufferPointer<UInt8>, _ p: Int, _ hi: Int) -> Int? {
        switch kind {
        case .digit:
            return Self.isNumber(cpts[p], flags[p]) ? p + 1 : nil
        case .numberRun, .defaultPunctuation:
            let test = kind == .numberRun ? Self.isNumber : Self.isDefaultPunctuation
            var q = p
            while q < hi && test(cpts[q], flags[q]) { q += 1 }
            return q > p ? q : nil
        case .threeDigits:
            guard p + 3 <= hi else { return nil }
            for q in p..<(p + 3) where !(cpts[q] >= 0x30 && cpts[q] <= 0x39) { return nil }
            return p + 3
        }
    }

    func split(_ text: CodepointBuffer, chunkEnds: [Int]) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(chunkEnds.count * 2)
        text.codepoints.withUnsafeBufferPointer { cpts in
            text.flags.withUnsafeBufferPointer { flags in
                var start = 0
                for end in chunkEnds {
                    var p = start
                    var gapStart = start
                    while p < end {
                        if let e = match(cpts, flags, p, end) {
                            if p > gapStart { out.append(p) }
                            out.append(e)
                            p = e
                            gapStart = e
                        } else {
                            p += 1
                        }
                    }
                    if end > gapStart { out.append(end) }
                    start = end
                }
            }
        }
        return out
    }
}
