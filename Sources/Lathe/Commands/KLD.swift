// `lathe kld BASE QUANT FILE [--ctx 256] [--chunks N] [--json]`: mean KL divergence, top-1 agreement and
// Δppl of a quantized model against its base on the same text (see Quantizer/KLDivergence.swift).
import ArgumentParser
import Engine
import Foundation
import Quantizer

struct KLD: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kld", abstract: "KL divergence, top-1 agreement and Δppl of a quantized model against its base.")

    @Argument(help: "The base model (path or name in the models directory).") var base: String
    @Argument(help: "The quantized model.") var quant: String
    @Argument(help: "A UTF-8 text file.") var textFile: String
    @Option(name: [.customShort("c"), .customLong("ctx")], help: "Chunk (context) length.") var contextLength = 256
    @Option(help: "Use at most this many chunks.") var chunks: Int?
    @Option(name: [.customShort("t"), .long], help: "Threads.") var threads = ThreadCount.default
    @Flag(help: "Print one JSON object.") var json = false
    @OptionGroup var location: ModelsDirectoryOption

    func validate() throws {
        guard contextLength >= 16 else { throw ValidationError("--ctx must be at least 16.") }
        if let chunks, chunks < 1 { throw ValidationError("--chunks must be at least 1.") }
    }

    func run() throws {
        try CLIErrors.guarded {
            guard let data = FileManager.default.contents(atPath: textFile) else {
                throw CLIError.message("cannot read text file '\(textFile)'")
            }
            let baseModel = try LanguageModel(path: try location.directory.resolve(base), threads: threads)
            let quantModel = try LanguageModel(path: try location.directory.resolve(quant), threads: threads)
            let result = try KLDivergence.compute(base: baseModel, quant: quantModel, text: String(decoding: data, as: UTF8.self),
                                                  contextLength: contextLength, maxChunks: chunks) { done, total in
                if !json { FileHandle.standardError.write(Data("[\(done)/\(total)]\n".utf8)) }
            }
            if json {
                var object = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(result)) as? [String: Any] ?? [:]
                object["peak_rss_mib"] = PeakMemory.residentMiB
                print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
            } else {
                print(String(format: "Mean KLD: %.6f ± %.6f\nSame top token: %.2f%%\nPPL base %.4f, quantized %.4f, Δppl %+.4f (%d chunks, %d tokens scored)",
                             result.meanKLD, result.kldStderr, result.top1Agreement * 100, result.basePPL, result.quantPPL,
                             result.deltaPPL, result.chunks, result.scoredTokens))
            }
        }
    }
}
