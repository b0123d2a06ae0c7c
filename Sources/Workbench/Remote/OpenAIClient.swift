// A small client for OpenAI-compatible endpoints (lathe serve, llama.cpp server, vLLM, TGI, Ollama):
// GET /v1/models and streamed POST /v1/chat/completions, read as server-sent events as they arrive.
// Built on FoundationNetworking's URLSession with a data delegate, so pieces arrive token by token.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Where a remote engine lives.
public struct RemoteEndpoint: Sendable, Equatable, Codable {
    /// The server's base URL, with or without the trailing "/v1".
    public var baseURL: URL
    public var apiKey: String?
    /// The model name to send; nil asks the server (the first entry of /v1/models).
    public var model: String?

    public init(baseURL: URL, apiKey: String? = nil, model: String? = nil) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.model = model
    }

    /// Parses "http://host:port[/v1]"; nil unless it is an http(s) URL with a host.
    public init?(url text: String, apiKey: String? = nil, model: String? = nil) {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              url.host != nil else { return nil }
        self.init(baseURL: url, apiKey: apiKey, model: model)
    }

    /// The URL of `path` under /v1 ("chat/completions", "models").
    func url(_ path: String) -> URL {
        var base = baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        if !base.hasSuffix("/v1") { base += "/v1" }
        return URL(string: base + "/" + path)!
    }
}

public enum RemoteError: Error, LocalizedError, Equatable {
    /// The server answered with an error status; `message` is its error.message when it sent one.
    case http(status: Int, message: String)
    case transport(String)
    case badResponse(String)
    case noModels
    case badURL(String)

    public var errorDescription: String? {
        switch self {
        case let .http(status, message): return "remote server answered \(status): \(message)"
        case let .transport(why): return "cannot reach the remote server: \(why)"
        case let .badResponse(why): return "unexpected answer from the remote server: \(why)"
        case .noModels: return "the remote server lists no models"
        case .badURL(let text): return "expected an http(s) URL such as http://127.0.0.1:8080, got '\(text)'"
        }
    }
}

/// What a streamed chat completion yields.
public enum RemoteChunk: Sendable, Equatable {
    case text(String)
    case finished(reason: String?, promptTokens: Int?, completionTokens: Int?)
}

/// One chat message for the remote API.
public struct RemoteMessage: Sendable, Equatable {
    public var role: String
    public var content: String
    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// Sampling fields sent with a request (nil fields are left to the server's defaults).
public struct RemoteSampling: Sendable, Equatable {
    public var temperature: Double?
    public var topP: Double?
    public var maxTokens: Int?
    public var seed: UInt64?
    public var stop: [String] = []
    public init(temperature: Double? = nil, topP: Double? = nil, maxTokens: Int? = nil, seed: UInt64? = nil,
                stop: [String] = []) {
        self.temperature = temperature
        self.topP = topP
        self.maxTokens = maxTokens
        self.seed = seed
        self.stop = stop
    }
}

public struct OpenAIClient: Sendable {
    public let endpoint: RemoteEndpoint

    public init(endpoint: RemoteEndpoint) { self.endpoint = endpoint }

    /// The model ids the server lists.
    public func models() async throws -> [String] {
        var request = URLRequest(url: endpoint.url("models"))
        request.timeoutInterval = 15     // a listing is small: a server that takes longer is not answering
        authorize(&request)
        let data = try await Self.send(request)
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let list = object["data"] as? [[String: Any]] else {
            throw RemoteError.badResponse("/v1/models did not return {\"data\": [...]}")
        }
        return list.compactMap { $0["id"] as? String }
    }

    /// The model to use: the endpoint's, else the first one the server lists.
    public func resolvedModel() async throws -> String {
        if let model = endpoint.model { return model }
        guard let first = try await models().first else { throw RemoteError.noModels }
        return first
    }

    /// Streams a chat completion. Cancelling the consumer closes the connection (the server stops).
    public func streamChat(model: String, messages: [RemoteMessage], sampling: RemoteSampling)
        -> AsyncThrowingStream<RemoteChunk, Error> {
        var body: [String: Any] = [
            "model": model, "stream": true, "stream_options": ["include_usage": true],
            "messages": messages.map { ["role": $0.role, "content": $0.content] },
        ]
        if let t = sampling.temperature { body["temperature"] = t }
        if let p = sampling.topP { body["top_p"] = p }
        if let n = sampling.maxTokens { body["max_tokens"] = n }
        if let s = sampling.seed { body["seed"] = Int64(bitPattern: s) }
        if !sampling.stop.isEmpty { body["stop"] = sampling.stop }
        var request = URLRequest(url: endpoint.url("chat/completions"))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("text/event-stream", forHTTPHeaderField: "Accept")
        request.httpBody = try? JSONSerialization.data(withJSONObject: body)
        authorize(&request)
        return AsyncThrowingStream { continuation in
            let reader = SSEReader(continuation: continuation)
            let session = URLSession(configuration: .ephemeral, delegate: reader, delegateQueue: nil)
            let task = session.dataTask(with: request)
            continuation.onTermination = { _ in
                task.cancel()
                session.invalidateAndCancel()
            }
            task.resume()
        }
    }

    private func authorize(_ request: inout URLRequest) {
        if let key = endpoint.apiKey, !key.isEmpty { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
    }

    static func send(_ request: URLRequest) async throws -> Data {
        let data: Data, response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw RemoteError.transport(error.localizedDescription)
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else { throw RemoteError.http(status: status, message: errorMessage(data)) }
        return data
    }

    /// error.message from an OpenAI-shaped error body, else the body's text.
    static func errorMessage(_ data: Data) -> String {
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           let error = object["error"] as? [String: Any], let message = error["message"] as? String {
            return message
        }
        return String(decoding: data.prefix(300), as: UTF8.self)
    }
}

/// Turns the bytes of an SSE response into RemoteChunks: "data: {json}" events, ending with "data: [DONE]".
final class SSEReader: NSObject, URLSessionDataDelegate, @unchecked Sendable {  // the session calls it serially
    private let continuation: AsyncThrowingStream<RemoteChunk, Error>.Continuation
    private var buffer = Data()
    private var status = 200
    private var errorBody = Data()
    private var reason: String?
    private var promptTokens: Int?
    private var completionTokens: Int?
    private var done = false

    init(continuation: AsyncThrowingStream<RemoteChunk, Error>.Continuation) { self.continuation = continuation }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        status = (response as? HTTPURLResponse)?.statusCode ?? 0
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard (200..<300).contains(status) else { errorBody.append(data); return }
        buffer.append(data)
        // Events end with a blank line; a CRLF server sends "\r\n\r\n".
        while let range = buffer.range(of: Data("\n\n".utf8)) ?? buffer.range(of: Data("\r\n\r\n".utf8)) {
            let event = String(decoding: buffer[buffer.startIndex..<range.lowerBound], as: UTF8.self)
            buffer.removeSubrange(buffer.startIndex..<range.upperBound)
            handle(event)
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        defer { session.finishTasksAndInvalidate() }
        if !(200..<300).contains(status) {
            return continuation.finish(throwing: RemoteError.http(status: status, message: OpenAIClient.errorMessage(errorBody)))
        }
        if let error {
            return continuation.finish(throwing: RemoteError.transport(error.localizedDescription))
        }
        finish()
    }

    private func handle(_ event: String) {
        for line in event.split(whereSeparator: \.isNewline) where line.hasPrefix("data:") {
            let payload = line.dropFirst(5).trimmingCharacters(in: .whitespaces)
            if payload == "[DONE]" { return finish() }
            guard let object = try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any] else {
                continue
            }
            if let error = object["error"] as? [String: Any] {
                done = true
                return continuation.finish(throwing: RemoteError.http(status: status,
                                                                      message: error["message"] as? String ?? "error"))
            }
            if let usage = object["usage"] as? [String: Any] {
                promptTokens = usage["prompt_tokens"] as? Int
                completionTokens = usage["completion_tokens"] as? Int
            }
            for choice in object["choices"] as? [[String: Any]] ?? [] {
                if let delta = choice["delta"] as? [String: Any], let text = delta["content"] as? String, !text.isEmpty {
                    continuation.yield(.text(text))
                }
                if let r = choice["finish_reason"] as? String { reason = r }
            }
        }
    }

    private func finish() {
        guard !done else { return }
        done = true
        continuation.yield(.finished(reason: reason, promptTokens: promptTokens, completionTokens: completionTokens))
        continuation.finish()
    }
}
