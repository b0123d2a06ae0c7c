// GPT-2's byte-level alphabet: every byte maps to a printable code point (bytes 0x21-0x7E, 0xA1-0xAC, 0xAE-0xFF
// map to themselves; the rest to U+0100 upwards), so BPE vocabularies can spell any byte sequence.

enum ByteLevel {
    /// The code point standing for each byte.
    static let scalarForByte: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for b in 0..<256 {
            if (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b) {
                table[b] = UInt32(b)
            } else {
                table[b] = next
                next += 1
            }
        }
        return table
    }()

    /// UTF-8 of each byte's code point (1 or 2 bytes).
    static let encoded: [[UInt8]] = scalarForByte.map { Array(String(Unicode.Scalar($0)!).utf8) }

    /// Code point → byte, for code points below 0x144; -1 where none.
    static let byteForScalar: [Int16] = {
        var table = [Int16](repeating: -1, count: 0x144)
        for (b, s) in scalarForByte.enumerated() { table[Int(s)] = Int16(b) }
        return table
    }()

    /// Decodes a byte-level token text to raw bytes (characters outside the alphabet pass through as UTF-8).
    static func decode(_ text: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        for scalar in String(decoding: text, as: UTF8.self).unicodeScalars {
            let v = scalar.value
            if v < 0x144, byteForScalar[Int(v)] >= 0 {
                out.append(UInt8(byteForScalar[Int(v)]))
            } else {
                out.append(contentsOf: String(scalar).utf8)
            }
        }
        return out
    }
}
