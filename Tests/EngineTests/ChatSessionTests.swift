// A multi-turn chat reuses the KV cache: each turn processes only the tokens it adds.
import Engine
import Foundation
import LatheTestSupport
import Testing
import Tokenizers

@Suite(.serialized) struct ChatSessionTests {
    @Test func tenTurnChatProcessesOnlyNewTokens() throws {
        let lm = try SharedModels.languageModel(TestPaths.smollm2)
        let generator = TextGenerator(model: lm, contextLength: 2048)
        var parameters = GenerationParameters()
        parameters.sampling = .greedy
        parameters.maxTokens = 24
        var messages = [ChatMessage(role: "system", content: "You are a concise assistant.")]
        let questions = ["Hi! What is your name?", "What is 2 plus 2?", "Name a colour.", "Name a fruit.",
                         "What is the opposite of hot?", "Say hello in French.", "What day comes after Monday?",
                         "Name an animal that barks.", "What is the capital of Italy?", "Thank you, goodbye!"]
        var previousTokens: [Int32] = []
        for (turn, question) in questions.enumerated() {
            messages.append(ChatMessage(role: "user", content: question))
            let prompt = lm.tokenizeChatPrompt(try lm.renderChat(messages))
            var reply = ""
            let stats = try generator.generate(prompt: prompt, parameters: parameters) { text, _ in
                reply += text
                return true
            }
            let shared = zip(previousTokens, prompt).prefix { $0 == $1 }.count
            #expect(stats.processedPromptTokens == prompt.count - shared, "turn \(turn)")
            if turn > 0 { #expect(stats.processedPromptTokens < prompt.count / 2, "turn \(turn) re-read its history") }
            #expect(!reply.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "turn \(turn) produced no text")
            messages.append(ChatMessage(role: "assistant", content: reply))
            previousTokens = generator.session.tokens
        }
    }

    @Test func greedyGenerationIsDeterministic() throws {
        let lm = try SharedModels.languageModel(TestPaths.smollm2)
        var parameters = GenerationParameters()
        parameters.sampling.temperature = 0.8
        parameters.sampling.seed = 1234
        parameters.maxTokens = 20
        let prompt = lm.tokenizer.encode("Once upon a time", addSpecial: true, parseSpecial: false)
        func run() throws -> String {
            let generator = TextGenerator(model: lm, contextLength: 256)
            var text = ""
            _ = try generator.generate(prompt: prompt, parameters: parameters) { t, _ in text += t; return true }
            return text
        }
        #expect(try run() == run())
    }

    @Test func stopStringEndsGenerationWithoutEmittingIt() throws {
        let lm = try SharedModels.languageModel(TestPaths.smollm2)
        let generator = TextGenerator(model: lm, contextLength: 256)
        var parameters = GenerationParameters()
        parameters.sampling = .greedy
        parameters.maxTokens = 32
        parameters.ignoreEndOfGeneration = true
        parameters.stopStrings = ["United"]
        let prompt = lm.tokenizer.encode("The capital of France is", addSpecial: true, parseSpecial: false)
        var text = ""
        let stats = try generator.generate(prompt: prompt, parameters: parameters) { t, _ in text += t; return true }
        // llama.cpp's greedy continuation is " Paris.\n\nThe United States has ..."
        #expect(stats.stopReason == .stopString)
        #expect(text == " Paris.\n\nThe ")
    }
}
