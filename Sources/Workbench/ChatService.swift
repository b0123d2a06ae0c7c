// The chat service: an actor that takes ChatCommands from the bus, runs one generation at a time through a
// `ReplyGenerator` (the engine adapter conforms), publishes GenerationEvents, and persists conversations.
import Bus
import Foundation

/// What a generator yields: text pieces with live figures, then (optionally) the final figures.
public enum GeneratedChunk: Sendable, Equatable {
    case token(text: String, stats: TokenStats)
    case finished(CompletionInfo)
}

/// Something that turns chat turns into a stream of text. When the last turn is `.assistant`, continue it
/// (used by "continue reply"). Cancelling the consumer must stop the work (`onTermination` → cancel).
public protocol ReplyGenerator: Sendable {
    func generate(prompt messages: [ChatTurn], parameters: ChatParameters)
        -> AsyncThrowingStream<GeneratedChunk, Error>
}

/// Opens a remote backend for `ChatCommand.useBackend(.remote(url, model))`: checks that the server answers and
/// returns the generator with the display name of the endpoint ("URL (model)"). Throws a one-line error otherwise.
public typealias RemoteConnector = @Sendable (_ url: String, _ model: String?) async throws
    -> (generator: any ReplyGenerator, description: String)

public actor ChatService {
    private let bus: Bus
    private var generator: any ReplyGenerator
    private let localGenerator: any ReplyGenerator
    private let connectRemote: RemoteConnector?
    private let sessions: ChatSessions?
    private var listener: Task<Void, Never>?
    private var running: (request: UUID, task: Task<Void, Never>)?
    /// Counts backend switches, so a slow connect that a newer switch superseded is dropped.
    private var backendSwitches = 0

    /// `sessions` nil keeps conversations in memory only (tests, `--no-save`). Replies come from `generator`
    /// (the local engine, or a remote one chosen at launch); `useBackend(.local)` switches to `localGenerator`
    /// (default: `generator`) and `useBackend(.remote…)` to what `connectRemote` opens.
    public init(bus: Bus, generator: any ReplyGenerator, sessions: ChatSessions?,
                localGenerator: (any ReplyGenerator)? = nil, connectRemote: RemoteConnector? = nil) {
        self.bus = bus
        self.generator = generator
        self.localGenerator = localGenerator ?? generator
        self.connectRemote = connectRemote
        self.sessions = sessions
    }

    /// Subscribes to `.chat` (before returning, so no command sent afterwards is missed) and starts handling.
    ///
    /// ```swift
    /// let service = ChatService(bus: bus, generator: engineAdapter, sessions: ChatSessions(directory: dirs.conversations))
    /// await service.start()
    /// ```
    public func start() async {
        guard listener == nil else { return }
        listener = await bus.deliver(.chat, to: self) { await $0.handle($1) }
    }

    /// Stops listening and cancels any running generation.
    public func stop() {
        listener?.cancel()
        listener = nil
        running?.task.cancel()
        running = nil
    }

    /// After `bus.shutdown()`: waits until every command already published has been handled, so the last
    /// saves reach disk before the process exits.
    ///
    /// ```swift
    /// await bus.shutdown()
    /// await service.drain()
    /// ```
    public func drain() async {
        await listener?.value
        running?.task.cancel()
    }

    /// Waits for the running generation (if any) to end; tests use it.
    public func waitUntilIdle() async {
        while let task = running?.task { await task.value }
    }

    func handle(_ command: ChatCommand) async {
        switch command {
        case .send(let request): start(request)
        case .stop:
            running?.task.cancel()
        case .save(let conversation):
            guard let sessions else { return }
            do { try sessions.save(conversation) } catch { await bus.publish(.saveFailed(describe(error)), on: .chatEvents) }
        case .delete(let id):
            guard let sessions else { return }
            do { try sessions.delete(id) } catch { await bus.publish(.saveFailed(describe(error)), on: .chatEvents) }
        case .loadAll:
            let loaded = sessions?.loadAll() ?? (conversations: [], errors: [])
            await bus.publish(.conversations(loaded.conversations), on: .chatEvents)
            if let first = loaded.errors.first { await bus.publish(.saveFailed(first), on: .chatEvents) }
        case .useBackend(let backend): await use(backend)
        }
    }

    /// Switches later replies to `backend`; a running reply finishes where it started. A remote endpoint is
    /// checked off the command loop (an unreachable host must not hold up stop or save), and a newer switch
    /// supersedes one still connecting.
    private func use(_ backend: ChatBackend) async {
        backendSwitches += 1
        let attempt = backendSwitches
        switch backend {
        case .local:
            generator = localGenerator
            await bus.publish(.backendChanged(remote: nil), on: .chatEvents)
        case .remote(let url, let model):
            guard let connectRemote else {
                await bus.publish(.backendFailed("remote endpoints are not available here"), on: .chatEvents)
                return
            }
            Task { [weak self] in
                do {
                    let opened = try await connectRemote(url, model)
                    await self?.finishSwitch(attempt, to: opened.generator, description: opened.description)
                } catch {
                    let why = (error as? LocalizedError)?.errorDescription ?? "\(error)"
                    await self?.failSwitch(attempt, "\(url): \(why)")
                }
            }
        }
    }

    private func finishSwitch(_ attempt: Int, to remote: any ReplyGenerator, description: String) async {
        guard attempt == backendSwitches else { return }
        generator = remote
        await bus.publish(.backendChanged(remote: description), on: .chatEvents)
    }

    private func failSwitch(_ attempt: Int, _ message: String) async {
        guard attempt == backendSwitches else { return }
        await bus.publish(.backendFailed(message), on: .chatEvents)
    }

    private func start(_ request: GenerationRequest) {
        running?.task.cancel()      // one generation at a time: a new request replaces the old one
        let begun = ContinuousClock.now
        let stream = generator.generate(prompt: request.turns, parameters: request.parameters)
        let bus = self.bus
        let task = Task { [weak self] in
            await Self.run(request.id, stream, begun: begun, bus: bus)
            await self?.finished(request.id)
        }
        running = (request.id, task)
    }

    private func finished(_ id: UUID) {
        if running?.request == id { running = nil }
    }

    /// Publishes started, every token, then finished (cancelled if stopped) or failed.
    private static func run(_ id: UUID, _ stream: AsyncThrowingStream<GeneratedChunk, Error>,
                            begun: ContinuousClock.Instant, bus: Bus) async {
        await bus.publish(.started(request: id), on: .generation)
        var measured = StreamFigures(started: begun)
        var info: CompletionInfo?
        do {
            for try await chunk in stream {
                if Task.isCancelled { break }
                switch chunk {
                case .token(let text, let stats):
                    measured.add(stats, at: .now)
                    await bus.publish(.token(request: id, text: text, stats: stats), on: .generation)
                case .finished(let completion): info = completion
                }
            }
        } catch is CancellationError {
        } catch {
            if !Task.isCancelled {
                await bus.publish(.failed(request: id, (error as? LocalizedError)?.errorDescription ?? "\(error)"),
                                  on: .generation)
                return
            }
        }
        // A stopped run ends the stream before the generator's own figures arrive: use what was measured here.
        var final = info ?? measured.completion
        if Task.isCancelled { final.stopReason = .cancelled }
        await bus.publish(.finished(request: id, final), on: .generation)
    }

    private func describe(_ error: Error) -> String { (error as? LocalizedError)?.errorDescription ?? "\(error)" }
}

/// The figures of a reply as the service sees its tokens arrive, for runs whose generator never reports its own
/// (a stopped run's stream is cut before the final chunk): time to the first token from the request's start,
/// speed over the tokens after the first (as the engine reports it), prompt size from the context in use.
struct StreamFigures {
    let started: ContinuousClock.Instant
    private var first: ContinuousClock.Instant?
    private var latest: ContinuousClock.Instant?
    private var last = TokenStats(generatedTokens: 0, tokensPerSecond: 0, contextUsed: 0, contextSize: 0)

    init(started: ContinuousClock.Instant) { self.started = started }

    mutating func add(_ stats: TokenStats, at time: ContinuousClock.Instant) {
        if first == nil { first = time }
        latest = time
        last = stats
    }

    var completion: CompletionInfo {
        let firstToken = first.map { seconds($0 - started) } ?? 0
        var rate = last.tokensPerSecond
        if let first, let latest, last.generatedTokens > 1, latest > first {
            rate = Double(last.generatedTokens - 1) / seconds(latest - first)
        }
        // The engine counts the whole prompt (history included) plus the tokens generated so far as context used;
        // a remote generator reports 0 there.
        let promptTokens = max(0, last.contextUsed - last.generatedTokens)
        return CompletionInfo(promptTokens: promptTokens, generatedTokens: last.generatedTokens,
                              promptTokensPerSecond: promptTokens > 0 && firstToken > 0 ? Double(promptTokens) / firstToken : 0,
                              tokensPerSecond: rate, timeToFirstToken: firstToken, stopReason: .endOfSequence)
    }

    private func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}

/// A generator that replays fixed text token by token: for tests, demos and UI work without a model.
public struct ScriptedGenerator: ReplyGenerator {
    public var tokens: [String]
    public var tokensPerSecond: Double
    /// When true, tokens come `1/tokensPerSecond` apart (demos, UI latency runs); tests leave it off.
    public var paced: Bool

    public init(tokens: [String], tokensPerSecond: Double = 50, paced: Bool = false) {
        self.tokens = tokens
        self.tokensPerSecond = tokensPerSecond
        self.paced = paced
    }

    public func generate(prompt messages: [ChatTurn], parameters: ChatParameters)
        -> AsyncThrowingStream<GeneratedChunk, Error> {
        let promptTokens = messages.reduce(0) { $0 + $1.text.split(separator: " ").count }
        let tokens = Array(self.tokens.prefix(parameters.maxTokens))
        let rate = tokensPerSecond, paced = self.paced
        return AsyncThrowingStream { continuation in
            let task = Task {
                for (i, text) in tokens.enumerated() {
                    if paced { try? await Task.sleep(for: .seconds(1 / max(rate, 1))) }
                    if Task.isCancelled { break }
                    continuation.yield(.token(text: text, stats: TokenStats(
                        generatedTokens: i + 1, tokensPerSecond: rate, contextUsed: promptTokens + i + 1,
                        contextSize: parameters.contextLength)))
                }
                continuation.yield(.finished(CompletionInfo(
                    promptTokens: promptTokens, generatedTokens: tokens.count, promptTokensPerSecond: rate * 10,
                    tokensPerSecond: rate, timeToFirstToken: 0.05,
                    stopReason: tokens.count == parameters.maxTokens ? .maxTokens : .endOfSequence)))
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
