// The public tokenizer API the engine codes against: encode/decode with llama.cpp's semantics (BOS/EOS policy,
// special tokens parsed only on request), per-token pieces for streaming, and the special-token facts.

public protocol Tokenizer: Sendable {
    /// Token ids of `text`. `addSpecial` adds BOS/EOS per the model's policy; `parseSpecial` turns control-token
    /// text such as `<|im_start|>` into its token (user-defined tokens are always recognised, as in llama.cpp).
    func encode(_ text: String, addSpecial: Bool, parseSpecial: Bool) -> [Int32]
    /// The text of `tokens`; control tokens appear only when `renderSpecial` is true.
    func decode(_ tokens: [Int32], renderSpecial: Bool) -> String
    /// The raw bytes one token stands for (special tokens rendered), for streaming detokenization.
    func piece(_ token: Int32) -> [UInt8]
    var vocabularySize: Int { get }
    var bos: Int32? { get }
    var eos: Int32? { get }
    var eot: Int32? { get }
    /// Tokens that end generation: EOS, EOT and tokens such as <|im_end|>, <end_of_turn>, <|eot_id|>.
    var endOfGenerationTokens: Set<Int32> { get }
    var addsBOS: Bool { get }
    var addsEOS: Bool { get }
    /// SentencePiece models that prefix text with a space (and drop it again when decoding from the start).
    var addsSpacePrefix: Bool { get }
    func isControl(_ token: Int32) -> Bool
    func attributes(_ token: Int32) -> TokenAttributes
    /// The vocabulary's own string for a token (e.g. "▁Hello", "Ġworld", "<|im_end|>").
    func tokenText(_ token: Int32) -> String
    /// The id of a vocabulary string, if present.
    func tokenID(_ text: String) -> Int32?
}

public extension Tokenizer {
    func encode(_ text: String) -> [Int32] { encode(text, addSpecial: true, parseSpecial: false) }
    func decode(_ tokens: [Int32]) -> String { decode(tokens, renderSpecial: false) }
    func isEndOfGeneration(_ token: Int32) -> Bool { endOfGenerationTokens.contains(token) }
}
