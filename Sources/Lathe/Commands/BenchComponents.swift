// `lathe bench bus|tokenizer|kernels`: component benchmarks that print one JSON object (`render`: BenchRender.swift).
import ArgumentParser
import Bus
import Foundation
import GGUF
import Kernels
import Tokenizers
import TUI

private func printJSON(_ object: [String: Any]) {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    print(String(decoding: data, as: UTF8.self))
}

struct BenchBus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bus", abstract: "Message-bus throughput: 1 publisher to 4 subscribers (messages/s).")
    @Option(help: "Messages to publish.") var messages = 200_000

    func run() async throws {
        let rate = await BusBenchmark.run(messages: messages, subscribers: 4)
        printJSON(["test": "bus_1x4", "messages": messages, "messages_per_second": rate])
    }
}

struct BenchTokenizer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenizer", abstract: "Encode speed on ~1 MB of English and ~1 MB of Chinese text (tokens/s).")
    @OptionGroup var model: ModelOptions

    func run() throws {
        try CLIErrors.guarded {
            let tokenizer = try TokenizerLoader.load(from: try GGUFFile(path: try model.resolvedPath()))
            let (english, chinese) = TokenizerBench.run(tokenizer: tokenizer)
            printJSON(["test": "encode_1MB", "english_tokens_per_second": english, "chinese_tokens_per_second": chinese])
        }
    }
}

struct BenchKernels: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels", abstract: "Quantized matrix-vector and matrix-matrix kernel speeds (one thread).")

    func run() throws {
        printJSON(KernelBench.run())
    }
}
