// Builds a Tokenizer from a GGUF file's `tokenizer.ggml.*` metadata, choosing the model stage by
// `tokenizer.ggml.model` (gpt2 → byte-level BPE, llama → SentencePiece) and the flags as llama.cpp's vocab loader.
import GGUF

public enum TokenizerLoader {
    public static func load(from file: GGUFFile) throws -> any Tokenizer {
        guard let modelName = file.string("tokenizer.ggml.model") else {
            throw TokenizerError.missingKey("tokenizer.ggml.model")
        }
        guard let tokensValue = file.array("tokenizer.ggml.tokens") else {
            throw TokenizerError.missingKey("tokenizer.ggml.tokens")
        }
        guard case .string(let tokens) = tokensValue else {
            throw TokenizerError.wrongType(key: "tokenizer.ggml.tokens", expected: "an array of strings")
        }
        var scores: [Float]?
        switch file.array("tokenizer.ggml.scores") {
        case .float32(let s)?: scores = s
        case .int32(let s)?: scores = s.map(Float.init)
        case nil: scores = nil
        default: throw TokenizerError.wrongType(key: "tokenizer.ggml.scores", expected: "an array of floats")
        }
        let types = file.array("tokenizer.ggml.token_type")?.integers
        if let scores, scores.count < tokens.count {
            throw TokenizerError.lengthMismatch(key: "tokenizer.ggml.scores", count: scores.count, expected: tokens.count)
        }
        if let types, types.count < tokens.count {
            throw TokenizerError.lengthMismatch(key: "tokenizer.ggml.token_type", count: types.count, expected: tokens.count)
        }
        var vocabulary = Vocabulary(tokens: tokens, scores: scores, types: types)
        let pre = file.string("tokenizer.ggml.pre") ?? ""

        switch modelName {
        case "gpt2":
            guard case .string(let merges)? = file.array("tokenizer.ggml.merges") else {
                throw TokenizerError.missingKey("tokenizer.ggml.merges")
            }
            let preTokenizer = try PreTokenizer.named(pre)
            let special = SpecialTokens.resolve(file: file, vocabulary: &vocabulary, defaults: (11, 11, nil))
            let addsBOS = file.bool("tokenizer.ggml.add_bos_token") ?? preTokenizer.addsBOSByDefault
            let addsEOS = file.bool("tokenizer.ggml.add_eos_token") ?? false
            try check(addsBOS: addsBOS, addsEOS: addsEOS, special)
            let model = BPETokenizer(vocabulary: vocabulary, merges: merges, preTokenizer: preTokenizer)
            return GGUFTokenizer(model: model, special: special, addsBOS: addsBOS, addsEOS: addsEOS,
                                 addsSpacePrefix: false, cleanSpaces: preTokenizer.cleanSpaces)
        case "llama":
            let special = SpecialTokens.resolve(file: file, vocabulary: &vocabulary, defaults: (1, 2, 0))
            let addsBOS = file.bool("tokenizer.ggml.add_bos_token") ?? true
            let addsEOS = file.bool("tokenizer.ggml.add_eos_token") ?? false
            let addsSpacePrefix = file.bool("tokenizer.ggml.add_space_prefix") ?? true
            try check(addsBOS: addsBOS, addsEOS: addsEOS, special)
            let model = SentencePieceTokenizer(vocabulary: vocabulary, addsSpacePrefix: addsSpacePrefix,
                                               unknown: special.unknown)
            return GGUFTokenizer(model: model, special: special, addsBOS: addsBOS, addsEOS: addsEOS,
                                 addsSpacePrefix: addsSpacePrefix, cleanSpaces: false)
        default:
            throw TokenizerError.unsupportedModel(modelName)
        }
    }

    private static func check(addsBOS: Bool, addsEOS: Bool, _ special: SpecialTokens) throws {
        if addsBOS && special.bos == nil {
            throw TokenizerError.missingSpecialToken(flag: "tokenizer.ggml.add_bos_token", key: "tokenizer.ggml.bos_token_id")
        }
        if addsEOS && special.eos == nil {
            throw TokenizerError.missingSpecialToken(flag: "tokenizer.ggml.add_eos_token", key: "tokenizer.ggml.eos_token_id")
        }
    }
}
