// A Hugging Face SentencePiece tokenizer (tokenizer.model, as llama/gemma-style checkpoints ship it) -> GGUF
// "llama" vocabulary, following convert_hf_to_gguf.py's _create_vocab_sentencepiece: every piece with its score
// and type, tokens from added_tokens.json and tokenizer_config.json's added_tokens_decoder laid over them
// (score -1000, control when special), the list padded to config.json's vocab_size with unused [PADn] tokens;
// special-token ids from tokenizer_config.json's *_token texts, else config.json's *_token_id.
import Foundation

extension HFTokenizerFiles {
    static func readSentencePiece(directory: URL, vocabularySize: Int?, modelConfig: [String: Any]) throws -> GGUFVocabulary {
        let modelURL = directory.appendingPathComponent("tokenizer.model")
        let spm = try SentencePieceModelFile(path: modelURL.path)
        let count = vocabularySize ?? spm.pieces.count
        var tokens = (0..<count).map { "[PAD\($0)]" }
        var scores = [Float](repeating: -10_000, count: count)
        var types = [Int32](repeating: GGUFVocabulary.unused, count: count)
        for (id, piece) in spm.pieces.enumerated() where id < count {
            tokens[id] = piece.text
            scores[id] = piece.score
            types[id] = piece.type.rawValue
        }
        let addedURL = directory.appendingPathComponent("added_tokens.json")
        if FileManager.default.fileExists(atPath: addedURL.path) {
            for case let (text, id as Int) in try readJSON(addedURL) where id >= 0 && id < count {
                tokens[id] = text
                scores[id] = -1000
                types[id] = GGUFVocabulary.userDefined
            }
        }
        let configURL = directory.appendingPathComponent("tokenizer_config.json")
        let config = FileManager.default.fileExists(atPath: configURL.path) ? try readJSON(configURL) : [:]
        for case let (key, entry as [String: Any]) in config["added_tokens_decoder"] as? [String: Any] ?? [:] {
            guard let id = Int(key), id >= 0, id < count, let content = entry["content"] as? String else { continue }
            if entry["special"] as? Bool == true || looksSpecial(content) {
                tokens[id] = content
                types[id] = GGUFVocabulary.control
            } else {
                tokens[id] = content.replacingOccurrences(of: "\u{2581}", with: " ")  // user-defined spaces pre-normalised
                types[id] = GGUFVocabulary.userDefined
            }
            scores[id] = -1000
        }
        let ids = Dictionary(tokens.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        func specialID(_ kind: String) -> Int? {
            var text = config["\(kind)_token"] as? String
            if text == nil { text = (config["\(kind)_token"] as? [String: Any])?["content"] as? String }
            if let text, let id = ids[text] { return id }
            if let id = modelConfig["\(kind)_token_id"] as? Int, id >= 0, id < count { return id }
            return nil
        }
        var vocab = GGUFVocabulary(tokens: tokens, tokenTypes: types, merges: [], preTokenizer: "default",
                                   bos: specialID("bos"), eos: specialID("eos"), unknown: specialID("unk"),
                                   padding: specialID("pad"), addBOS: config["add_bos_token"] as? Bool ?? true,
                                   chatTemplate: chatTemplate(config))
        vocab.model = "llama"
        vocab.scores = scores
        vocab.addSpacePrefix = spm.addDummyPrefix
        return vocab
    }

    /// convert_hf_to_gguf.py's does_token_look_special: added tokens some models forget to mark special.
    static func looksSpecial(_ text: String) -> Bool {
        ["<pad>", "<mask>", "<2mass>", "[@BOS@]"].contains(text)
            || (text.hasPrefix("<|") && text.hasSuffix("|>")) || (text.hasPrefix("<｜") && text.hasSuffix("｜>"))
            || (text.hasPrefix("<unused") && text.hasSuffix(">"))
    }

    /// tokenizer_config.json's chat_template: a string, or the "default" one of a named list.
    static func chatTemplate(_ config: [String: Any]) -> String? {
        if let template = config["chat_template"] as? String { return template }
        let named = config["chat_template"] as? [[String: Any]] ?? []
        return named.first { $0["name"] as? String == "default" }?["template"] as? String
    }
}
