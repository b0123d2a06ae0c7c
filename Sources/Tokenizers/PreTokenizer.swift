// The pre-tokenizer: splits text into words before BPE, as a chain of stages chosen by `tokenizer.ggml.pre`
// (llama.cpp's regex lists, each regex implemented by a hand-written scanner over Unicode category flags).

/// A fragment decoded to code points, with llama.cpp's category flags and each code point's byte offset.
struct CodepointBuffer {
    var codepoints: [UInt32] = []
    var flags: [UInt8] = []
    /// byteOffsets[i] is where code point i starts; byteOffsets[count] is the fragment's byte length.
    var byteOffsets: [Int32] = []

    var count: Int { codepoints.count }

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        let n = bytes.count
        codepoints.reserveCapacity(n)
        flags.reserveCapacity(n)
        byteOffsets.reserveCapacity(n + 1)
        var i = 0
        while i < n {
            let b0 = UInt32(bytes[i])
            var c: UInt32
            var length: Int
            if b0 < 0x80 { c = b0; length = 1 }
            else if b0 < 0xE0 { c = b0 & 0x1F; length = 2 }
            else if b0 < 0xF0 { c = b0 & 0x0F; length = 3 }
            else { c = b0 & 0x07; length = 4 }
            var k = 1
            while k < length && i + k < n { c = (c << 6) | (UInt32(bytes[i + k]) & 0x3F); k += 1 }
            codepoints.append(c)
            flags.append(UnicodeFlags.flags(c))
            byteOffsets.append(Int32(i))
            i += length
        }
        byteOffsets.append(Int32(n))
    }
}

/// One regex of llama.cpp's list: maps chunk ends (code point offsets) to finer chunk ends.
protocol PreTokenizerStage: Sendable {
    func split(_ text: CodepointBuffer, chunkEnds: [Int]) -> [Int]
}

/// The pre-tokenizer of one `tokenizer.ggml.pre` value and the vocabulary flags llama.cpp ties to it.
struct PreTokenizer: Sendable {
    let name: String
    let stages: [any PreTokenizerStage]
    /// clean_up_tokenization_spaces when detokenizing.
    let cleanSpaces: Bool
    /// Emit a whole word as one token when it is in the vocabulary (Llama 3).
    let ignoreMerges: Bool
    /// The BOS policy before the GGUF's own `add_bos_token` is applied.
    let addsBOSByDefault: Bool

    /// Splits a fragment into words: returns the end offset (in code points) of each word.
    func words(_ text: CodepointBuffer) -> [Int] {
        guard text.count > 0 else { return [] }
        var ends = [text.count]
        for stage in stages { ends = stage.split(text, chunkEnds: ends) }
        return ends
    }

    static func named(_ pre: String) throws -> PreTokenizer {
        let gpt2 = GPT2Split()
        switch pre {
        case "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "jina-v5-nano":
            return PreTokenizer(name: pre, stages: [Llama3Split(maxDigits: 3)], cleanSpaces: true, ignoreMerges: true,
                                addsBOSByDefault: true)
        case "dbrx", "smaug-bpe":
            return PreTokenizer(name: pre, stages: [Llama3Split(maxDigits: 3)], cleanSpaces: true, ignoreMerges: false,
                                addsBOSByDefault: false)
        case "glm4", "chatglm-bpe":
            return PreTokenizer(name: pre, stages: [Llama3Split(maxDigits: 3)], cleanSpaces: true, ignoreMerges: false,
                                addsBOSByDefault: false)
        case "qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "megrez", "stablelm2", "hunyuan", "solar-open":
            let clean = pre == "megrez" || pre == "stablelm2"
            return PreTokenizer(name: pre, stages: [Llama3Split(maxDigits: 1)], cleanSpaces: clean, ignoreMerges: false,
                                addsBOSByDefault: false)
        case "smollm", "starcoder", "refact", "command-r", "codeshell", "exaone", "minerva-7b", "mellum2":
            let clean = !(pre == "smollm" || pre == "command-r")
            return PreTokenizer(name: pre, stages: [ClassSplit.digit, gpt2], cleanSpaces: clean, ignoreMerges: false,
                                addsBOSByDefault: false)
        case "gpt2", "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0", "mellum",
             "modern-bert", "mpt", "olmo", "jais", "exaone4", "jina-v1-en", "jina-v2-code", "roberta-bpe":
            return PreTokenizer(name: pre, stages: [gpt2], cleanSpaces: true, ignoreMerges: false, addsBOSByDefault: false)
        case "trillion", "granite-docling":
            return PreTokenizer(name: pre, stages: [gpt2], cleanSpaces: false, ignoreMerges: false, addsBOSByDefault: false)
        case "default", "":
            return PreTokenizer(name: "default", stages: [ClassSplit.defaultPunctuation, gpt2, ClassSplit.numberRun,
                                                          ClassSplit.threeDigits],
                                cleanSpaces: true, ignoreMerges: false, addsBOSByDefault: false)
        default:
            throw TokenizerError.unsupportedPreTokenizer(pre)
        }
    }
}
