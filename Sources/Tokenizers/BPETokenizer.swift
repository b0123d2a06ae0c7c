// Byte-level BPE (`tokenizer.ggml.model` = gpt2) as llama.cpp's llm_tokenizer_bpe_session runs it: pre-tokenize,
// spell each word in GPT-2's byte alphabet, repeatedly merge the adjacent pair of lowest merge rank (leftmost on
// ties), then emit each symbol's token, falling back to single-byte tokens for symbols not in the vocabulary.

struct BPETokenizer: TokenizerModel {
    let vocabulary: Vocabulary
    let preTokenizer: PreTokenizer
    /// (left symbol << 32 | right symbol) → (rank << 32 | merged symbol). Symbols are vocabulary ids, or
    /// `vocabulary.count + i` for merge texts that are not in the vocabulary (kept in `extraSymbols`).
    private let merges: IntHashMap
    private let extraSymbols: ByteSpanTable
    /// The symbol of each raw byte's one-character spelling (-1 if the vocabulary lacks it).
    private let byteSymbol: [Int32]

    init(vocabulary: Vocabulary, merges mergeList: [String], preTokenizer: PreTokenizer) {
        self.vocabulary = vocabulary
        self.preTokenizer = preTokenizer
        var extra = ByteSpanTable(expectedCount: 16)
        var table = IntHashMap(expectedCount: mergeList.count)
        let base = Int32(vocabulary.count)
        func symbol(_ p: UnsafeBufferPointer<UInt8>) -> Int32 {
            if let id = vocabulary.table.entry(p) { return id }
            return base + extra.insert(p)
        }
        for (rank, merge) in mergeList.enumerated() {
            var merge = merge
            merge.withUTF8 { m in
                guard m.count >= 3 else { return }
                var space = -1
                for i in 1..<m.count where m[i] == 0x20 { space = i; break }
                guard space > 0, space + 1 < m.count else { return }
                let left = symbol(UnsafeBufferPointer(rebasing: m[0..<space]))
                let right = symbol(UnsafeBufferPointer(rebasing: m[(space + 1)...]))
                var joined = Array(m[0..<space])
                joined.append(contentsOf: m[(space + 1)...])
                let result = joined.withUnsafeBufferPointer { symbol($0) }
                let key = UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
                table.insertIfAbsent(key, UInt64(rank) << 32 | UInt64(UInt32(bitPattern: result)))
            }
        }
        merges = table
        extraSymbols = extra
        byteSymbol = (0..<256).map { b in
            ByteLevel.encoded[b].withUnsafeBufferPointer { vocabulary.table.entry($0) ?? extra.entry($0).map { base + $0 } ?? -1 }
        }
    }

    func encode(_ bytes: UnsafeBufferPointer<UInt8>, fragments: [Fragment], into out: inout [Int32]) {
        var cache = WordCache()
        var scratch = MergeScratch()
        for fragment in fragments {
            switch fragment {
            case .token(let id): out.append(id)
            case .text(let range):
                let text = UnsafeBufferPointer(rebasing: bytes[range])
                let codepoints = CodepointBuffer(text)
                var start = 0
                for end in preTokenizer.words(codepoints) {
                    let word = UnsafeBufferPointer(rebasing: text[Int(codepoints.byteOffsets[start]) ..< Int(codepoints.byteOffsets[end])])
                    start = end
                    if !cache.lookup(word, into: &out) {
                        let first = out.count
                        encodeWord(word, into: &out, scratch: &scratch)
                        cache.store(word, out[first...])
                    }
                }
            }
        }
    }

    /// Scratch buffers reused across words.
    struct MergeScratch {
        var encoded: [UInt8] = []
        var id: [Int32] = [], start: [Int32] = [], length: [Int32] = []
        var next: [Int32] = [], prev: [Int32] = [], rank: [UInt32] = [], result: [Int32] = []
        var heap: [UInt64] = []
    }

    private func pair(_ left: Int32, _ right: Int32) -> (rank: UInt32, result: Int32) {
        guard left >= 0, right >= 0,
              let v = merges.get(UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))) else {
            return (UInt32.max, -1)
        }
        return (UInt32(truncatingIfNeeded: v >> 32), Int32(truncatingIfNeeded: v & 0xFFFF_FFFF))
    }

    private func encodeWord(_ word: UnsafeBufferPointer<UInt8>, into out: inout [Int32], scratch s: inout MergeScratch) {
        let n = word.count
        s.encoded.removeAll(keepingCapacity: true)
        s.id.removeAll(keepingCapacity: true); s.start.removeAll(keepingCapacity: true)
        s.length.removeAll(keepingCapacity: true)
        for b in word {
            let e = ByteLevel.encoded[Int(b)]
            s.start.append(Int32(s.encoded.count))
            s.length.append(Int32(e.count))
            s.encoded.append(contentsOf: e)
            s.id.append(byteSymbol[Int(b)])
        }
        if preTokenizer.ignoreMerges,
           let whole = s.encoded.withUnsafeBufferPointer({ vocabulary.table.entry($0) }) {
            out.append(whole)
            return
        }
        s.next = (0..<n).map { Int32($0 + 1 < n ? $0 + 1 : -1) }
        s.prev = (0..<n).map { Int32($0 - 1) }
        s.rank = [UInt32](repeating: .max, count: n)
        s.result = [Int32](repeating: -1, count: n)
        for i in 0..<(n - 1) { (s.rank[i], s.result[i]) = pair(s.id[i], s.id[i + 1]) }
        // Merge the lowest-ranked adjacent pair, leftmost first, until none is left: a linear scan for short words,
        // a heap of (rank << 32 | left) with stale entries skipped for long ones (a long CJK run is one word).
        let useHeap = n > 48
        if useHeap {
            s.heap.removeAll(keepingCapacity: true)
            for i in 0..<n where s.rank[i] != .max { Self.heapPush(UInt64(s.rank[i]) << 32 | UInt64(i), &s.heap) }
        }
        while true {
            var best = -1
            if useHeap {
                while let top = Self.heapPop(&s.heap) {
                    let left = Int(top & 0xFFFF_FFFF)
                    if s.rank[left] == UInt32(top >> 32) { best = left; break }
                }
            } else {
                var bestRank = UInt32.max
                var i = 0
                while i >= 0 {
                    if s.rank[i] < bestRank { bestRank = s.rank[i]; best = i }
                    i = Int(s.next[i])
                }
            }
            if best < 0 { break }
            let right = Int(s.next[best])
            s.id[best] = s.result[best]
            s.length[best] += s.length[right]
            s.rank[right] = .max
            s.next[best] = s.next[right]
            if s.next[right] >= 0 { s.prev[Int(s.next[right])] = Int32(best) }
            let after = Int(s.next[best])
            (s.rank[best], s.result[best]) = after >= 0 ? pair(s.id[best], s.id[after]) : (UInt32.max, -1)
            if useHeap && s.rank[best] != .max { Self.heapPush(UInt64(s.rank[best]) << 32 | UInt64(best), &s.heap) }
            let before = Int(s.prev[best])
            if before >= 0 {
                (s.rank[before], s.result[before]) = pair(s.id[before], s.id[best])
                if useHeap && s.rank[before] != .max {
                    Self.heapPush(UInt64(s.rank[before]) << 32 | UInt64(before), &s.heap)
                }
            }
        }
        var i = 0
        let vocabularyCount = Int32(vocabulary.count)
        while i >= 0 {
            let id = s.id[i]
            if id >= 0 && id < vocabularyCount {
                out.append(id)
            } else {  // not a token: one token per byte of its spelling, where such a token exists
                for k in Int(s.start[i]) ..< Int(s.start[i] + s.length[i]) {
                    if let t = s.encoded.withUnsafeBufferPointer({ vocabulary.table.entry($0.baseAddress! + k, 1) }) {
                        out.append(t)
                    }
                }
            }
            i = Int(s.next[i])
        }
    }

    private static func heapPush(_ item: UInt64, _ heap: inout [UInt64]) {
        heap.append(item)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if heap[parent] <= heap[child] { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private static func heapPop(_ heap: inout [UInt64]) -> UInt64? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        guard !heap.isEmpty else { return top }
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count && heap[left] < heap[smallest] { smallest = left }
            if right < heap.count && heap[right] < heap[smallest] { smallest = right }
            if smallest == parent { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }

    func normalPiece(_ token: Int32) -> [UInt8] { ByteLevel.decode(vocabulary.text(token)) }
}
