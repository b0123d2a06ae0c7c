// A small byte-level BPE trainer (GPT-2 style) for models trained from scratch: the vocabulary is the 256
// bytes (in GPT-2's printable byte alphabet), then one token per learned merge, then special tokens.
// Text is pre-split into words roughly as GPT-2's regex does (an optional leading space plus a run of
// letters, digits or punctuation; whitespace runs), pair counts are kept incrementally, and the most frequent
// pair wins (ties: the smallest pair of ids), so training is deterministic.
//
//     let vocab = BPETrainer.train(texts: [corpus], vocabularySize: 2048)
//     let tokenizer = try vocab.makeTokenizer()      // the Tokenizers target's BPE, as the Engine will load it
public struct BPEVocabulary: Codable, Sendable, Equatable {
    /// Token strings in GPT-2's byte alphabet (specials verbatim).
    public var tokens: [String]
    /// "left right" per merge, in priority order.
    public var merges: [String]
    /// GGUF token types: 1 normal, 3 control.
    public var types: [Int32]
    public var endOfText: Int32

    public static let endOfTextToken = "<|endoftext|>"
    public static let specialTokens = [endOfTextToken, "<|im_start|>", "<|im_end|>"]
}

public enum BPETrainer {
    public static func train(texts: [String], vocabularySize: Int) -> BPEVocabulary {
        let specials = BPEVocabulary.specialTokens
        let mergeCount = max(0, vocabularySize - 256 - specials.count)
        // Unique words with their counts.
        var wordIndex: [[UInt8]: Int] = [:]
        var words: [[Int32]] = []
        var counts: [Int] = []
        for text in texts {
            for word in preSplit(Array(text.utf8)) {
                if let i = wordIndex[word] {
                    counts[i] += 1
                } else {
                    wordIndex[word] = words.count
                    words.append(word.map { Int32($0) })
                    counts.append(1)
                }
            }
        }
        var tokenBytes: [[UInt8]] = (0..<256).map { [UInt8($0)] }
        var merges: [(Int32, Int32)] = []
        var pairCounts: [UInt64: Int] = [:]
        func key(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(a)) << 32 | UInt64(UInt32(b)) }
        for (w, word) in words.enumerated() where word.count > 1 {
            for j in 0..<(word.count - 1) { pairCounts[key(word[j], word[j + 1]), default: 0] += counts[w] }
        }
        while merges.count < mergeCount {
            var best: UInt64 = 0, bestCount = 0
            for (k, c) in pairCounts where c > bestCount || (c == bestCount && c > 0 && k < best) {
                best = k
                bestCount = c
            }
            guard bestCount > 1 else { break }
            let a = Int32(truncatingIfNeeded: best >> 32), b = Int32(truncatingIfNeeded: best & 0xFFFF_FFFF)
            let newToken = Int32(tokenBytes.count)
            tokenBytes.append(tokenBytes[Int(a)] + tokenBytes[Int(b)])
            merges.append((a, b))
            for w in words.indices {
                let word = words[w]
                guard word.count > 1 else { continue }
                var found = false
                for j in 0..<(word.count - 1) where word[j] == a && word[j + 1] == b { found = true; break }
                guard found else { continue }
                let c = counts[w]
                for j in 0..<(word.count - 1) {
                    let k = key(word[j], word[j + 1])
                    pairCounts[k]! -= c
                    if pairCounts[k] == 0 { pairCounts[k] = nil }
                }
                var merged: [Int32] = []
                merged.reserveCapacity(word.count)
                var j = 0
                while j < word.count {
                    if j + 1 < word.count && word[j] == a && word[j + 1] == b {
                        merged.append(newToken)
                        j += 2
                    } else {
                        merged.append(word[j])
                        j += 1
                    }
                }
                if merged.count > 1 {
                    for j in 0..<(merged.count - 1) { pairCounts[key(merged[j], merged[j + 1]), default: 0] += c }
                }
                words[w] = merged
            }
        }
        let spell = { (bytes: [UInt8]) in String(String.UnicodeScalarView(bytes.map { GPT2Bytes.scalar[Int($0)] })) }
        var tokens = tokenBytes.map(spell)
        let mergeStrings = merges.map { spell(tokenBytes[Int($0.0)]) + " " + spell(tokenBytes[Int($0.1)]) }
        var types = [Int32](repeating: 1, count: tokens.count)
        let endOfText = Int32(tokens.count)
        for s in specials {
            tokens.append(s)
            types.append(3)
        }
        return BPEVocabulary(tokens: tokens, merges: mergeStrings, types: types, endOfText: endOfText)
    }

    /// GPT-2-like pre-tokenization: [space]letters, [space]digits, [space]punctuation, whitespace runs.
    static func preSplit(_ bytes: [UInt8]) -> [[UInt8]] {
        enum Kind { case letter, digit, space, other }
        func kind(_ b: UInt8) -> Kind {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), 0x80...: .letter
            case UInt8(ascii: "0")...UInt8(ascii: "9"): .digit
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\t"), UInt8(ascii: "\r"): .space
            default: .other
            }
        }
        var out: [[UInt8]] = []
        var i = 0
        while i < bytes.count {
            var start = i
            var k = kind(bytes[i])
            if bytes[i] == UInt8(ascii: " "), i + 1 < bytes.count, kind(bytes[i + 1]) != .space {
                i += 1
                k = kind(bytes[i])
            } else if k == .space {
                while i < bytes.count, kind(bytes[i]) == .space { i += 1 }
                out.append(Array(bytes[start..<i]))
                continue
            }
            while i < bytes.count, kind(bytes[i]) == k { i += 1 }
            out.append(Array(bytes[start..<i]))
            start = i
        }
        return out
    }
}

/// GPT-2's byte → printable code point table (bytes_to_unicode).
enum GPT2Bytes {
    static let scalar: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for b in 0..<256 {
            if (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b) {
                table[b] = Unicode.Scalar(UInt32(b))!
            } else {
                table[b] = Unicode.Scalar(next)!
                next += 1
            }
        }
        return table
    }()
}
