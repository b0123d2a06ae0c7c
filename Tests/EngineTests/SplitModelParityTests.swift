// A split model is the same model: SmolLM2 split into three parts (by gguf-py's split writer) must give the
// single file's greedy tokens and every logit bit for bit, through the whole LanguageModel load path.
import Engine
import Foundation
import GGUF
import LatheTestSupport
import Testing
import Tokenizers

@Suite struct SplitModelParityTests {
    @Test func splitModelGivesTheSingleFilesTokensAndLogitsExactly() throws {
        let parts = try SplitSmolLM2.parts()
        let single = try LanguageModel(path: TestPaths.smollm2, threads: 2)
        let split = try LanguageModel(path: parts[0], threads: 2)
        #expect(split.file.paths == parts && split.name == single.name)
        #expect(split.tokenizer.vocabularySize == single.tokenizer.vocabularySize)

        let prompt = single.tokenizeChatPrompt(try single.renderChat([ChatMessage(role: "user", content: "Name three colours.")]))
        #expect(split.tokenizeChatPrompt(try split.renderChat([ChatMessage(role: "user", content: "Name three colours.")])) == prompt)
        let a = InferenceSession(model: single.transformer, contextLength: 128)
        let b = InferenceSession(model: split.transformer, contextLength: 128)
        try a.prefill(prompt)
        try b.prefill(prompt)
        let vocabulary = a.vocabularySize
        var tokens: [Int32] = []
        var firstDifference: Int?
        for step in 0..<16 {
            let x = UnsafeBufferPointer(start: a.logits, count: vocabulary)
            let y = UnsafeBufferPointer(start: b.logits, count: vocabulary)
            // Bit patterns, so even a NaN or a signed zero would have to match.
            if firstDifference == nil, !zip(x, y).allSatisfy({ $0.bitPattern == $1.bitPattern }) { firstDifference = step }
            let token = Sampler.argmax(a.logits, count: vocabulary)
            #expect(Sampler.argmax(b.logits, count: vocabulary) == token, "step \(step)")
            tokens.append(token)
            try a.evaluate([token], logits: .last)
            try b.evaluate([token], logits: .last)
        }
        #expect(firstDifference == nil, "logits differ from step \(firstDifference ?? -1)")
        #expect(Set(tokens).count > 3, "a real continuation, not one repeated token: \(tokens)")
    }
}
