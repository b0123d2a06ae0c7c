// Unicode category flags per code point, as llama.cpp's unicode-data tables define them (\p{N}, \p{L}, \p{Z},
// \p{M}, \p{P}, \p{S}, \p{C}, and \s = the White_Space property), for the hand-written pre-tokenizer scanners.

/// Bit flags of one code point. Every in-range code point has exactly one category bit; 0 means "outside the chunk".
enum CodepointFlag {
    static let number: UInt8 = 1
    static let letter: UInt8 = 2
    static let separator: UInt8 = 4
    static let mark: UInt8 = 8
    static let punctuation: UInt8 = 16
    static let symbol: UInt8 = 32
    static let control: UInt8 = 64
    static let whitespace: UInt8 = 128
    /// The category bits (everything but whitespace).
    static let categoryMask: UInt8 = 127
}

enum UnicodeFlags {
    /// Flags of the Basic Multilingual Plane, built once per process (~64 KiB).
    nonisolated(unsafe) static let bmp: UnsafePointer<UInt8> = {
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 0x10000)
        for c in 0..<UInt32(0x10000) { table[Int(c)] = compute(c) }
        return UnsafePointer(table)
    }()

    @inline(__always)
    static func flags(_ c: UInt32) -> UInt8 {
        c < 0x10000 ? bmp[Int(c)] : compute(c)
    }

    static func isWhitespace(_ c: UInt32) -> Bool {
        switch c {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }

    static func compute(_ c: UInt32) -> UInt8 {
        let ws: UInt8 = isWhitespace(c) ? CodepointFlag.whitespace : 0
        guard let scalar = Unicode.Scalar(c) else { return CodepointFlag.control | ws }  // surrogates, out of range
        let category: UInt8
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            category = CodepointFlag.letter
        case .decimalNumber, .letterNumber, .otherNumber:
            category = CodepointFlag.number
        case .spaceSeparator, .lineSeparator, .paragraphSeparator:
            category = CodepointFlag.separator
        case .nonspacingMark, .spacingMark, .enclosingMark:
            category = CodepointFlag.mark
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
             .finalPunctuation, .otherPunctuation:
            category = CodepointFlag.punctuation
        case .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            category = CodepointFlag.symbol
        default:  // control, format, surrogate, private use, unassigned: regex's \p{C}
            category = CodepointFlag.control
        }
        return category | ws
    }
}
