// The GGUF `tokenizer.ggml.*` metadata of a trained BPE vocabulary (written into the exported model), and a
// Tokenizer built from exactly that metadata, so training tokenizes text as `lathe run` will.
import GGUF
import Tokenizers

extension BPEVocabulary {
    /// A plain chat template for models trained from scratch (ChatML markers are in the vocabulary).
    public static let chatTemplate = """
        {% for message in messages %}<|im_start|>{{ message['role'] }}
        {{ message['content'] }}<|im_end|>
        {% endfor %}{% if add_generation_prompt %}<|im_start|>assistant
        {% endif %}
        """

    public var metadata: [(key: String, value: GGUFValue)] {
        [
            ("tokenizer.ggml.model", .string("gpt2")),
            ("tokenizer.ggml.pre", .string("gpt2")),
            ("tokenizer.ggml.tokens", .array(.string(tokens))),
            ("tokenizer.ggml.token_type", .array(.int32(types))),
            ("tokenizer.ggml.merges", .array(.string(merges))),
            ("tokenizer.ggml.bos_token_id", .uint32(UInt32(endOfText))),
            ("tokenizer.ggml.eos_token_id", .uint32(UInt32(endOfText))),
            ("tokenizer.ggml.add_bos_token", .bool(false)),
            ("tokenizer.ggml.add_eos_token", .bool(false)),
            ("tokenizer.chat_template", .string(Self.chatTemplate)),
        ]
    }

    /// The Tokenizers target's tokenizer for this vocabulary (loaded from in-memory GGUF metadata).
    public func makeTokenizer() throws -> any Tokenizer {
        var writer = GGUFWriter()
        for (key, value) in metadata { writer.set(key, value) }
        return try TokenizerLoader.load(from: GGUFFile(bytes: writer.headerBytes()))
    }
}
