// `lathe bench serve MODEL`: continuous batching's throughput (1, 4, 8 concurrent streams) and time to
// first token under load, as one JSON object (see Engine/Batching/BatchBench.swift).
import ArgumentParser
import Engine
import Foundation

struct BenchServe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Aggregate tokens/s of 1, 4 and 8 concurrent streams and TTFT under load (JSON).")

    @OptionGroup var model: ModelOptions
    @Option(help: "Concurrent stream counts, comma-separated.") var streams = "1,4,8"
    @Option(name: .customShort("n"), help: "Tokens generated per stream.") var tokens = 64
    @Option(name: .customShort("p"), help: "Prompt tokens per request.") var promptTokens = 41
    @Option(name: .customShort("r"), help: "Repetitions (the best is kept).") var repetitions = 2
    @Option(name: .customShort("t"), help: "Threads.") var threads = ThreadCount.default

    var streamCounts: [Int] { streams.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func validate() throws {
        guard !streamCounts.isEmpty, streamCounts.allSatisfy({ (1...64).contains($0) }) else {
            throw ValidationError("--streams must be comma-separated counts between 1 and 64, got '\(streams)'.")
        }
        guard tokens >= 2, promptTokens >= 1, repetitions >= 1, threads >= 1 else {
            throw ValidationError("-n must be at least 2; -p, -r and -t at least 1.")
        }
    }

    func run() throws {
        try CLIErrors.guarded {
            let lm = try LanguageModel(path: try model.resolvedPath(), threads: threads)
            let report = try BatchBench.run(model: lm, threads: threads, streams: streamCounts, tokens: tokens,
                                            promptTokens: promptTokens, repetitions: repetitions)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        }
    }
}
