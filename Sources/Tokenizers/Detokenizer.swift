// llama.cpp's clean_up_tokenization_spaces, ported pass for pass (in place, like the C code): drop the space
// before ? ! . , ; strip a lone apostrophe's surrounding spaces; join " 's", " 'm", " 're", " 've".

enum Detokenizer {
    static func cleanSpaces(_ input: [UInt8]) -> [UInt8] {
        var text = input
        let space = UInt8(ascii: " "), quote = UInt8(ascii: "'")
        // Pass 1: " ?", " !", " .", " ,"
        let total1 = text.count
        var total = total1 > 0 ? 1 : 0
        var i = 1
        while i < total1 {
            let x = text[i]
            if text[i - 1] == space, x == UInt8(ascii: "?") || x == UInt8(ascii: "!") || x == UInt8(ascii: ".")
                || x == UInt8(ascii: ",") {
                total -= 1
            }
            text[total] = x; total += 1
            i += 1
        }
        // Pass 2: " ' " → "'"
        let total2 = total
        total = total2 > 0 ? 1 : 0
        i = 1
        while i < total2 {
            let x = text[i]
            if x == quote && i + 1 < total2 && text[i - 1] == space && text[i + 1] == space {
                total -= 1
                i += 1
                text[i] = 0
            }
            text[total] = x; total += 1
            i += 1
        }
        // Pass 3: " 's", " 'm", " 're", " 've"
        let total3 = total
        total = total3 > 0 ? 1 : 0
        i = 1
        while i < total3 {
            let x = text[i]
            if text[i - 1] == space, x == quote, i + 1 < total3 {
                let x1 = text[i + 1]
                if x1 == UInt8(ascii: "s") || x1 == UInt8(ascii: "m") {
                    total -= 1
                } else if x1 != UInt8(ascii: "t") && x1 != UInt8(ascii: "d") && i + 2 < total3 {
                    let x2 = text[i + 2]
                    if (x1 == UInt8(ascii: "r") && x2 == UInt8(ascii: "e")) || (x1 == UInt8(ascii: "v") && x2 == UInt8(ascii: "e")) {
                        total -= 1
                    }
                }
            }
            text[total] = x; total += 1
            i += 1
        }
        return Array(text[0..<total])
    }
}
