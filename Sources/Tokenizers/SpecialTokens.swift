// BOS/EOS/EOT/UNK ids and the end-of-generation set, resolved from `tokenizer.ggml.*_token_id` plus llama.cpp's
// detection by token text (<|im_end|>, <end_of_turn>, <|eot_id|> …), which also marks such tokens as control.
import GGUF

struct SpecialTokens: Sendable {
    var bos: Int32?
    var eos: Int32?
    var eot: Int32?
    var eom: Int32?
    var unknown: Int32?
    var padding: Int32?
    var endOfGeneration: Set<Int32> = []

    static let eotTexts = ["<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>",
                           "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>"]
    static let fimPadTexts = ["<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"]
    static let fimRepTexts = ["<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"]
    static let fimSepTexts = ["<|file_sep|>"]
    static let eogTexts = ["<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>",
                           "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]",
                           "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
                           "<｜end▁of▁sentence｜>", "[e~["]

    /// Resolves the special tokens; `defaults` are the model type's ids used when the metadata has none.
    static func resolve(file: GGUFFile, vocabulary: inout Vocabulary,
                        defaults: (bos: Int32?, eos: Int32?, unknown: Int32?)) -> SpecialTokens {
        let count = vocabulary.count
        func valid(_ id: Int32?) -> Int32? { id.flatMap { $0 >= 0 && Int($0) < count ? $0 : nil } }
        func read(_ key: String, _ fallback: Int32?) -> Int32? {
            guard let value = file.int("tokenizer.ggml.\(key)") else { return valid(fallback) }
            return value >= 0 && value < count ? Int32(value) : valid(fallback)
        }
        var s = SpecialTokens()
        s.bos = read("bos_token_id", defaults.bos)
        s.eos = read("eos_token_id", defaults.eos)
        s.eot = read("eot_token_id", nil)
        s.eom = read("eom_token_id", nil)
        s.unknown = read("unknown_token_id", defaults.unknown)
        s.padding = read("padding_token_id", nil)
        var fimPad = read("fim_pad_token_id", nil)
        var fimRep = read("fim_rep_token_id", nil)
        var fimSep = read("fim_sep_token_id", nil)

        func markControl(_ id: Int32) { vocabulary.attributes[Int(id)].insert(.control) }
        func detect(_ texts: [String]) -> Int32? {
            for text in texts { if let id = vocabulary.id(text) { markControl(id); return id } }
            return nil
        }
        if s.eot == nil { s.eot = detect(eotTexts) }
        if s.eom == nil { s.eom = detect(["<|eom_id|>"]) }
        if fimPad == nil { fimPad = detect(fimPadTexts) }
        if fimRep == nil { fimRep = detect(fimRepTexts) }
        if fimSep == nil { fimSep = detect(fimSepTexts) }

        // Control tokens named "unused…" are unused.
        for i in 0..<count where vocabulary.attributes[i].contains(.control) {
            if vocabulary.text(Int32(i)).count >= 6, vocabulary.string(Int32(i)).contains("unused") {
                vocabulary.attributes[i].insert(.unused)
            }
        }

        var eog = Set<Int32>([fimPad, fimRep, fimSep].compactMap { $0 })
        for text in eogTexts {
            if let id = vocabulary.id(text) { eog.insert(id); markControl(id) }
        }
        for id in [s.eos, s.eot, s.eom].compactMap({ $0 }) { eog.insert(id) }
        // o200k_harmony / solar-open: <|end|> is not end-of-generation when <|return|>/<|call|> exist.
        let texts = Set(eog.map { vocabulary.string($0) })
        if texts.contains("<|end|>"), (texts.contains("<|return|>") && (texts.contains("<|call|>") || texts.contains("<|calls|>")))
            || (texts.contains("<|flush|>") && texts.contains("<|calls|>")), let end = vocabulary.id("<|end|>") {
            eog.remove(end)
            vocabulary.attributes[Int(end)] = .userDefined
        }
        // Gemma 4 / PaddleOCR: </s> is an HTML tag, not end-of-generation, when <|tool_response> exists.
        if eog.contains(where: { vocabulary.string($0) == "<|tool_response>" }), let close = vocabulary.id("</s>"),
           eog.contains(close) {
            eog.remove(close)
            vocabulary.attributes[Int(close)] = .normal
        }
        s.endOfGeneration = eog
        return s
    }
}
