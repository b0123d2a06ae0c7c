// `lathe bench render [--model M]`: the UI's render cost as one JSON object. Always: full chat-pane redraws at
// 200x60 and synthetic streaming frames (one token reduced, incremental redraw) into an in-memory terminal. With
// --model: the real run loop (reducer, views, diffing renderer at its frame cap) on an in-memory 200x60 terminal,
// wired over the bus to the real engine, while the model streams a reply: how long each frame takes, and how long
// each streamed token waits in the UI before the frame that shows it is done. With --terminal as well, the frames
// go to this terminal through ncurses (run it in a 200x60 tmux pane), so the figures include ncurses' output.
import ArgumentParser
import Bus
import Engine
import Foundation
import Screen
import Terminal
import TUI
import Workbench

struct BenchRender: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Chat-pane redraws at 200x60 (frames/s); with --model, the UI's frame latency while the engine streams.")

    @Option(help: "Also stream a reply from this model through the UI's run loop (a path, or a name in the models directory).")
    var model: String?
    @OptionGroup var location: ModelsDirectoryOption
    @Option(name: .customShort("n"), help: "Tokens to stream with --model (the reply may end sooner).") var tokens = 256
    @Option(help: "The UI's frame-rate cap with --model (the TUI's default is 60).") var fps = 60
    @Option(name: [.customShort("t"), .long], help: "Engine threads (default: all cores).") var threads: Int?
    @Flag(help: "With --model: draw on this terminal through ncurses (at its size) instead of an in-memory 200x60 one.")
    var terminal = false

    func run() async throws {
        if terminal, isatty(STDIN_FILENO) != 1 || isatty(STDOUT_FILENO) != 1 {
            throw CLIErrors.fail(CLIError.message("--terminal needs a terminal (run it in a 200x60 tmux pane)"))
        }
        let synthetic = RenderBench.run()
        var json: [String: Any] = [
            "test": "render_200x60", "full_frames_per_second": synthetic.framesPerSecond,
            "streaming_frames_per_second": synthetic.streamingFramesPerSecond,
            "cells_per_full_frame": synthetic.cellsPerFullFrame,
            "cells_per_streaming_frame": synthetic.averageCellsPerStreamingFrame,
        ]
        if let model {
            let path = try CLIErrors.guarded { try location.directory.resolve(model) }
            do {
                json["engine_streaming"] = try await StreamingUIBench.run(
                    modelPath: path, tokens: tokens, framesPerSecond: fps, threads: threads ?? ThreadCount.default,
                    onTerminal: terminal)
            } catch {
                throw CLIErrors.fail(error)
            }
        }
        printJSON(json)
    }
}

/// The real UI loop against the real engine, measured while a reply streams.
enum StreamingUIBench {
    static let memorySize = Size(width: 200, height: 60)
    static let prompt = "Write a long story about a dragon who learns to paint."

    static func run(modelPath: String, tokens: Int, framesPerSecond: Int, threads: Int,
                    onTerminal: Bool) async throws -> [String: Any] {
        let bus = Bus()
        let host = EngineHost(threads: threads)
        let models = ModelService(bus: bus, host: host, directory: ModelDirectory(
            explicit: (modelPath as NSString).deletingLastPathComponent))
        await models.start()
        let chat = ChatService(bus: bus, generator: EngineReplyGenerator(host: host), sessions: nil)
        await chat.start()
        let sampler = MetricsSampler(bus: bus, clock: ContinuousClock())
        await sampler.start()

        // Load first, so the measured frames are those of the prompt and the stream (not of the model loading).
        let modelEvents = await bus.subscribe(.modelEvents)
        await bus.publish(ModelCommand.load(path: modelPath), on: .modelCommands)
        var facts: ModelFacts?
        for await event in modelEvents {
            if case .loaded(let loaded) = event { facts = loaded; break }
            if case .failed(_, let message) = event { throw CLIError.message("cannot load \(modelPath): \(message)") }
        }

        let themes = ThemeCatalog.load()
        let backend: FedBackend
        if onTerminal {
            TerminalSession.install()
            backend = FedBackend(try NcursesBackend(theme: themes[0]))
        } else {
            backend = FedBackend(MemoryBackend(size: memorySize))
        }
        defer { (backend.base as? NcursesBackend)?.end() }
        let size = backend.size
        var state = AppState(size: size, idPrefix: 1, now: Date())
        state.models.loaded = facts
        state.chat.conversation.parameters = ChatParameters(
            temperature: 0.7, topK: 40, topP: 0.95, minP: 0.05, repeatPenalty: 1.1, maxTokens: tokens, seed: 42, contextLength: 2048)
        let generation = await bus.subscribe(.generation)
        state.themeName = themes[0].name
        let app = Task { [state] in
            await runWorkbenchApp(backend: backend, bus: bus, state: state, themes: themes,
                                  framesPerSecond: framesPerSecond, initialEffects: [])
        }
        backend.feed(prompt.map { .key(.char($0)) } + [.key(.enter)])
        let started = ContinuousClock.now
        var info: CompletionInfo?
        var streamed = 0
        for await event in generation {
            if case .token = event { streamed += 1 }
            if case .finished(_, let finished) = event { info = finished; break }
            if case .failed(_, let message) = event { backend.feed([.key(.ctrl("q"))]); throw CLIError.message(message) }
        }
        let streamSeconds = (ContinuousClock.now - started).seconds
        backend.feed([.key(.ctrl("q"))])
        let result = await app.value
        (backend.base as? NcursesBackend)?.end()
        if onTerminal { TerminalSession.exitIfTerminated() }
        await sampler.stop()
        await chat.stop()
        await models.stop()

        func ms(_ d: Duration) -> Double { (d.seconds * 1e6).rounded() / 1e3 }
        func figures(_ stats: LatencyStats) -> [String: Any] {
            ["count": stats.count, "mean_ms": ms(stats.mean), "p50_ms": ms(stats.percentile(50)),
             "p99_ms": ms(stats.percentile(99)), "max_ms": ms(stats.worst)]
        }
        return [
            "model": (modelPath as NSString).lastPathComponent, "size": "\(size.width)x\(size.height)",
            "backend": onTerminal ? "ncurses" : "memory",
            "frame_cap_fps": framesPerSecond, "threads": threads,
            "tokens_streamed": streamed, "gen_tps": info?.tokensPerSecond ?? 0,
            "frames": result.frames, "frames_per_second": Double(result.frames) / max(streamSeconds, 1e-9),
            "frame_time": figures(result.frameTime),
            "event_to_screen": figures(result.eventLatency),
        ]
    }
}

/// A terminal (in memory or ncurses) whose input another task also feeds; the run loop polls both.
private final class FedBackend: TerminalBackend, @unchecked Sendable {
    let base: any TerminalBackend
    private let lock = NSLock()
    private var pending: [TerminalEvent] = []

    init(_ base: any TerminalBackend) { self.base = base }

    func feed(_ events: [TerminalEvent]) { lock.withLock { pending += events } }

    var size: Size { base.size }
    func draw(_ changes: [CellChange]) { base.draw(changes) }
    func clear() { base.clear() }
    func setCursor(_ position: Point?) { base.setCursor(position) }
    func flush() { base.flush() }
    func apply(theme: Theme) { base.apply(theme: theme) }
    func suspend() -> Bool { false }

    func pollEvents() -> [TerminalEvent] {
        let fed = lock.withLock {
            defer { pending = [] }
            return pending
        }
        return fed + base.pollEvents()
    }
}

private extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
