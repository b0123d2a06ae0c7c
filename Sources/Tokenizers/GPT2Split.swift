// GPT-2's pre-tokenizer regex  's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// as llama.cpp's hand-written unicode_regex_split_custom_gpt2 scans it (chunk edges act as end of text).

struct GPT2Split: PreTokenizerStage {
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

    private func scan(_ cpts: UnsafeBufferPointer<UInt32>, _ flags: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int,
                      _ out: inout [Int]) {
        @inline(__always) func flagsAt(_ p: Int) -> UInt8 { p < hi ? flags[p] : 0 }
        let L = CodepointFlag.letter, N = CodepointFlag.number, W = CodepointFlag.whitespace
        var pos = lo
        while pos < hi {
            let c = cpts[pos]
            let f = flags[pos]
            // 's|'t|'re|'ve|'m|'ll|'d
            if c == 0x27 && pos + 1 < hi {
                let n = cpts[pos + 1]
                if n == 0x73 || n == 0x74 || n == 0x6D || n == 0x64 { pos += 2; out.append(pos); continue }
                if pos + 2 < hi {
                    let nn = cpts[pos + 2]
                    if (n == 0x72 && nn == 0x65) || (n == 0x76 && nn == 0x65) || (n == 0x6C && nn == 0x6C) {
                        pos += 3; out.append(pos); continue
                    }
                }
            }
            let f2 = c == 0x20 ? flagsAt(pos + 1) : f
            if f2 & L != 0 {  // ' ?\p{L}+'
                if c == 0x20 { pos += 1 }
                while flagsAt(pos) & L != 0 { pos += 1 }
                out.append(pos); continue
            }
            if f2 & N != 0 {  // ' ?\p{N}+'
                if c == 0x20 { pos += 1 }
                while flagsAt(pos) & N != 0 { pos += 1 }
                out.append(pos); continue
            }
            if f2 & (W | L | N) == 0 && f2 != 0 {  // ' ?[^\s\p{L}\p{N}]+'
                if c == 0x20 { pos += 1 }
                while true {
                    let g = flagsAt(pos)
                    if g & (W | L | N) != 0 || g == 0 { break }
                    pos += 1
                }
                out.append(pos); continue
            }
            var spaces = 0
            while flagsAt(pos + spaces) & W != 0 { spaces += 1 }
            if spaces > 1 && pos + spaces < hi {  // '\s+(?!\S)'
                pos += spaces - 1; out.append(pos); continue
            }
            if spaces > 0 { pos += spaces; out.append(pos); continue }  // '\s+'
            pos += 1
            out.append(pos)
        }
    }
}
