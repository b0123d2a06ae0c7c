// Hugging Face tokenizer files <-> GGUF tokenizer metadata for byte-level BPE ("gpt2" in GGUF) tokenizers:
// tokenizer.json (vocab, merges, added tokens, pre-tokenizer) and tokenizer_config.json (special tokens,
// add_bos_token, chat_template). The pre-tokenizer is written and recognised by its structure, because
// llama.cpp names pre-tokenizers (tokenizer.ggml.pre) while tokenizer.json describes them.
import Foundation
import GGUF

/// The tokenizer part of a GGUF file, as plain values.
struct GGUFVocabulary: Equatable {
    var tokens: [String]
    var tokenTypes: [Int32]
    var merges: [String]
    var preTokenizer: String
    var bos: Int?
    var eos: Int?
    var unknown: Int?
    var padding: Int?
    var addBOS: Bool
    var chatTemplate: String?
    /// "gpt2" (byte-level BPE) or "llama" (SentencePiece, which also has scores).
    var model = "gpt2"
    var scores: [Float]?
    /// Written only when false (llama.cpp assumes true for SentencePiece vocabularies).
    var addSpacePrefix = true

    static let normal: Int32 = 1, control: Int32 = 3, userDefined: Int32 = 4, unused: Int32 = 5

    init(tokens: [String], tokenTypes: [Int32], merges: [String], preTokenizer: String, bos: Int?, eos: Int?,
         unknown: Int?, padding: Int?, addBOS: Bool, chatTemplate: String?) {
        self.tokens = tokens
        self.tokenTypes = tokenTypes
        self.merges = merges
        self.preTokenizer = preTokenizer
        self.bos = bos
        self.eos = eos
        self.unknown = unknown
        self.padding = padding
        self.addBOS = addBOS
        self.chatTemplate = chatTemplate
    }

    init(file: GGUFFile) throws {
        let path = file.path ?? "model"
        guard file.string("tokenizer.ggml.model") == "gpt2" else {
            throw QuantizerError.badInput(path: path, reason: "tokenizer.ggml.model is '\(file.string("tokenizer.ggml.model") ?? "missing")'; only byte-level BPE ('gpt2') tokenizers can be exported")
        }
        guard case .string(let tokens)? = file.array("tokenizer.ggml.tokens") else {
            throw QuantizerError.badInput(path: path, reason: "tokenizer.ggml.tokens: expected an array of strings")
        }
        let types = file.array("tokenizer.ggml.token_type")?.integers?.map { Int32($0) }
            ?? Array(repeating: Self.normal, count: tokens.count)
        var merges: [String] = []
        if case .string(let m)? = file.array("tokenizer.ggml.merges") { merges = m }
        self.init(tokens: tokens, tokenTypes: types, merges: merges,
                  preTokenizer: file.string("tokenizer.ggml.pre") ?? "default",
                  bos: file.int("tokenizer.ggml.bos_token_id"), eos: file.int("tokenizer.ggml.eos_token_id"),
                  unknown: file.int("tokenizer.ggml.unknown_token_id"), padding: file.int("tokenizer.ggml.padding_token_id"),
                  addBOS: file.bool("tokenizer.ggml.add_bos_token") ?? false,
                  chatTemplate: file.string("tokenizer.chat_template"))
    }
}

enum HFTokenizerFiles {
    /// tokenizer.json pre-tokenizer sections for the llama.cpp pre-tokenizer names we can express.
    static func preTokenizerJSON(_ name: String) -> [String: Any] {
        let byteLevel: [String: Any] = ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true]
        switch name {
        case "smollm", "starcoder", "refact":
            return ["type": "Sequence", "pretokenizers": [["type": "Digits", "individual_digits": true], byteLevel]]
        case "llama-bpe", "llama3":
            let pattern = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"
            return ["type": "Sequence", "pretokenizers": [
                ["type": "Split", "pattern": ["Regex": pattern], "behavior": "Isolated", "invert": false],
                ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false]]]
        default:
            return byteLevel
        }
    }

    /// The llama.cpp pre-tokenizer name for a tokenizer.json pre_tokenizer section.
    static func preTokenizerName(_ json: Any?) -> String {
        guard let section = json as? [String: Any] else { return "default" }
        let parts = (section["type"] as? String == "Sequence") ? (section["pretokenizers"] as? [[String: Any]] ?? []) : [section]
        let types = parts.compactMap { $0["type"] as? String }
        if types == ["Digits", "ByteLevel"], parts[0]["individual_digits"] as? Bool == true { return "smollm" }
        if types == ["Split", "ByteLevel"], let pattern = (parts[0]["pattern"] as? [String: Any])?["Regex"] as? String,
           pattern.contains("\\p{N}{1,3}") { return "llama-bpe" }
        if types == ["ByteLevel"] { return "gpt2" }
        return "default"
    }

    /// tokenizer.json for a GGUF vocabulary.
    static func tokenizerJSON(_ vocab: GGUFVocabulary) -> [String: Any] {
        var vocabMap: [String: Int] = [:]
        var added: [[String: Any]] = []
        for (id, token) in vocab.tokens.enumerated() {
            let type = id < vocab.tokenTypes.count ? vocab.tokenTypes[id] : GGUFVocabulary.normal
            if type == GGUFVocabulary.control || type == GGUFVocabulary.userDefined {
                added.append(["id": id, "content": token, "single_word": false, "lstrip": false, "rstrip": false,
                              "normalized": type != GGUFVocabulary.control, "special": type == GGUFVocabulary.control])
            }
            vocabMap[token] = id
        }
        return [
            "version": "1.0", "truncation": NSNull(), "padding": NSNull(), "added_tokens": added,
            "normalizer": NSNull(), "pre_tokenizer": preTokenizerJSON(vocab.preTokenizer),
            "post_processor": ["type": "ByteLevel", "add_prefix_space": true, "trim_offsets": false, "use_regex": true],
            "decoder": ["type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true],
            "model": ["type": "BPE", "dropout": NSNull(), "unk_token": NSNull(), "continuing_subword_prefix": NSNull(),
                      "end_of_word_suffix": NSNull(), "fuse_unk": false, "byte_fallback": false, "ignore_merges": false,
                      "vocab": vocabMap, "merges": vocab.merges],
        ]
    }

    /// tokenizer_config.json for a GGUF vocabulary.
    static func tokenizerConfigJSON(_ vocab: GGUFVocabulary, contextLength: Int?) -> [String: Any] {
        func token(_ id: Int?) -> Any { id.flatMap { $0 < vocab.tokens.count ? vocab.tokens[$0] : nil } ?? NSNull() }
        var decoder: [String: Any] = [:]
        for (id, token) in vocab.tokens.enumerated() where vocab.tokenTypes[id] == GGUFVocabulary.control {
            decoder[String(id)] = ["content": token, "lstrip": false, "normalized": false, "rstrip": false,
                                   "single_word": false, "special": true]
        }
        var config: [String: Any] = [
            "add_bos_token": vocab.addBOS, "add_eos_token": false, "add_prefix_space": false,
            "bos_token": token(vocab.bos), "eos_token": token(vocab.eos), "unk_token": token(vocab.unknown),
            "pad_token": token(vocab.padding), "added_tokens_decoder": decoder, "clean_up_tokenization_spaces": false,
            "tokenizer_class": "GPT2Tokenizer",
        ]
        if let contextLength { config["model_max_length"] = contextLength }
        if let template = vocab.chatTemplate { config["chat_template"] = template }
        return config
    }

    /// Reads tokenizer.json + tokenizer_config.json back into GGUF vocabulary values. `vocabularySize` (from
    /// config.json) pads the token list with unused [PAD] tokens, as convert_hf_to_gguf.py does.
    static func read(directory: URL, vocabularySize: Int?, config modelConfig: [String: Any] = [:]) throws -> GGUFVocabulary {
        // Like convert_hf_to_gguf.py's LlamaModel, a SentencePiece tokenizer.model wins over tokenizer.json.
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent("tokenizer.model").path) {
            return try readSentencePiece(directory: directory, vocabularySize: vocabularySize, modelConfig: modelConfig)
        }
        let tokenizerURL = directory.appendingPathComponent("tokenizer.json")
        let tokenizer = try readJSON(tokenizerURL)
        guard let model = tokenizer["model"] as? [String: Any], model["type"] as? String == "BPE",
              let vocabMap = model["vocab"] as? [String: Int] else {
            throw QuantizerError.badInput(path: tokenizerURL.path, reason: "model: expected a BPE model with a vocab (only byte-level BPE tokenizers are supported)")
        }
        let added = tokenizer["added_tokens"] as? [[String: Any]] ?? []
        let count = max(vocabularySize ?? 0, (vocabMap.values.max() ?? -1) + 1,
                        (added.compactMap { $0["id"] as? Int }.max() ?? -1) + 1)
        var tokens = [String?](repeating: nil, count: count)
        var types = [Int32](repeating: GGUFVocabulary.normal, count: count)
        for (token, id) in vocabMap where id < count { tokens[id] = token }
        for entry in added {
            guard let id = entry["id"] as? Int, let content = entry["content"] as? String, id < count else { continue }
            tokens[id] = content
            types[id] = entry["special"] as? Bool == true ? GGUFVocabulary.control : GGUFVocabulary.userDefined
        }
        let filled = tokens.enumerated().map { id, token -> String in
            if let token { return token }
            types[id] = GGUFVocabulary.unused
            return "[PAD\(id)]"
        }
        // Merges are "a b" strings in older files and [a, b] pairs in newer ones.
        let merges: [String] = (model["merges"] as? [Any] ?? []).compactMap { merge in
            if let text = merge as? String { return text }
            if let pair = merge as? [String], pair.count == 2 { return pair[0] + " " + pair[1] }
            return nil
        }
        let configURL = directory.appendingPathComponent("tokenizer_config.json")
        let config = FileManager.default.fileExists(atPath: configURL.path) ? try readJSON(configURL) : [:]
        let ids = Dictionary(filled.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        func specialID(_ key: String) -> Int? {
            if let text = config[key] as? String { return ids[text] }
            if let object = config[key] as? [String: Any], let text = object["content"] as? String { return ids[text] }
            return nil
        }
        return GGUFVocabulary(tokens: filled, tokenTypes: types, merges: merges,
                              preTokenizer: preTokenizerName(tokenizer["pre_tokenizer"]),
                              bos: specialID("bos_token"), eos: specialID("eos_token"), unknown: specialID("unk_token"),
                              padding: specialID("pad_token"), addBOS: config["add_bos_token"] as? Bool ?? false,
                              chatTemplate: chatTemplate(config))
    }

    static func readJSON(_ url: URL) throws -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw QuantizerError.badInput(path: url.path, reason: "cannot read the file")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw QuantizerError.badInput(path: url.path, reason: "not a JSON object")
        }
        return object
    }

    static func writeJSON(_ object: Any, to url: URL) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        do { try data.write(to: url, options: .atomic) } catch {
            throw QuantizerError.writeFailed(path: url.path, reason: error.localizedDescription)
        }
    }
}
