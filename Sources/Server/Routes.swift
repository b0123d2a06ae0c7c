// The endpoints: /health, /metrics, /v1/models, /v1/chat/completions and /v1/completions (JSON or SSE).
import Engine
import Foundation
import Hummingbird
import NIOCore
import Tokenizers

struct Routes: Sendable {
    let server: LatheServer

    func register(on router: Router<ServerContext>) {
        router.get("/health") { _, _ in json(["status": "ok"]) }
        router.get("/metrics") { _, _ in
            let text = server.metrics.prometheusText(scheduler: server.scheduler.snapshot, model: server.modelID)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                            body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("/v1/models") { request, _ in
            try await handle("models", request) { _ in
                encoded(ModelList(data: [.init(id: server.modelID, created: server.created)]))
            }
        }
        router.post("/v1/chat/completions") { request, context in
            try await handle("chat", request) { body in
                let chat = try RequestParser.chat(body)
                try checkModel(chat.common.model)
                let prompt: String
                do {
                    prompt = try server.model.renderChat(chat.messages, addGenerationPrompt: true)
                } catch {
                    throw APIError.invalidRequest("the messages cannot be rendered with the model's chat template: \(error)",
                                                  param: "messages")
                }
                let tokens = server.model.tokenizeChatPrompt(prompt)
                return try await generate(tokens, chat.common, defaultMaxTokens: nil, kind: .chat, context: context)
            }
        }
        router.post("/v1/completions") { request, context in
            try await handle("completions", request) { body in
                let completion = try RequestParser.completion(body)
                try checkModel(completion.common.model)
                let tokenizer = server.model.tokenizer
                let tokens = tokenizer.encode(completion.prompt, addSpecial: true, parseSpecial: true)
                return try await generate(tokens, completion.common, defaultMaxTokens: 16, kind: .completion,
                                          context: context)
            }
        }
    }

    /// Checks the API key, reads the body, runs `body`, turns thrown APIErrors into JSON, records metrics.
    private func handle(_ route: String, _ request: Request,
                        _ body: @Sendable (Data) async throws -> Response) async throws -> Response {
        let record = RequestRecord(route: route, metrics: server.metrics)
        var status = 200
        defer { if !record.isStreaming { record.finish(status: status) } }
        do {
            try authorize(request)
            var request = request
            let buffer: ByteBuffer
            do {
                buffer = try await request.collectBody(upTo: server.configuration.maxBodyBytes)
            } catch {
                throw APIError.tooLarge(limit: server.configuration.maxBodyBytes)
            }
            let response = try await RequestRecord.$current.withValue(record) {
                try await body(Data(buffer.readableBytesView))
            }
            status = Int(response.status.code)
            return response
        } catch let error as APIError {
            status = Int(error.status.code)
            return error.response
        }
    }

    private func authorize(_ request: Request) throws {
        guard let key = server.configuration.apiKey else { return }
        guard let header = request.headers[.authorization] else { throw APIError.missingKey }
        let prefix = "Bearer "
        guard header.hasPrefix(prefix), header.dropFirst(prefix.count) == key[...] else { throw APIError.wrongKey }
    }

    private func checkModel(_ name: String) throws {
        guard server.serves(name) else { throw APIError.unknownModel(name, available: server.modelID) }
    }

    enum Kind { case chat, completion }

    private func generate(_ prompt: [Int32], _ request: GenerationRequest, defaultMaxTokens: Int?, kind: Kind,
                          context: ServerContext) async throws -> Response {
        let limit = server.configuration.contextLength
        guard prompt.count < limit else { throw APIError.contextOverflow(tokens: prompt.count, limit: limit) }
        var parameters = request.parameters
        parameters.maxTokens = request.maxTokens ?? defaultMaxTokens ?? (limit - prompt.count)
        let (events, continuation) = AsyncStream<BatchEvent>.makeStream(bufferingPolicy: .unbounded)
        let handle: SequenceHandle
        do {
            handle = try server.scheduler.submit(BatchRequest(prompt: prompt, parameters: parameters)) { event in
                continuation.yield(event)
                if case .finished = event { continuation.finish() }
            }
        } catch BatchError.queueFull(let waiting) {
            throw APIError.queueFull(limit: waiting)
        } catch BatchError.promptTooLong(let tokens, let limit) {
            throw APIError.contextOverflow(tokens: tokens, limit: limit)
        } catch {
            throw APIError.invalidRequest("\(error.localizedDescription)")
        }
        // The client going away cancels the generation (a finished one ignores it).
        context.channel.closeFuture.whenComplete { _ in handle.cancel() }
        let id = (kind == .chat ? "chatcmpl-" : "cmpl-") + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let reply = Reply(id: id, created: Int(Date().timeIntervalSince1970), model: server.modelID, kind: kind,
                          promptTokens: prompt.count, includeUsage: request.includeUsage, metrics: server.metrics)
        if request.stream {
            let record = RequestRecord.current
            record?.isStreaming = true
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                body: ResponseBody { writer in
                    do {
                        try await reply.stream(events, to: &writer)
                        record?.finish(status: 200)
                    } catch {
                        handle.cancel()
                        record?.finish(status: 499)  // the client closed the connection (nginx's code)
                        throw error
                    }
                })
        }
        let body = await reply.whole(events)
        return Response(status: .ok, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// One request's entry in the metrics; a streaming response finishes it when its last chunk is written.
final class RequestRecord: @unchecked Sendable {  // isStreaming is set before the body runs
    @TaskLocal static var current: RequestRecord?
    let route: String
    let metrics: ServerMetrics
    let started = ContinuousClock.now
    var isStreaming = false

    init(route: String, metrics: ServerMetrics) {
        self.route = route
        self.metrics = metrics
        metrics.started()
    }

    func finish(status: Int) { metrics.finished(route: route, status: status, seconds: secondsSince(started)) }
}

/// Builds one generation's response: the whole JSON, or the SSE chunks.
struct Reply: Sendable {
    let id: String
    let created: Int
    let model: String
    let kind: Routes.Kind
    let promptTokens: Int
    let includeUsage: Bool
    let metrics: ServerMetrics

    func whole(_ events: AsyncStream<BatchEvent>) async -> Data {
        var text = ""
        var final: GenerationStats?
        for await event in events {
            switch event {
            case .admitted: break
            case .text(let piece, _): text += piece
            case .finished(let s, let queue):
                final = s
                metrics.generated(s, queueSeconds: queue)
            }
        }
        let usage = Usage(prompt: promptTokens, completion: final?.generatedTokens ?? 0)
        let reason = finishReason(final?.stopReason ?? .cancelled)
        switch kind {
        case .chat:
            return encodedData(ChatCompletion(id: id, created: created, model: model,
                                              choices: [.init(message: .init(content: text), finish_reason: reason)],
                                              usage: usage))
        case .completion:
            return encodedData(TextCompletion(id: id, created: created, model: model,
                                              choices: [.init(text: text, finish_reason: reason)], usage: usage))
        }
    }

    func stream(_ events: AsyncStream<BatchEvent>, to writer: inout any ResponseBodyWriter) async throws {
        if kind == .chat {
            try await writer.write(sse(chatChunk(.init(role: "assistant", content: ""), finish: nil)))
        }
        for await event in events {
            switch event {
            case .admitted: break
            case .text(let piece, _):
                guard !piece.isEmpty else { continue }
                switch kind {
                case .chat: try await writer.write(sse(chatChunk(.init(role: nil, content: piece), finish: nil)))
                case .completion: try await writer.write(sse(textChunk(piece, finish: nil, usage: nil)))
                }
            case .finished(let stats, let queue):
                metrics.generated(stats, queueSeconds: queue)
                let reason = finishReason(stats.stopReason)
                let usage = Usage(prompt: promptTokens, completion: stats.generatedTokens)
                switch kind {
                case .chat:
                    try await writer.write(sse(chatChunk(.init(role: nil, content: nil), finish: reason)))
                    if includeUsage {
                        try await writer.write(sse(encodedData(ChatCompletionChunk(
                            id: id, created: created, model: model, choices: [], usage: usage))))
                    }
                case .completion:
                    try await writer.write(sse(textChunk("", finish: reason, usage: nil)))
                    if includeUsage {
                        try await writer.write(sse(encodedData(TextCompletion(
                            id: id, created: created, model: model, choices: [], usage: usage))))
                    }
                }
            }
        }
        try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
        try await writer.finish(nil)
    }

    private func chatChunk(_ delta: ChatCompletionChunk.Delta, finish: String?) -> Data {
        encodedData(ChatCompletionChunk(id: id, created: created, model: model,
                                        choices: [.init(delta: delta, finish_reason: finish)], usage: nil))
    }

    private func textChunk(_ text: String, finish: String?, usage: Usage?) -> Data {
        encodedData(TextCompletion(id: id, created: created, model: model,
                                   choices: [.init(text: text, finish_reason: finish)], usage: usage))
    }

    private func sse(_ json: Data) -> ByteBuffer {
        var buffer = ByteBuffer(string: "data: ")
        buffer.writeBytes(json)
        buffer.writeString("\n\n")
        return buffer
    }
}

func encodedData(_ value: some Encodable) -> Data {
    (try? JSONCoding.encoder.encode(value)) ?? Data("{}".utf8)
}

func encoded(_ value: some Encodable) -> Response {
    Response(status: .ok, headers: [.contentType: "application/json"],
             body: .init(byteBuffer: ByteBuffer(bytes: encodedData(value))))
}

func json(_ value: [String: String]) -> Response { encoded(value) }

func secondsSince(_ start: ContinuousClock.Instant) -> Double {
    let d = start.duration(to: .now)
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}
