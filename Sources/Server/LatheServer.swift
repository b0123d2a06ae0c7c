// The OpenAI-compatible HTTP server: a Hummingbird application whose routes turn requests into batch
// scheduler submissions. The model is shared by every request; the scheduler decodes them together.
//
//     let server = try LatheServer(model: model, configuration: config)
//     try await server.run { port in print("listening on \(port)") }
import Engine
import Foundation
import Hummingbird
import Logging
import NIOCore
import Tokenizers

public final class LatheServer: Sendable {
    public let model: LanguageModel
    public let configuration: ServerConfiguration
    public let scheduler: BatchScheduler
    public let metrics = ServerMetrics()
    /// The name clients pass as "model": the file name without ".gguf".
    public let modelID: String
    let created = Int(Date().timeIntervalSince1970)

    public init(model: LanguageModel, configuration: ServerConfiguration) {
        self.model = model
        self.configuration = configuration
        var id = (model.path as NSString).lastPathComponent
        if id.lowercased().hasSuffix(".gguf") { id = String(id.dropLast(5)) }
        modelID = id
        scheduler = BatchScheduler(model: model, slots: configuration.parallel,
                                   contextLength: configuration.contextLength,
                                   maxWaiting: configuration.maxWaiting, prefillChunk: configuration.prefillChunk)
    }

    /// Serves until the task is cancelled (or, with `handleSignals`, SIGINT/SIGTERM), then stops the
    /// scheduler. `onRunning` gets the bound port once the server accepts connections.
    public func run(handleSignals: Bool = false, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let router = Router(context: ServerContext.self)
        router.middlewares.add(OpenAIErrorMiddleware(metrics: metrics))
        Routes(server: self).register(on: router)
        var logger = Logger(label: "lathe.server")
        logger.logLevel = .warning
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "lathe"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
        defer { scheduler.shutdown() }
        try await app.runService(gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [])
    }

    /// Everything the TUI shows of the server.
    public var status: (counters: ServerCounters, scheduler: SchedulerSnapshot) {
        (metrics.counterSnapshot, scheduler.snapshot)
    }

    /// Names accepted as "model": the file name with or without ".gguf", and general.name.
    func serves(_ name: String) -> Bool {
        name == modelID || name == (model.path as NSString).lastPathComponent || name == model.name
    }
}

/// Turns errors that escape a route (unknown routes, Hummingbird's own errors) into OpenAI-shaped JSON.
struct OpenAIErrorMiddleware: RouterMiddleware {
    typealias Context = ServerContext
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            metrics.rejected(route: "other", status: Int(error.status.code))
            return error.response
        } catch let error as HTTPError {
            let api = error.status == .notFound
                ? APIError.notFound(request.uri.path)
                : APIError(status: error.status, type: "invalid_request_error", code: nil, param: nil,
                           message: error.body ?? error.status.reasonPhrase)
            metrics.rejected(route: "other", status: Int(api.status.code))
            return api.response
        }
    }
}

extension APIError {
    var response: Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
