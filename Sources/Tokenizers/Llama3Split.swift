// Llama 3's pre-tokenizer regex (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
//  ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+  as llama.cpp's unicode_regex_split_custom_llama3 scans it.
// With maxDigits 1 it is Qwen 2's regex (\p{N} instead of \p{N}{1,3}), which llama.cpp runs through std::regex.

struct Llama3Split: PreTokenizerStage {
    let maxDigits: Int

    func split(_ text: CodepointBuffer, chunkEnds: [Int]) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(text.count / 3 + chunkEnds.count)
        text.codepoints.withUnsafeBufferPointer { cpts in
            text.flags.withUnsafeBufferPointer { flags in
                var start = 0
                for end in chunkEnds {
                    scan(cpts, flags, start, end, &out)
                    start = end
                }
            }
        }
        return out
    }

    @inline(__always)
    private static func lower(_ c: UInt32) -> UInt32 { (c >= 0x41 && c <= 0x5A) ? c + 32 : c }

    private func scan(_ cpts: UnsafeBufferPointer<UInt32>, _ flags: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int,
                      _ out: inout [Int]) {
        @inline(__always) func flagsAt(_ p: Int) -> UInt8 { p < hi ? flags[p] : 0 }
        @inline(__always) func isNewline(_ p: Int) -> Bool { p < hi && (cpts[p] == 0x0D || cpts[p] == 0x0A) }
        let L = CodepointFlag.letter, N = CodepointFlag.number, W = CodepointFlag.whitespace
        var pos = lo
        while pos < hi {
            let c = cpts[pos]
            let f = flags[pos]
            // (?i:'s|'t|'re|'ve|'m|'ll|'d)
            if c == 0x27 && pos + 1 < hi {
                let n = Self.lower(cpts[pos + 1])
                if n == 0x73 || n == 0x74 || n == 0x6D || n == 0x64 { pos += 2; out.append(pos); continue }
                if pos + 2 < hi {
                    let nn = Self.lower(cpts[pos + 2])
                    if (n == 0x72 && nn == 0x65) || (n == 0x76 && nn == 0x65) || (n == 0x6C && nn == 0x6C) {
                        pos += 3; out.append(pos); continue
                    }
                }
            }
            // [^\r\n\p{L}\p{N}]?\p{L}+
            if !(c == 0x0D || c == 0x0A || f & N != 0) {
                if f & L != 0 || flagsAt(pos + 1) & L != 0 {
                    pos += 1
                    while flagsAt(pos) & L != 0 { pos += 1 }
                    out.append(pos); continue
                }
            }
            // \p{N}{1,maxDigits}
            if f & N != 0 {
                var first = pos
                while flagsAt(pos) & N != 0 {
                    pos += 1
                    if pos - first >= maxDigits { out.append(pos); first = pos }
                }
                if out.last != pos { out.append(pos) }
                continue
            }
            //  ?[^\s\p{L}\p{N}]+[\r\n]*
            let f2 = c == 0x20 ? flagsAt(pos + 1) : f
            if f2 & (W | L | N) == 0 {
                if c == 0x20 { pos += 1 }
                while true {
                    let g = flagsAt(pos)
                    if g & (W | L | N) != 0 || g == 0 { break }
                    pos += 1
                }
                while isNewline(pos) { pos += 1 }
                out.append(pos); continue
            }
            var spaces = 0
            var lastNewlineEnd = 0
            while flagsAt(pos + spaces) & W != 0 {
                if isNewline(pos + spaces) { lastNewlineEnd = pos + spaces + 1 }
                spaces += 1
            }
            if lastNewlineEnd > 0 { pos = lastNewlineEnd; out.append(pos); continue }  // \s*[\r\n]+
            if spaces > 1 && pos + spaces < hi { pos += spaces - 1; out.append(pos); continue }  // \s+(?!\S)
            if spaces > 0 { pos += spaces; out.append(pos); continue }  // \s+
            pos += 1
            out.append(pos)
        }
    }
}
