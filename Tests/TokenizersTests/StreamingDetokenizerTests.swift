// Streaming detokenization: characters split across tokens (emoji and CJK in byte-level BPE, byte-fallback
// tokens in SentencePiece) never come out as partial UTF-8, and the pieces add up to the text.
import Testing
import Tokenizers

@Suite struct StreamingDetokenizerTests {
    static let texts = ["Emoji: 😀👍🏽🇯🇵 👨‍👩‍👧‍👦 ❤️ 🫠🪿", "中国的首都是北京。你好，世界！龘𠜎𠀋", "naïve café — “quotes” …"]

    @Test(arguments: ["smollm2", "gemma3"])
    func chunksAreCompleteUTF8AndConcatenateToTheText(model: String) throws {
        let tokenizer = try #require(TestModels.named(model))
        for text in Self.texts {
            let ids = tokenizer.encode(text, addSpecial: true, parseSpecial: false)
            var stream = StreamingDetokenizer(tokenizer: tokenizer)
            var out = ""
            var heldBack = false
            for id in ids {
                let chunk = stream.append(id)
                #expect(!chunk.unicodeScalars.contains("\u{FFFD}"), "partial UTF-8 in \(chunk.debugDescription)")
                if stream.pendingByteCount > 0 { heldBack = true }
                out += chunk
            }
            out += stream.flush()
            #expect(out == text)
            if model == "smollm2" && text != Self.texts[2] { #expect(heldBack, "byte-level BPE splits these characters over tokens") }
        }
    }

    @Test func splitEmojiIsHeldBackUntilComplete() throws {
        let tokenizer = try #require(TestModels.smollm2)
        let ids = tokenizer.encode("🫠", addSpecial: false, parseSpecial: false)
        #expect(ids.count > 1)
        var stream = StreamingDetokenizer(tokenizer: tokenizer)
        let outputs = ids.map { stream.append($0) }
        #expect(outputs.dropLast().allSatisfy { $0.isEmpty })
        #expect(outputs.last == "🫠")
        #expect(stream.flush() == "")
    }

    @Test func incompleteTailFlushesAsReplacement() throws {
        let tokenizer = try #require(TestModels.smollm2)
        let ids = tokenizer.encode("🫠", addSpecial: false, parseSpecial: false)
        var stream = StreamingDetokenizer(tokenizer: tokenizer)
        #expect(stream.append(ids[0]) == "")
        #expect(stream.flush() == "\u{FFFD}")
    }

    @Test func specialTokensHiddenOrRendered() throws {
        let tokenizer = try #require(TestModels.smollm2)
        let ids = tokenizer.encode("<|im_start|>assistant\nHi<|im_end|>", addSpecial: false, parseSpecial: true)
        var hidden = StreamingDetokenizer(tokenizer: tokenizer)
        var shown = StreamingDetokenizer(tokenizer: tokenizer, renderSpecial: true)
        #expect(ids.map { hidden.append($0) }.joined() == "assistant\nHi")
        #expect(ids.map { shown.append($0) }.joined() == "<|im_start|>assistant\nHi<|im_end|>")
    }

    @Test func gemmaStreamSkipsBOS() throws {
        let tokenizer = try #require(TestModels.gemma3)
        let ids = tokenizer.encode("Hello world", addSpecial: true, parseSpecial: false)
        #expect(ids.first == tokenizer.bos)
        var stream = StreamingDetokenizer(tokenizer: tokenizer, startOfText: true)
        #expect(ids.map { stream.append($0) }.joined() == "Hello world")
    }
}
