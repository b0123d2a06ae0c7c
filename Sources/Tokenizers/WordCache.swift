// Per-call memo of word → token ids for BPE: real text repeats its words, and a word's tokens depend only on its
// bytes, so each distinct word is merged once per encode call (as Hugging Face tokenizers caches words).

struct WordCache {
    static let maxWordLength = 64
    static let maxEntries = 1 << 16

    private var table = ByteSpanTable(expectedCount: 1024)
    private var tokens: [Int32] = []
    private var starts: [Int32] = []
    private var ends: [Int32] = []

    /// Appends the cached ids of `word` and returns true, or returns false when the word is not cached.
    @inline(__always)
    func lookup(_ word: UnsafeBufferPointer<UInt8>, into out: inout [Int32]) -> Bool {
        guard word.count <= Self.maxWordLength, let entry = table.entry(word) else { return false }
        out.append(contentsOf: tokens[Int(starts[Int(entry)]) ..< Int(ends[Int(entry)])])
        return true
    }

    mutating func store(_ word: UnsafeBufferPointer<UInt8>, _ ids: ArraySlice<Int32>) {
        guard word.count <= Self.maxWordLength, starts.count < Self.maxEntries else { return }
        starts.append(Int32(tokens.count))
        tokens.append(contentsOf: ids)
        ends.append(Int32(tokens.count))
        table.insert(word)
    }
}
