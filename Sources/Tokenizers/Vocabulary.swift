// The token table of a GGUF vocabulary: id → text bytes, text → id (hash table over one byte blob), scores and
// attributes. Built in one pass so Gemma's 262k entries load in milliseconds.

struct Vocabulary: Sendable {
    /// Entry i is token i's text; looking a text up gives the first id with that text.
    let table: ByteSpanTable
    let scores: [Float]
    var attributes: [TokenAttributes]
    let maxTokenLength: Int

    var count: Int { table.count }

    init(tokens: [String], scores: [Float]?, types: [Int]?) {
        let names = tokens.enumerated().map { $1.isEmpty ? "[EMPTY_\($0)]" : $1 }
        table = ByteSpanTable(keys: names)
        var maxLength = 0
        for i in 0..<names.count { maxLength = max(maxLength, Int(table.offsets[i + 1] - table.offsets[i])) }
        maxTokenLength = maxLength
        if let scores, scores.count >= tokens.count {
            self.scores = Array(scores.prefix(tokens.count))
        } else {
            self.scores = [Float](repeating: 0, count: tokens.count)
        }
        if let types, types.count >= tokens.count {
            self.attributes = types.prefix(tokens.count).map { TokenAttributes(tokenType: Int32(truncatingIfNeeded: $0)) }
        } else {
            self.attributes = [TokenAttributes](repeating: .normal, count: tokens.count)
        }
    }

    /// The id of the token whose text is `p[0..<n]`.
    @inline(__always)
    func id(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int32? { table.entry(p, n) }

    func id(_ text: String) -> Int32? {
        var text = text
        return text.withUTF8 { table.entry($0) }
    }

    func id(bytes: [UInt8]) -> Int32? { bytes.withUnsafeBufferPointer { table.entry($0) } }

    func text(_ id: Int32) -> ArraySlice<UInt8> { table.key(Int(id)) }

    func string(_ id: Int32) -> String { String(decoding: text(id), as: UTF8.self) }

    func attributes(_ id: Int32) -> TokenAttributes {
        id >= 0 && Int(id) < attributes.count ? attributes[Int(id)] : []
    }

    func contains(_ id: Int32) -> Bool { id >= 0 && Int(id) < count }

    /// SentencePiece byte fallback: `<0xXX>`, else the byte itself as a one-byte token (llama.cpp's byte_to_token).
    func byteToken(_ byte: UInt8) -> Int32? {
        let hex = Array("0123456789ABCDEF".utf8)
        if let id = id(bytes: [UInt8(ascii: "<"), UInt8(ascii: "0"), UInt8(ascii: "x"), hex[Int(byte >> 4)],
                               hex[Int(byte & 15)], UInt8(ascii: ">")]) {
            return id
        }
        return id(bytes: [byte])
    }

    /// The byte a `<0xXX>` byte token stands for.
    func byteValue(_ id: Int32) -> UInt8? {
        let t = text(id)
        guard t.count == 6 else { return nil }
        return UInt8(String(decoding: t.dropFirst(3).prefix(2), as: UTF8.self), radix: 16)
    }
}
