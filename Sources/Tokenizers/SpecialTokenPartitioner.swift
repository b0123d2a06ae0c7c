// Splits text around special tokens before the model sees it, with llama.cpp's tokenizer_st_partition semantics:
// tokens are tried longest first, each claiming its leftmost non-overlapping occurrences in the text still raw.
// Control and unknown tokens take part only when parsing specials; user-defined tokens always do.

enum Fragment: Equatable {
    case text(Range<Int>)
    case token(Int32)
}

struct SpecialTokenPartitioner: Sendable {
    /// Trie edges: (node << 8 | byte) → child node. Node 0 is the root; root edges are also in `rootChildren`.
    private var edges = IntHashMap(expectedCount: 64)
    private var rootChildren = [Int32](repeating: -1, count: 256)
    /// Per node: the token ending there (-1 if none) and its priority rank (lower = tried first).
    private var terminalToken: [Int32] = [-1]
    private var terminalRank: [Int32] = [-1]
    let isEmpty: Bool

    init(vocabulary: Vocabulary, parseSpecial: Bool) {
        var candidates: [Int32] = []
        for i in 0..<vocabulary.count {
            let a = vocabulary.attributes[i]
            guard !a.isDisjoint(with: [.control, .userDefined, .unknown]) else { continue }
            if !parseSpecial && !a.isDisjoint(with: [.control, .unknown]) { continue }
            candidates.append(Int32(i))
        }
        let lengths = candidates.map { vocabulary.text($0).count }
        let order = candidates.indices.sorted { lengths[$0] != lengths[$1] ? lengths[$0] > lengths[$1] : candidates[$0] < candidates[$1] }
        isEmpty = candidates.isEmpty
        for (rank, index) in order.enumerated() {
            let id = candidates[index]
            let text = vocabulary.text(id)
            guard !text.isEmpty else { continue }
            var node: Int32 = 0
            for byte in text {
                let child: Int32
                if node == 0 {
                    if rootChildren[Int(byte)] < 0 { rootChildren[Int(byte)] = newNode() }
                    child = rootChildren[Int(byte)]
                } else if let existing = edges.get(UInt64(node) << 8 | UInt64(byte)) {
                    child = Int32(existing)
                } else {
                    child = newNode()
                    edges.insertIfAbsent(UInt64(node) << 8 | UInt64(byte), UInt64(child))
                }
                node = child
            }
            if terminalToken[Int(node)] < 0 {
                terminalToken[Int(node)] = id
                terminalRank[Int(node)] = Int32(rank)
            }
        }
    }

    private mutating func newNode() -> Int32 {
        terminalToken.append(-1)
        terminalRank.append(-1)
        return Int32(terminalToken.count - 1)
    }

    private struct Occurrence { var rank: Int32; var start: Int; var end: Int; var token: Int32 }

    /// The fragments of `bytes`: raw text ranges and special tokens, in order.
    func partition(_ bytes: UnsafeBufferPointer<UInt8>) -> [Fragment] {
        let n = bytes.count
        guard n > 0 else { return [] }
        guard !isEmpty else { return [.text(0..<n)] }
        var found: [Occurrence] = []
        rootChildren.withUnsafeBufferPointer { root in
            for p in 0..<n {
                var node = root[Int(bytes[p])]
                var q = p + 1
                while node >= 0 {
                    if terminalToken[Int(node)] >= 0 {
                        found.append(Occurrence(rank: terminalRank[Int(node)], start: p, end: q, token: terminalToken[Int(node)]))
                    }
                    guard q < n, let child = edges.get(UInt64(node) << 8 | UInt64(bytes[q])) else { break }
                    node = Int32(child)
                    q += 1
                }
            }
        }
        guard !found.isEmpty else { return [.text(0..<n)] }
        found.sort { $0.rank != $1.rank ? $0.rank < $1.rank : $0.start < $1.start }
        var claimed = [Bool](repeating: false, count: n)
        var accepted: [Occurrence] = []
        var currentRank: Int32 = -1
        var lastEnd = 0
        for o in found {
            if o.rank != currentRank { currentRank = o.rank; lastEnd = 0 }
            if o.start < lastEnd { continue }
            if claimed[o.start..<o.end].contains(true) { continue }
            for i in o.start..<o.end { claimed[i] = true }
            accepted.append(o)
            lastEnd = o.end
        }
        accepted.sort { $0.start < $1.start }
        var fragments: [Fragment] = []
        var position = 0
        for o in accepted {
            if o.start > position { fragments.append(.text(position..<o.start)) }
            fragments.append(.token(o.token))
            position = o.end
        }
        if position < n { fragments.append(.text(position..<n)) }
        return fragments
    }
}
