// Runs the HTTP server for the TUI: takes ServerCommands from the bus, serves the model at the given path
// (a second mapping of the same GGUF file; the pages are shared), and publishes ServerEvents: started with
// the URL, a status sample every second (requests, queue, throughput), stopped or failed.
import Bus
import Engine
import Foundation

public actor ServerService {
    private let bus: Bus
    private let threads: Int
    private var listener: Task<Void, Never>?
    private var running: (server: LatheServer, task: Task<Void, Never>, ticker: Task<Void, Never>)?

    public init(bus: Bus, threads: Int = ThreadCount.default) {
        self.bus = bus
        self.threads = threads
    }

    /// Subscribes to `.serverCommands` before returning, then handles them.
    public func start() async {
        guard listener == nil else { return }
        listener = await bus.deliver(.serverCommands, to: self) { await $0.handle($1) }
    }

    /// Stops listening and stops a running server (waits until it has shut down).
    public func stop() async {
        listener?.cancel()
        listener = nil
        await stopServer()
    }

    func handle(_ command: ServerCommand) async {
        switch command {
        case .start(let path, let settings): await startServer(path: path, settings: settings)
        case .stop: await stopServer()
        }
    }

    private func startServer(path: String, settings: ServerSettings) async {
        guard running == nil else { return }
        let name = (path as NSString).lastPathComponent
        await bus.publish(.starting(model: name), on: .serverEvents)
        let model: LanguageModel
        do {
            model = try await Self.load(path, threads: threads)
        } catch {
            await bus.publish(.failed("cannot load \(name): \((error as? LocalizedError)?.errorDescription ?? "\(error)")"),
                              on: .serverEvents)
            return
        }
        var config = ServerConfiguration()
        config.host = settings.host
        config.port = settings.port
        config.parallel = settings.parallel
        config.contextLength = min(settings.contextLength, model.config.trainedContextLength)
        config.apiKey = settings.apiKey
        let server = LatheServer(model: model, configuration: config)
        let bus = self.bus
        let task = Task {
            do {
                try await server.run { port in
                    await bus.publish(.started(url: "http://\(settings.host):\(port)", model: server.modelID),
                                      on: .serverEvents)
                }
                await bus.publish(.stopped, on: .serverEvents)
            } catch {
                await bus.publish(.failed("server on \(settings.host):\(settings.port) stopped: \(error)"), on: .serverEvents)
            }
            await self.serverEnded(server)
        }
        let ticker = Task {
            var lastTokens = 0
            var last = ContinuousClock.now
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                let (counters, scheduler) = server.status
                let now = ContinuousClock.now
                let elapsed = last.duration(to: now)
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                let rate = seconds > 0 ? Double(scheduler.generatedTokens - lastTokens) / seconds : 0
                lastTokens = scheduler.generatedTokens
                last = now
                await bus.publish(.status(ServerStatus(
                    requests: counters.requests, failedRequests: counters.failedRequests, inFlight: counters.inFlight,
                    activeSequences: scheduler.activeSequences, slots: scheduler.slots,
                    waiting: scheduler.waitingRequests, promptTokens: counters.promptTokens,
                    generatedTokens: scheduler.generatedTokens, tokensPerSecond: rate, kvUsed: scheduler.kvTokensUsed,
                    kvCapacity: scheduler.kvTokensCapacity, lastTimeToFirstToken: counters.lastTimeToFirstToken)),
                    on: .serverEvents)
            }
        }
        running = (server, task, ticker)
    }

    private func stopServer() async {
        guard let running else { return }
        running.ticker.cancel()
        running.task.cancel()
        await running.task.value
    }

    private func serverEnded(_ server: LatheServer) {
        if running?.server === server {
            running?.ticker.cancel()
            running = nil
        }
    }

    /// Loads on a plain thread (mapping and parsing a GGUF is blocking work).
    private static func load(_ path: String, threads: Int) async throws -> LanguageModel {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try LanguageModel(path: path, threads: threads) })
            }
        }
    }
}
