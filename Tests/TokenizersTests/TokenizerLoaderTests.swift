// Building tokenizers from metadata: policies that depend on `tokenizer.ggml.pre` (Llama 3's BOS, GPT-2's
// clean-up of spaces when decoding) and one-line errors for metadata we cannot use.
import GGUF
import LatheTestSupport
import Testing
import Tokenizers

@Suite struct TokenizerLoaderTests {
    /// SmolLM2's tokenizer metadata with some keys replaced (nil removes a key), as an in-memory GGUF.
    static func file(_ changes: [String: GGUFValue?]) throws -> GGUFFile? {
        guard let source = try? GGUFFile(path: TestPaths.smollm2) else { return nil }
        var writer = GGUFWriter()
        writer.set("general.architecture", .string("llama"))
        for (key, value) in source.metadata where key.hasPrefix("tokenizer.ggml.") && changes[key] == nil {
            writer.set(key, value)
        }
        for (key, value) in changes { if let value { writer.set(key, value) } }
        return try GGUFFile(bytes: writer.headerBytes())
    }

    @Test func llama3PreTokenizerAddsBOSUnlessTheFileSaysOtherwise() throws {
        let withDefault = try #require(try Self.file(["tokenizer.ggml.pre": .string("llama-bpe"),
                                                      "tokenizer.ggml.add_bos_token": nil]))
        #expect(try TokenizerLoader.load(from: withDefault).addsBOS)
        let explicit = try #require(try Self.file(["tokenizer.ggml.pre": .string("llama-bpe"),
                                                   "tokenizer.ggml.add_bos_token": .bool(false)]))
        #expect(try !TokenizerLoader.load(from: explicit).addsBOS)
    }

    @Test func gpt2DecodingCleansUpSpacesLikeLlamaCpp() throws {
        let file = try #require(try Self.file(["tokenizer.ggml.pre": .string("gpt-2")]))
        let tokenizer = try TokenizerLoader.load(from: file)
        let ids = tokenizer.encode("Hello , world . I 'm here", addSpecial: false, parseSpecial: false)
        #expect(tokenizer.decode(ids, renderSpecial: false) == "Hello, world. I'm here")
    }

    @Test func addEOSAppendsEOS() throws {
        let file = try #require(try Self.file(["tokenizer.ggml.add_eos_token": .bool(true)]))
        let tokenizer = try TokenizerLoader.load(from: file)
        #expect(tokenizer.encode("Hi", addSpecial: true, parseSpecial: false).last == tokenizer.eos)
        #expect(tokenizer.encode("Hi", addSpecial: false, parseSpecial: false).last != tokenizer.eos)
    }

    @Test func unsupportedModelIsAOneLineError() throws {
        let file = try #require(try Self.file(["tokenizer.ggml.model": .string("bert")]))
        #expect(throws: TokenizerError.unsupportedModel("bert")) { _ = try TokenizerLoader.load(from: file) }
        #expect(TokenizerError.unsupportedModel("bert").errorDescription == "unsupported tokenizer model 'bert' (supported: gpt2, llama)")
    }

    @Test func missingVocabularyIsAnError() throws {
        let noTokens = try #require(try Self.file(["tokenizer.ggml.tokens": nil]))
        #expect(throws: TokenizerError.missingKey("tokenizer.ggml.tokens")) { _ = try TokenizerLoader.load(from: noTokens) }
        let noMerges = try #require(try Self.file(["tokenizer.ggml.merges": nil]))
        #expect(throws: TokenizerError.missingKey("tokenizer.ggml.merges")) { _ = try TokenizerLoader.load(from: noMerges) }
    }
}
