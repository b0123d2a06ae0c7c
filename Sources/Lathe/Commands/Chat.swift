// `lathe chat MODEL`: line-based chat for pipes and scripts. Each stdin line is a user turn; the reply
// streams to stdout. The conversation stays in the KV cache, so each turn processes only its new tokens.
import ArgumentParser
import Engine
import Foundation
import Tokenizers

struct Chat: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Chat line by line on stdin/stdout with the model's template.")

    @OptionGroup var model: ModelOptions
    @Option(name: .customLong("system"), help: "System prompt.") var systemPrompt: String?
    @OptionGroup var sampling: SamplingOptions
    @OptionGroup var runtime: RuntimeOptions
    @OptionGroup var lora: LoRAOptions
    @Flag(help: "Print per-turn statistics on stderr.") var verbose = false

    func run() throws {
        try CLIErrors.guarded {
            let lm = try LanguageModel(path: try model.resolvedPath(), threads: runtime.threadCount)
            try lora.apply(to: lm)
            if lm.chatTemplateSource != "model" {
                FileHandle.standardError.write(Data("note: the model has no chat template; using the built-in \(lm.chatTemplateSource) template\n".utf8))
            }
            let generator = TextGenerator(model: lm, contextLength: runtime.contextLength)
            var messages: [ChatMessage] = systemPrompt.map { [ChatMessage(role: "system", content: $0)] } ?? []
            let interrupt = InterruptFlag.install()
            while let line = readLine(strippingNewline: true) {
                guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
                messages.append(ChatMessage(role: "user", content: line))
                let prompt = lm.tokenizeChatPrompt(try lm.renderChat(messages))
                var reply = ""
                interrupt.clear()
                let stats = try generator.generate(prompt: prompt, parameters: sampling.parameters,
                                                   isCancelled: { interrupt.isSet }) { piece, _ in
                    reply += piece
                    FileHandle.standardOutput.write(Data(piece.utf8))
                    return true
                }
                FileHandle.standardOutput.write(Data("\n".utf8))
                messages.append(ChatMessage(role: "assistant", content: reply))
                if verbose { FileHandle.standardError.write(Data(StatsLine.render(stats).utf8 + [10])) }
            }
        }
    }
}
