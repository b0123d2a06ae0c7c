// `lathe chat MODEL`: line-based chat for pipes and scripts. Each stdin line is a user turn; the reply
// streams to stdout. The conversation stays in the KV cache, so each turn processes only its new tokens.
// With --remote URL the turns go to an OpenAI-compatible server instead (MODEL, if given, is its model name).
import ArgumentParser
import Engine
import Foundation
import Tokenizers
import Workbench

struct Chat: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Chat line by line on stdin/stdout with the model's template.")

    @Argument(help: "A GGUF file (a path, or a name or unique part of one in the models directory); with --remote, the remote model's name (default: the first it lists).")
    var model: String?
    @OptionGroup var location: ModelsDirectoryOption
    @Option(help: "Chat with an OpenAI-compatible server at this URL (e.g. http://127.0.0.1:8080) instead of a local model.")
    var remote: String?
    @Option(name: .customLong("api-key"), help: "API key for --remote (default: $LATHE_API_KEY).") var apiKey: String?
    @Option(name: .customLong("system"), help: "System prompt.") var systemPrompt: String?
    @OptionGroup var sampling: SamplingOptions
    @OptionGroup var runtime: RuntimeOptions
    @OptionGroup var lora: LoRAOptions
    @Flag(help: "Print per-turn statistics on stderr.") var verbose = false

    func validate() throws {
        if remote == nil && model == nil { throw ValidationError("Missing expected argument '<model>' (or --remote URL).") }
        if let remote, RemoteEndpoint(url: remote) == nil {
            throw ValidationError("--remote must be an http(s) URL such as http://127.0.0.1:8080, got '\(remote)'.")
        }
    }

    func run() throws {
        if let remote {
            let key = apiKey ?? ProcessInfo.processInfo.environment["LATHE_API_KEY"]
            let endpoint = RemoteEndpoint(url: remote, apiKey: key, model: model)!
            return try CLIErrors.guarded {
                try RemoteChat(endpoint: endpoint, systemPrompt: systemPrompt, sampling: sampling.remoteSampling,
                               verbose: verbose).run()
            }
        }
        try CLIErrors.guarded {
            let lm = try LanguageModel(path: try location.directory.resolve(model ?? ""), threads: runtime.threadCount)
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
