// `lathe bench serve MODEL`: continuous batching's throughput (1, 4, 8 concurrent streams) and time to
// first token under load, as one JSON object (see Engine/Batching/BatchBench.swift).
// `lathe bench serve --url URL`: the same figures measured over HTTP against any OpenAI-compatible server
// (see Server/HTTPLoadBench.swift), e.g. lathe serve beside llama-server.
import ArgumentParser
import Engine
import Foundation
import Server

struct BenchServe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Aggregate tokens/s of 1, 4 and 8 concurrent streams and TTFT under load (JSON).",
        discussion: "With MODEL it runs the engine's batch scheduler in-process; with --url it streams requests to a running OpenAI-compatible server.")

    @Argument(help: "A GGUF file (in-process bench): a path, or a name (or unique part of one) in the models directory.")
    var modelFile: String?
    @OptionGroup var location: ModelsDirectoryOption
    @Option(help: "Measure a running OpenAI-compatible server instead, e.g. http://127.0.0.1:8080.") var url: String?
    @Option(name: .customLong("model"), help: "With --url: the model name to send (default: the first of /v1/models).")
    var remoteModel: String?
    @Option(name: .customLong("api-key"), help: "With --url: sent as 'Authorization: Bearer KEY'.") var apiKey: String?
    @Flag(help: "With --url: use /v1/chat/completions instead of /v1/completions.") var chat = false
    @Flag(name: .customLong("no-ignore-eos"), help: "With --url: do not send ignore_eos (for servers that reject it).")
    var noIgnoreEOS = false
    @Option(name: .customLong("prompt-repeats"), help: "With --url: repetitions of the prompt sentence (~17 tokens each).")
    var promptRepeats = 2
    @Option(help: "Concurrent stream counts, comma-separated.") var streams = "1,4,8"
    @Option(name: .customShort("n"), help: "Tokens generated per stream.") var tokens = 64
    @Option(name: .customShort("p"), help: "Prompt tokens per request (in-process).") var promptTokens = 41
    @Option(name: .customShort("r"), help: "Repetitions (the best is kept).") var repetitions = 2
    @Option(name: .customShort("t"), help: "Threads (in-process).") var threads = ThreadCount.default

    var streamCounts: [Int] { streams.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func validate() throws {
        guard (modelFile == nil) != (url == nil) else {
            throw ValidationError("Give either MODEL (in-process) or --url URL (a running server), not both or neither.")
        }
        guard !streamCounts.isEmpty, streamCounts.allSatisfy({ (1...64).contains($0) }) else {
            throw ValidationError("--streams must be comma-separated counts between 1 and 64, got '\(streams)'.")
        }
        guard tokens >= 2, promptTokens >= 1, repetitions >= 1, threads >= 1, promptRepeats >= 1 else {
            throw ValidationError("-n must be at least 2; -p, -r, -t and --prompt-repeats at least 1.")
        }
    }

    func run() throws {
        try CLIErrors.guarded {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            if let url {
                var options = HTTPLoadBenchOptions(url: url)
                options.model = remoteModel
                options.apiKey = apiKey
                options.api = chat ? .chat : .completions
                options.streams = streamCounts
                options.tokens = tokens
                options.promptRepeats = promptRepeats
                options.repetitions = repetitions
                options.ignoreEOS = !noIgnoreEOS
                print(String(decoding: try encoder.encode(try HTTPLoadBench.run(options)), as: UTF8.self))
                return
            }
            let lm = try LanguageModel(path: try location.directory.resolve(modelFile!), threads: threads)
            let report = try BatchBench.run(model: lm, threads: threads, streams: streamCounts, tokens: tokens,
                                            promptTokens: promptTokens, repetitions: repetitions)
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        }
    }
}
