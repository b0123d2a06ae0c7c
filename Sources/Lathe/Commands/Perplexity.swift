// `lathe perplexity MODEL FILE [--ctx 256]`: llama-perplexity's method (see Engine/Perplexity.swift).
import ArgumentParser
import Engine
import Foundation

struct PerplexityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perplexity", abstract: "Perplexity of a model on a text file (llama.cpp's method).")

    @OptionGroup var model: ModelOptions
    @Argument(help: "A UTF-8 text file.") var textFile: String
    @Option(name: [.customShort("c"), .customLong("ctx")], help: "Chunk (context) length.") var contextLength = 256
    @Option(name: [.customShort("t"), .long], help: "Threads.") var threads = ThreadCount.default
    @Flag(help: "Print one JSON object with ppl and ppl_stderr.") var json = false

    func validate() throws {
        guard contextLength >= 16 else { throw ValidationError("--ctx must be at least 16.") }
    }

    func run() throws {
        try CLIErrors.guarded {
            let lm = try LanguageModel(path: try model.resolvedPath(), threads: threads)
            guard let data = FileManager.default.contents(atPath: textFile) else {
                throw CLIError.message("cannot read text file '\(textFile)'")
            }
            let text = String(decoding: data, as: UTF8.self)
            let tokens = lm.tokenizer.encode(text, addSpecial: true, parseSpecial: false)
            let session = InferenceSession(model: lm.transformer, contextLength: contextLength)
            let bos = lm.tokenizer.addsBOS ? lm.tokenizer.bos : nil
            let result = try Engine.Perplexity.compute(session: session, tokens: tokens, contextLength: contextLength, bos: bos) {
                chunk, total, running in
                if !json { FileHandle.standardError.write(Data(String(format: "[%d/%d] %.4f\n", chunk, total, running).utf8)) }
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                print(String(decoding: try encoder.encode(result), as: UTF8.self))
            } else {
                print(String(format: "Final estimate: PPL = %.4f +/- %.5f (%d chunks of %d tokens, %.0f t/s)",
                             result.ppl, result.pplStderr, result.chunks, contextLength, result.tokensPerSecond))
            }
        }
    }
}
