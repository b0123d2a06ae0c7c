// SentencePiece-style BPE (`tokenizer.ggml.model` = llama: Llama 2, Mistral, Gemma) as llama.cpp's
// llm_tokenizer_spm_session runs it: spaces become U+2581, the text splits into UTF-8 characters, adjacent pairs
// whose concatenation is a token merge best score first (leftmost on ties), and leftovers fall back to <0xXX>.
// Speed-up, exact by construction: text is cut before each U+2581 whose preceding character never precedes U+2581
// inside a vocabulary token (no token can span such a cut, so no merge crosses it) and words are memoised.

struct SentencePieceTokenizer: TokenizerModel {
    let vocabulary: Vocabulary
    /// Prefix each raw fragment that follows a special token (or starts the text) with a space.
    let addsSpacePrefix: Bool
    /// The token for each byte (`<0xXX>`), or the unknown token.
    private let byteTokens: [Int32?]
    /// Characters that some token has right before a U+2581 (other than U+2581 itself): no cut after them.
    private let joinsSpace: Set<UInt32>

    init(vocabulary: Vocabulary, addsSpacePrefix: Bool, unknown: Int32?) {
        self.vocabulary = vocabulary
        self.addsSpacePrefix = addsSpacePrefix
        byteTokens = (0..<256).map { vocabulary.byteToken(UInt8($0)) ?? unknown }
        var joins = Set<UInt32>()
        vocabulary.table.blob.withUnsafeBufferPointer { blob in
            let offsets = vocabulary.table.offsets
            for id in 0..<vocabulary.count {
                let start = Int(offsets[id]), end = Int(offsets[id + 1])
                var i = start + 1
                while i + 2 < end {
                    if blob[i] == 0xE2 && blob[i + 1] == 0x96 && blob[i + 2] == 0x81,
                       let c = Self.codepoint(before: i, in: blob, from: start), c != 0x2581 {
                        joins.insert(c)
                    }
                    i += 1
                }
            }
        }
        joinsSpace = joins
    }

    /// The code point of the UTF-8 character that ends right before `index`.
    static func codepoint(before index: Int, in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> UInt32? {
        var lead = index - 1
        while lead > start && bytes[lead] & 0xC0 == 0x80 { lead -= 1 }
        guard lead >= start else { return nil }
        let b0 = UInt32(bytes[lead])
        var c = b0 < 0x80 ? b0 : b0 < 0xE0 ? b0 & 0x1F : b0 < 0xF0 ? b0 & 0x0F : b0 & 0x07
        for k in (lead + 1)..<index { c = (c << 6) | (UInt32(bytes[k]) & 0x3F) }
        return c
    }

    func encode(_ bytes: UnsafeBufferPointer<UInt8>, fragments: [Fragment], into out: inout [Int32]) {
        var isPreviousSpecial = true
        var escaped: [UInt8] = []
        var work = Work()
        var cache = WordCache()
        for fragment in fragments {
            switch fragment {
            case .token(let id):
                out.append(id)
                isPreviousSpecial = true
            case .text(let range):
                escaped.removeAll(keepingCapacity: true)
                escaped.reserveCapacity(range.count + 3)
                if addsSpacePrefix && isPreviousSpecial { escaped.append(contentsOf: [0xE2, 0x96, 0x81]) }
                for b in bytes[range] {
                    if b == 0x20 { escaped.append(contentsOf: [0xE2, 0x96, 0x81]) } else { escaped.append(b) }
                }
                escaped.withUnsafeBufferPointer { text in
                    var start = 0
                    var i = 1
                    while i <= text.count {
                        if i == text.count || (text[i] == 0xE2 && i + 2 < text.count && text[i + 1] == 0x96
                            && text[i + 2] == 0x81 && isCut(before: i, in: text, from: start)) {
                            let word = UnsafeBufferPointer(rebasing: text[start..<i])
                            if !cache.lookup(word, into: &out) {
                                let first = out.count
                                tokenize(word, into: &out, work: &work)
                                cache.store(word, out[first...])
                            }
                            start = i
                        }
                        i += 1
                    }
                }
                isPreviousSpecial = false
            }
        }
    }

    @inline(__always)
    private func isCut(before i: Int, in text: UnsafeBufferPointer<UInt8>, from start: Int) -> Bool {
        guard let c = Self.codepoint(before: i, in: text, from: start) else { return false }
        return c != 0x2581 && !joinsSpace.contains(c)
    }

    struct Bigram { var score: Float; var left: Int32; var right: Int32; var size: Int32 }

    /// Buffers reused across fragments.
    struct Work {
        var start: [Int32] = [], length: [Int32] = [], prev: [Int32] = [], next: [Int32] = []
        var heap: [Bigram] = []
    }

    private func tokenize(_ text: UnsafeBufferPointer<UInt8>, into out: inout [Int32], work w: inout Work) {
        guard let base = text.baseAddress, !text.isEmpty else { return }
        w.start.removeAll(keepingCapacity: true); w.length.removeAll(keepingCapacity: true)
        w.prev.removeAll(keepingCapacity: true); w.next.removeAll(keepingCapacity: true)
        w.heap.removeAll(keepingCapacity: true)
        var offset = 0
        while offset < text.count {
            let b = text[offset]
            let length = min(b < 0xC0 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4, text.count - offset)
            w.start.append(Int32(offset))
            w.length.append(Int32(length))
            w.prev.append(Int32(w.start.count - 2))
            offset += length
            w.next.append(offset == text.count ? -1 : Int32(w.start.count))
        }
        let scores = vocabulary.scores
        func tryAdd(_ left: Int32, _ right: Int32, _ w: inout Work) {
            guard left >= 0, right >= 0 else { return }
            let size = Int(w.length[Int(left)] + w.length[Int(right)])
            guard let id = vocabulary.id(base + Int(w.start[Int(left)]), size) else { return }
            push(Bigram(score: scores[Int(id)], left: left, right: right, size: Int32(size)), &w.heap)
        }
        for i in 1..<max(w.start.count, 1) { tryAdd(Int32(i - 1), Int32(i), &w) }
        while let bigram = pop(&w.heap) {
            let l = Int(bigram.left), r = Int(bigram.right)
            if w.length[l] == 0 || w.length[r] == 0 || w.length[l] + w.length[r] != bigram.size { continue }
            w.length[l] += w.length[r]
            w.length[r] = 0
            w.next[l] = w.next[r]
            if w.next[r] >= 0 { w.prev[Int(w.next[r])] = bigram.left }
            tryAdd(w.prev[l], bigram.left, &w)
            tryAdd(bigram.left, w.next[l], &w)
        }
        var i: Int32 = 0
        while i >= 0 {
            let s = Int(w.start[Int(i)]), n = Int(w.length[Int(i)])
            if let id = vocabulary.id(base + s, n) {
                out.append(id)
            } else {
                for k in s..<(s + n) { if let t = byteTokens[Int(text[k])] { out.append(t) } }
            }
            i = w.next[Int(i)]
        }
    }

    /// Heap order: higher score first, then the leftmost pair.
    @inline(__always)
    private func before(_ a: Bigram, _ b: Bigram) -> Bool {
        a.score > b.score || (a.score == b.score && a.left < b.left)
    }

    private func push(_ item: Bigram, _ heap: inout [Bigram]) {
        heap.append(item)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if !before(heap[child], heap[parent]) { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private func pop(_ heap: inout [Bigram]) -> Bigram? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if heap.isEmpty { return top }
        heap[0] = last
        var parent = 0
        let count = heap.count
        while true {
            let left = 2 * parent + 1, right = left + 1
            var best = parent
            if left < count && before(heap[left], heap[best]) { best = left }
            if right < count && before(heap[right], heap[best]) { best = right }
            if best == parent { break }
            heap.swapAt(parent, best)
            parent = best
        }
        return top
    }

    func normalPiece(_ token: Int32) -> [UInt8] {
        var out: [UInt8] = []
        let text = vocabulary.text(token)
        out.reserveCapacity(text.count)
        var i = text.startIndex
        while i < text.endIndex {
            if text[i] == 0xE2, i + 2 < text.endIndex, text[i + 1] == 0x96, text[i + 2] == 0x81 {
                out.append(0x20); i += 3
            } else {
                out.append(text[i]); i += 1
            }
        }
        return out
    }
}
