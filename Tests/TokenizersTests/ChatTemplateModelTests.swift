// Chat templates from the test models, end to end as `lathe template` does it: SmolLM2's GGUF carries a
// template; Gemma 3 270M's does not, so the built-in Gemma fallback must match the published Gemma 3 template.
import Foundation
import GGUF
import LatheTestSupport
import Testing
import Tokenizers

@Suite struct ChatTemplateModelTests {
    private func token(_ file: GGUFFile, _ key: String) -> String {
        guard let id = file.int(key), case .string(let names)? = file.array("tokenizer.ggml.tokens") else { return "" }
        return names[id]
    }

    @Test func smolLM2RendersItsOwnTemplate() throws {
        guard FileManager.default.fileExists(atPath: TestPaths.smollm2) else { return }
        let file = try GGUFFile(path: TestPaths.smollm2)
        let template = try ChatTemplate(source: try #require(file.string("tokenizer.chat_template")))
        let prompt = try template.render(messages: [.user("Hi")], addGenerationPrompt: true,
                                         bosToken: token(file, "tokenizer.ggml.bos_token_id"),
                                         eosToken: token(file, "tokenizer.ggml.eos_token_id"))
        #expect(prompt == "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
            + "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
    }

    @Test func gemma3FallbackMatchesThePublishedTemplate() throws {
        guard FileManager.default.fileExists(atPath: TestPaths.gemma3) else { return }
        let file = try GGUFFile(path: TestPaths.gemma3)
        #expect(file.string("tokenizer.chat_template") == nil)
        let (fallback, name) = ChatTemplate.fallback(architecture: file.architecture ?? "")
        #expect(name == "gemma")
        let bos = token(file, "tokenizer.ggml.bos_token_id")
        #expect(bos == "<bos>")
        let published = try ChatTemplateOracle.template("gemma3")
        let chats: [[ChatMessage]] = [
            [.user("Hi")],
            [.system("Be brief."), .user("Hi"), .assistant("Hello!"), .user("  Bye  ")],
            [.user("日本語 😀"), .assistant("")],
        ]
        for chat in chats {
            for generation in [false, true] {
                let ours = try fallback.render(messages: chat, addGenerationPrompt: generation, bosToken: bos, eosToken: "<eos>")
                let theirs = try published.render(messages: chat, addGenerationPrompt: generation, bosToken: bos, eosToken: "<eos>")
                #expect(ours == theirs)
            }
        }
    }
}
