// `lathe serve MODEL`: the OpenAI-compatible HTTP server with continuous batching. Prints one line
// "lathe serve: listening on http://HOST:PORT (model ID)" once it accepts connections (with --port 0 the
// port is a free one), and stops gracefully on SIGINT/SIGTERM.
import ArgumentParser
import Engine
import Foundation
import Server

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the model over an OpenAI-compatible HTTP API (/v1/chat/completions, /v1/completions, /v1/models).")

    @OptionGroup var model: ModelOptions
    @Option(help: "Address to bind (loopback by default).") var host = "127.0.0.1"
    @Option(help: "Port (0 = any free port).") var port = 8080
    @Option(name: .customLong("api-key"), help: "Require 'Authorization: Bearer KEY' on /v1/* (default: $LATHE_API_KEY, else none).")
    var apiKey: String?
    @Option(help: "Sequences decoded together (KV cache slots).") var parallel = 4
    @Option(name: [.customShort("c"), .customLong("ctx")], help: "Context length of each slot.") var contextLength = 2048
    @Option(name: .customLong("max-queue"), help: "Requests that may wait for a slot; more get HTTP 429.") var maxQueue = 64
    @Option(name: [.customShort("t"), .long], help: "Threads (default: all cores).") var threads: Int?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535.") }
        guard (1...256).contains(parallel) else { throw ValidationError("--parallel must be between 1 and 256.") }
        guard contextLength >= 16 else { throw ValidationError("--ctx must be at least 16.") }
        guard maxQueue >= 0 else { throw ValidationError("--max-queue must be 0 or more.") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1.") }
        if let apiKey, apiKey.isEmpty { throw ValidationError("--api-key must not be empty.") }
    }

    func run() async throws {
        let lm = try CLIErrors.guarded { try LanguageModel(path: try model.resolvedPath(), threads: threads ?? ThreadCount.default) }
        var config = ServerConfiguration()
        config.host = host
        config.port = port
        config.apiKey = apiKey ?? ProcessInfo.processInfo.environment["LATHE_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        config.parallel = parallel
        config.contextLength = min(contextLength, lm.config.trainedContextLength)
        config.maxWaiting = maxQueue
        let server = LatheServer(model: lm, configuration: config)
        let host = self.host
        let slots = "\(config.parallel) slots × \(config.contextLength) tokens"
        do {
            try await server.run(handleSignals: true) { port in
                let line = "lathe serve: listening on http://\(host):\(port) (model \(server.modelID), "
                    + "\(slots))\n"
                FileHandle.standardOutput.write(Data(line.utf8))
            }
        } catch {
            throw CLIErrors.fail(CLIError.message("cannot serve on \(host):\(port): \(error)"))
        }
    }
}
