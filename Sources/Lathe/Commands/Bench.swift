// `lathe bench MODEL`: llama-bench's pp/tg measurements (JSON with llama-bench's field names).
import ArgumentParser
import Engine
import Foundation
import GGUF

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks: a model's speed (default), or a component's.",
        subcommands: [BenchModel.self, BenchBus.self, BenchRender.self, BenchTokenizer.self, BenchKernels.self, BenchTrain.self, BenchDownload.self, BenchServe.self, BenchLoRA.self],
        defaultSubcommand: BenchModel.self)
}

struct BenchModel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model", abstract: "Measure prompt processing (pp) and generation (tg) speed like llama-bench.")

    @OptionGroup var model: ModelOptions
    @Option(name: .customShort("p"), help: "Prompt tokens for the pp test (0 = skip).") var promptTokens = 512
    @Option(name: .customShort("n"), help: "Tokens for the tg test (0 = skip).") var generatedTokens = 128
    @Option(name: .customShort("r"), help: "Repetitions.") var repetitions = 5
    @Option(name: .customShort("t"), help: "Threads.") var threads = ThreadCount.default
    @Flag(help: "Print a JSON array of results.") var json = false

    func validate() throws {
        guard repetitions >= 1 else { throw ValidationError("-r must be at least 1.") }
        guard threads >= 1 else { throw ValidationError("-t must be at least 1.") }
    }

    func run() throws {
        try CLIErrors.guarded {
            let path = try model.resolvedPath()
            let file = try GGUFFile(path: path)
            let transformer = try Transformer(file: file, threads: threads)
            let context = max(promptTokens, generatedTokens + 1, 16)
            let session = InferenceSession(model: transformer, contextLength: context)
            var results: [BenchResult] = []
            if promptTokens > 0 {
                results.append(try EngineBench.promptProcessing(session, tokens: promptTokens, repetitions: repetitions, threads: threads))
            }
            if generatedTokens > 0 {
                let first = Int32(file.int("tokenizer.ggml.bos_token_id") ?? 0)
                results.append(try EngineBench.tokenGeneration(session, tokens: generatedTokens, repetitions: repetitions,
                                                               threads: threads, firstToken: first))
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                print(String(decoding: try encoder.encode(results), as: UTF8.self))
            } else {
                print("| model | threads | test | t/s |")
                print("|---|---:|---|---:|")
                for r in results {
                    print(String(format: "| %@ | %d | %@ | %.2f ± %.2f |", (path as NSString).lastPathComponent,
                                 r.nThreads, r.test, r.avgTs, r.stddevTs))
                }
            }
        }
    }
}
