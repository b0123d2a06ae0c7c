// `lathe bench serve --url`: the in-process serve bench's figures measured over HTTP against any
// OpenAI-compatible server (lathe serve, llama-server, vLLM…), so two servers can be compared with one client.
// Each stream is a thread with a blocking socket that reads the streamed SSE response as it arrives: a token
// is a data: event carrying text, timed when its bytes are read (no URLSession queues in between). Requests use
// temperature 0, a fixed max_tokens and ignore_eos, and prompts that differ from their first word on, so no
// server can reuse a cached prefix between them.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public struct HTTPLoadBenchOptions: Sendable {
    public enum API: String, Sendable, Codable { case completions, chat }
    public var url: String
    public var model: String?
    public var apiKey: String?
    public var api: API = .completions
    public var streams: [Int] = [1, 4, 8]
    /// max_tokens of each request (end-of-generation ignored where the server honours ignore_eos).
    public var tokens = 64
    /// Times the prompt sentence is repeated (one repetition is about 17 tokens for SmolLM2).
    public var promptRepeats = 2
    public var repetitions = 2
    public var ignoreEOS = true
    public var timeout: Double = 300

    public init(url: String) { self.url = url }
}

public struct HTTPLoadBenchRow: Sendable, Codable {
    public var streams: Int
    public var generatedTokens: Int
    public var seconds: Double
    public var aggregateTokensPerSecond: Double
    public var perStreamTokensPerSecond: Double
    public var meanTimeToFirstTokenMs: Double
    public var maxTimeToFirstTokenMs: Double

    enum CodingKeys: String, CodingKey {  // the in-process bench's names (Engine/Batching/BatchBench.swift)
        case streams, seconds
        case generatedTokens = "generated_tokens"
        case aggregateTokensPerSecond = "aggregate_tps"
        case perStreamTokensPerSecond = "per_stream_tps"
        case meanTimeToFirstTokenMs = "ttft_mean_ms"
        case maxTimeToFirstTokenMs = "ttft_max_ms"
    }
}

public struct HTTPLoadBenchReport: Sendable, Codable {
    public var test = "serve-http"
    public var url: String
    public var api: HTTPLoadBenchOptions.API
    public var model: String
    /// The server's count for one request's prompt (its usage.prompt_tokens), nil if it sends no usage.
    public var promptTokens: Int?
    public var tokensPerStream: Int
    public var rows: [HTTPLoadBenchRow]
    public var speedup: [String: Double]
    public var idleTimeToFirstTokenMs: Double
    public var loadedTimeToFirstTokenMs: Double
    /// 1-minute load average at the start and the end of the run.
    public var loadAverage: [Double]

    enum CodingKeys: String, CodingKey {
        case test, url, api, model, rows, speedup
        case promptTokens = "prompt_tokens"
        case tokensPerStream = "tokens_per_stream"
        case idleTimeToFirstTokenMs = "ttft_idle_ms"
        case loadedTimeToFirstTokenMs = "ttft_under_4_streams_ms"
        case loadAverage = "load_average"
    }
}

public enum HTTPLoadBenchError: Error, LocalizedError, Equatable {
    case badURL(String)
    case connect(String)
    case http(Int, String)
    case protocolError(String)
    case incomplete(String)

    public var errorDescription: String? {
        switch self {
        case .badURL(let u): return "--url: expected http://HOST:PORT[/v1], got '\(u)'"
        case .connect(let why): return "cannot reach the server: \(why)"
        case let .http(status, message): return "the server answered HTTP \(status): \(message)"
        case .protocolError(let why): return "unexpected answer from the server: \(why)"
        case .incomplete(let why): return why
        }
    }
}

public enum HTTPLoadBench {
    public static func run(_ options: HTTPLoadBenchOptions) throws -> HTTPLoadBenchReport {
        let target = try Target(options.url)
        let loadStart = loadAverage()
        let model = try options.model ?? firstModel(target, apiKey: options.apiKey)
        let client = Client(target: target, options: options, model: model)
        // Warm-up: the first request may pay for lazy initialisation on either side.
        let warm = try client.stream(variant: 1, maxTokens: 4)
        var rows: [HTTPLoadBenchRow] = []
        for n in options.streams {
            var best: HTTPLoadBenchRow?
            for r in 0..<options.repetitions {
                let row = try concurrent(client, streams: n, salt: 100 + r * 100)
                if best == nil || row.aggregateTokensPerSecond > best!.aggregateTokensPerSecond { best = row }
            }
            rows.append(best!)
        }
        let single = rows.first { $0.streams == 1 }?.aggregateTokensPerSecond ?? 0
        var speedup: [String: Double] = [:]
        for row in rows where single > 0 { speedup["\(row.streams)"] = (row.aggregateTokensPerSecond / single * 100).rounded() / 100 }
        let (idle, loaded) = try timeToFirstToken(client, repetitions: max(3, options.repetitions))
        return HTTPLoadBenchReport(
            url: options.url, api: options.api, model: model, promptTokens: warm.promptTokens,
            tokensPerStream: options.tokens, rows: rows, speedup: speedup,
            idleTimeToFirstTokenMs: idle * 1000, loadedTimeToFirstTokenMs: loaded * 1000,
            loadAverage: [loadStart, loadAverage()])
    }

    /// `n` requests sent at once; aggregate = all generated tokens over the time from sending to the last token.
    static func concurrent(_ client: Client, streams n: Int, salt: Int) throws -> HTTPLoadBenchRow {
        let started = Date()
        let results = try parallel(n) { i in try client.stream(variant: salt + i, maxTokens: client.options.tokens) }
        let seconds = Date().timeIntervalSince(started)
        for r in results where client.options.ignoreEOS && r.tokens != client.options.tokens {
            throw HTTPLoadBenchError.incomplete(
                "a stream returned \(r.tokens) tokens, not max_tokens \(client.options.tokens): "
                + "the server does not honour ignore_eos (rerun with --no-ignore-eos)")
        }
        let generated = results.reduce(0) { $0 + $1.tokens }
        let ttfts = results.map(\.timeToFirstToken)
        return HTTPLoadBenchRow(
            streams: n, generatedTokens: generated, seconds: seconds,
            aggregateTokensPerSecond: Double(generated) / seconds,
            perStreamTokensPerSecond: results.map(\.decodeTokensPerSecond).reduce(0, +) / Double(n),
            meanTimeToFirstTokenMs: ttfts.reduce(0, +) / Double(n) * 1000,
            maxTimeToFirstTokenMs: (ttfts.max() ?? 0) * 1000)
    }

    /// Median TTFT of a one-token request on an idle server, and while 4 other streams are generating.
    static func timeToFirstToken(_ client: Client, repetitions: Int) throws -> (Double, Double) {
        let idle = try (0..<repetitions).map { try client.stream(variant: 50_000 + $0, maxTokens: 1).timeToFirstToken }
        let background = (0..<4).map { _ in BackgroundStream() }
        let group = DispatchGroup()
        for (i, b) in background.enumerated() {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                // Long enough to outlast the probes; closing the socket afterwards cancels it on the server.
                _ = try? client.stream(variant: 90_000 + i, maxTokens: 1024, background: b)
            }
        }
        defer {
            background.forEach { $0.stop() }
            group.wait()
        }
        let deadline = Date().addingTimeInterval(client.options.timeout)
        while !background.allSatisfy({ $0.tokens >= 8 || $0.ended }) {
            guard Date() < deadline else { throw HTTPLoadBenchError.incomplete("the 4 background streams did not start") }
            usleep(5_000)
        }
        guard background.allSatisfy({ !$0.ended }) else {
            throw HTTPLoadBenchError.incomplete("a background stream ended before the probes (server error or EOS)")
        }
        let loaded = try (0..<repetitions).map { try client.stream(variant: 60_000 + $0, maxTokens: 1).timeToFirstToken }
        return (idle.sorted()[idle.count / 2], loaded.sorted()[loaded.count / 2])
    }

    /// Runs `body(0..<n)` on n threads at once and returns the results in order (the first error wins).
    static func parallel<T: Sendable>(_ n: Int, _ body: @escaping @Sendable (Int) throws -> T) throws -> [T] {
        let box = ResultsBox<T>(count: n)
        let group = DispatchGroup()
        for i in 0..<n {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                box.set(i, Result { try body(i) })
            }
        }
        group.wait()
        return try box.values()
    }

    static func firstModel(_ target: Target, apiKey: String?) throws -> String {
        let response = try HTTPConnection.request(target, method: "GET", path: target.path("models"), body: nil,
                                                  apiKey: apiKey, timeout: 30)
        guard let object = try? JSONSerialization.jsonObject(with: response) as? [String: Any],
              let first = (object["data"] as? [[String: Any]])?.first?["id"] as? String else {
            throw HTTPLoadBenchError.protocolError("/v1/models listed no model (pass --model)")
        }
        return first
    }

    static func loadAverage() -> Double {
        var loads = [Double](repeating: 0, count: 3)
        return getloadavg(&loads, 3) > 0 ? (loads[0] * 100).rounded() / 100 : 0
    }
}

/// A background stream's progress, and the way to stop it.
final class BackgroundStream: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var finished = false
    private var socket: Int32 = -1
    private var stopped = false

    var tokens: Int { lock.withLock { count } }
    var ended: Bool { lock.withLock { finished } }
    func token() { lock.withLock { count += 1 } }
    func end() { lock.withLock { finished = true } }
    func attach(_ fd: Int32) -> Bool { lock.withLock { socket = fd; return !stopped } }
    func stop() {
        lock.withLock {
            stopped = true
            if socket >= 0 { _ = shutdown(socket, Int32(SHUT_RDWR)) }
        }
    }
}

final class ResultsBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<T, Error>?]
    init(count: Int) { results = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: Result<T, Error>) { lock.withLock { results[i] = r } }
    func values() throws -> [T] { try lock.withLock { try results.map { try $0!.get() } } }
}

/// host, port and the /v1 base of --url.
struct Target: Sendable {
    var host: String
    var port: Int
    var base: String

    init(_ text: String) throws {
        guard let url = URLComponents(string: text), url.scheme?.lowercased() == "http", let host = url.host,
              !host.isEmpty else { throw HTTPLoadBenchError.badURL(text) }
        self.host = host
        port = url.port ?? 80
        var path = url.path
        while path.hasSuffix("/") { path.removeLast() }
        if !path.hasSuffix("/v1") { path += "/v1" }
        base = path
    }

    func path(_ endpoint: String) -> String { base + "/" + endpoint }
}

struct StreamResult: Sendable {
    var tokens: Int
    var promptTokens: Int?
    var timeToFirstToken: Double
    /// Tokens after the first over the time from the first to the last.
    var decodeTokensPerSecond: Double
}

struct Client: Sendable {
    let target: Target
    let options: HTTPLoadBenchOptions
    let model: String

    func prompt(_ variant: Int) -> String {
        "Request \(variant): " + String(repeating: "write a detailed story about a lighthouse keeper and a storm at sea. ",
                                        count: options.promptRepeats)
    }

    func body(variant: Int, maxTokens: Int) -> Data {
        var body: [String: Any] = [
            "model": model, "stream": true, "stream_options": ["include_usage": true],
            "temperature": 0, "max_tokens": maxTokens, "seed": 1,
        ]
        if options.ignoreEOS { body["ignore_eos"] = true }
        switch options.api {
        case .completions: body["prompt"] = prompt(variant)
        case .chat: body["messages"] = [["role": "user", "content": prompt(variant)]]
        }
        return try! JSONSerialization.data(withJSONObject: body)
    }

    /// One streamed request, read to its end. Tokens = the server's usage.completion_tokens when it sends them,
    /// else the number of data: events that carried text.
    func stream(variant: Int, maxTokens: Int, background: BackgroundStream? = nil) throws -> StreamResult {
        let endpoint = options.api == .completions ? "completions" : "chat/completions"
        var firstToken: Date?
        var lastToken = Date()
        var events = 0
        var usage: (prompt: Int?, completion: Int?) = (nil, nil)
        let api = options.api
        let sent = Date()
        defer { background?.end() }
        try HTTPConnection.stream(target, path: target.path(endpoint), body: body(variant: variant, maxTokens: maxTokens),
                                  apiKey: options.apiKey, timeout: options.timeout, attach: background?.attach) { payload in
            guard let object = try? JSONSerialization.jsonObject(with: payload) as? [String: Any] else {
                throw HTTPLoadBenchError.protocolError("a data: event is not JSON: \(String(decoding: payload.prefix(200), as: UTF8.self))")
            }
            if let error = object["error"] as? [String: Any] {
                throw HTTPLoadBenchError.http(200, error["message"] as? String ?? "error in the stream")
            }
            if let u = object["usage"] as? [String: Any] {
                usage = (u["prompt_tokens"] as? Int, u["completion_tokens"] as? Int)
            }
            for choice in object["choices"] as? [[String: Any]] ?? [] {
                let text = api == .completions ? choice["text"] as? String
                                               : (choice["delta"] as? [String: Any])?["content"] as? String
                if let text, !text.isEmpty {
                    let now = Date()
                    if firstToken == nil { firstToken = now }
                    lastToken = now
                    events += 1
                    background?.token()
                }
            }
        }
        guard let firstToken else { throw HTTPLoadBenchError.incomplete("a stream ended without any text") }
        let tokens = usage.completion ?? events
        let span = lastToken.timeIntervalSince(firstToken)
        return StreamResult(tokens: tokens, promptTokens: usage.prompt, timeToFirstToken: firstToken.timeIntervalSince(sent),
                            decodeTokensPerSecond: tokens > 1 && span > 0 ? Double(tokens - 1) / span : 0)
    }
}
