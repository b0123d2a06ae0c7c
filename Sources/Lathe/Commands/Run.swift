// `lathe run MODEL PROMPT`: raw completion (no chat template), streamed to stdout, as llama.cpp's
// completion tool: BOS per the model's policy, special tokens written in the prompt parsed.
import ArgumentParser
import Engine
import Foundation

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Complete a raw prompt (no chat template).")

    @OptionGroup var model: ModelOptions
    @Argument(help: "The prompt text.") var prompt: String
    @OptionGroup var sampling: SamplingOptions
    @OptionGroup var runtime: RuntimeOptions
    @OptionGroup var lora: LoRAOptions
    @Flag(help: "Print one JSON object (tokens, text, prompt_tokens, prompt_tps, gen_tps…) at the end.") var json = false

    func run() throws {
        try CLIErrors.guarded {
            let lm = try LanguageModel(path: try model.resolvedPath(), threads: runtime.threadCount)
            try lora.apply(to: lm)
            let generator = TextGenerator(model: lm, contextLength: runtime.contextLength)
            generator.contextOverflow = .stop
            let ids = lm.tokenizer.encode(prompt, addSpecial: true, parseSpecial: true)
            var tokens: [Int32] = []
            var text = ""
            var topLogits: [[Double]] = []
            if json {
                // The first position's top-10 logits, for checking a forward pass against llama.cpp.
                try generator.session.prefill(ids)
                let logits = generator.session.logits
                let order = (0..<generator.session.vocabularySize).sorted { logits[$0] > logits[$1] }.prefix(10)
                topLogits = order.map { [Double($0), Double(logits[$0])] }
            }
            let interrupt = InterruptFlag.install()
            let stats = try generator.generate(prompt: ids, parameters: sampling.parameters,
                                               isCancelled: { interrupt.isSet }) { piece, token in
                if token >= 0 { tokens.append(token) }
                text += piece
                if !json { FileHandle.standardOutput.write(Data(piece.utf8)) }
                return true
            }
            if json {
                let report = RunReport(tokens: tokens, text: text, promptTokens: ids.count, stats: stats, firstTopLogits: topLogits)
                print(try report.jsonString())
            } else {
                FileHandle.standardOutput.write(Data("\n".utf8))
                FileHandle.standardError.write(Data(StatsLine.render(stats).utf8 + [10]))
            }
        }
    }
}

struct RunReport: Encodable {
    var tokens: [Int32]
    var text: String
    var promptTokens: Int
    var stats: GenerationStats
    var firstTopLogits: [[Double]]

    enum CodingKeys: String, CodingKey {
        case tokens, text, promptTokens = "prompt_tokens", promptTps = "prompt_tps", genTps = "gen_tps"
        case generatedTokens = "generated_tokens", ttftMs = "ttft_ms", stopReason = "stop_reason"
        case firstTopLogits = "first_top_logits"
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tokens, forKey: .tokens)
        try c.encode(text, forKey: .text)
        try c.encode(promptTokens, forKey: .promptTokens)
        try c.encode(stats.promptTokensPerSecond, forKey: .promptTps)
        try c.encode(stats.generationTokensPerSecond, forKey: .genTps)
        try c.encode(tokens.count, forKey: .generatedTokens)
        try c.encode(stats.timeToFirstToken * 1000, forKey: .ttftMs)
        try c.encode(stats.stopReason.rawValue, forKey: .stopReason)
        try c.encode(firstTopLogits, forKey: .firstTopLogits)
    }

    func jsonString() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

enum StatsLine {
    static func render(_ s: GenerationStats) -> String {
        String(format: "prompt: %d tokens (%d processed) at %.1f t/s, ttft %.0f ms | generated: %d tokens at %.1f t/s | stop: %@",
               s.promptTokens, s.processedPromptTokens, s.promptTokensPerSecond, s.timeToFirstToken * 1000,
               s.generatedTokens, s.generationTokensPerSecond, s.stopReason.rawValue)
    }
}
