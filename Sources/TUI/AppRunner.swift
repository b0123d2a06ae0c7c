// The run loop: pumps terminal input and bus events into `reduce`, carries out effects (publish on the bus,
// suspend, quit) and renders at most `framesPerSecond` frames a second, on a fixed beat, so a fast token stream
// is coalesced into one redraw per frame.
import Bus
import Foundation
import Screen

/// What a finished run leaves behind: the final state (to save config) and frame-time figures.
public struct AppRunResult: Sendable {
    public var state: AppState
    public var frames: Int
    /// Time to reduce + render + draw one frame.
    public var frameTime: LatencyStats
    /// For each bus event (tokens, progress, metrics): from its arrival in the UI to the end of the frame that
    /// drew it, i.e. waiting for the next frame plus the frame's own work. What a streaming reply's tokens see.
    public var eventLatency: LatencyStats
    public var averageFrameTime: Duration { frameTime.mean }
    public var worstFrameTime: Duration { frameTime.worst }
}

/// Runs the workbench UI until the user quits.
///
/// ```swift
/// let backend = try NcursesBackend(theme: themes[0])        // Terminal target
/// let result = await runWorkbenchApp(backend: backend, bus: bus,
///                                    state: AppState(size: backend.size, idPrefix: .random(in: 1...UInt64.max)),
///                                    themes: ThemeCatalog.load())
/// ```
/// Subscribes to the event topics before sending `initialEffects` (by default: load saved conversations and
/// scan the models directory), so no early reply is missed.
@discardableResult
public func runWorkbenchApp<B: TerminalBackend, C: Clock>(
    backend: B, bus: Bus, state initial: AppState, themes: [Theme], framesPerSecond: Int = 60,
    initialEffects: [Effect] = [.chat(.loadAll), .model(.scan)], clock: C
) async -> AppRunResult where C.Duration == Duration {
    var state = initial
    state.size = backend.size
    state.themeNames = themes.map(\.name)          // F9 cycles through the themes actually loaded
    if !state.themeNames.contains(state.themeName) { state.themeName = themes.first?.name ?? Theme.plain.name }
    let inbox = Inbox()
    let forwarders = await forwardEvents(from: bus, into: inbox)
    defer { for task in forwarders { task.cancel() } }
    for effect in initialEffects { await carryOut(effect, on: bus) }
    let renderer = Renderer()
    var appliedTheme: String?
    var frames = 0
    var frameTime = LatencyStats(), eventLatency = LatencyStats()
    var lastTick = ContinuousClock.now
    var dirty = true
    let framePeriod = Duration.seconds(1) / max(1, framesPerSecond)
    // Frames start on a fixed beat, one period apart whatever each frame's work took, so an event (a streamed
    // token) waits at most one period for the frame that draws it.
    var deadline = clock.now
    run: while true {
        let start = ContinuousClock.now
        let arrived = inbox.drain()
        var messages = backend.pollEvents().map(Msg.init) + arrived.map(\.message)
        if start - lastTick >= .seconds(1) {
            messages.append(.tick(Date()))
            lastTick = start
        }
        for message in messages {
            dirty = true
            for effect in reduce(&state, message) {
                switch effect {
                case .quit: break run
                case .suspend:
                    if backend.suspend() {
                        renderer.invalidate()
                        state.size = backend.size
                    } else {
                        state.notice = "Ctrl-Z ignored: no job control to resume lathe"
                    }
                default: await carryOut(effect, on: bus)
                }
            }
        }
        if appliedTheme != state.themeName {
            backend.apply(theme: themes.first { $0.name == state.themeName } ?? themes.first ?? .plain)
            appliedTheme = state.themeName
            renderer.invalidate()
            dirty = true
        }
        if dirty {
            var screen = ScreenBuffer(size: state.size)
            let cursor = render(state, into: &screen)
            renderer.render(screen, cursor: cursor, to: backend)
            dirty = false
            let end = ContinuousClock.now
            frames += 1
            frameTime.add(end - start)
            for event in arrived { eventLatency.add(end - event.at) }
        }
        deadline = deadline.advanced(by: framePeriod)
        let now = clock.now
        if deadline < now { deadline = now }      // behind (a slow frame, a suspend): go on from now, no burst of frames
        do { try await clock.sleep(until: deadline, tolerance: nil) } catch { break run }
    }
    return AppRunResult(state: state, frames: frames, frameTime: frameTime, eventLatency: eventLatency)
}

/// `runWorkbenchApp` on the continuous clock.
@discardableResult
public func runWorkbenchApp<B: TerminalBackend>(
    backend: B, bus: Bus, state: AppState, themes: [Theme], framesPerSecond: Int = 60,
    initialEffects: [Effect] = [.chat(.loadAll), .model(.scan)]
) async -> AppRunResult {
    await runWorkbenchApp(backend: backend, bus: bus, state: state, themes: themes, framesPerSecond: framesPerSecond,
                          initialEffects: initialEffects, clock: ContinuousClock())
}

/// Publishes an effect on its topic.
public func carryOut(_ effect: Effect, on bus: Bus) async {
    switch effect {
    case .chat(let command): await bus.publish(command, on: .chat)
    case .model(let command): await bus.publish(command, on: .modelCommands)
    case .train(let command): await bus.publish(command, on: .trainCommands)
    case .download(let command): await bus.publish(command, on: .downloadCommands)
    case .quantize(let command): await bus.publish(command, on: .quantizeCommands)
    case .server(let command): await bus.publish(command, on: .serverCommands)
    case .suspend, .quit: break
    }
}

/// Subscribes to every event topic the UI shows and forwards each event into `inbox` as a `Msg`.
private func forwardEvents(from bus: Bus, into inbox: Inbox) async -> [Task<Void, Never>] {
    func forward<M: Sendable>(_ stream: AsyncStream<M>, _ wrap: @escaping @Sendable (M) -> Msg) -> Task<Void, Never> {
        Task { for await message in stream { inbox.push(wrap(message)) } }
    }
    return [
        forward(await bus.subscribe(.generation)) { .generation($0) },
        forward(await bus.subscribe(.chatEvents)) { .chat($0) },
        forward(await bus.subscribe(.modelEvents)) { .model($0) },
        forward(await bus.subscribe(.metrics)) { .metrics($0) },
        forward(await bus.subscribe(.trainEvents)) { .train($0) },
        forward(await bus.subscribe(.downloadEvents)) { .download($0) },
        forward(await bus.subscribe(.quantizeEvents)) { .quantize($0) },
        forward(await bus.subscribe(.serverEvents)) { .server($0) },
    ]
}

/// Messages from bus tasks waiting for the next frame, with when each arrived.
final class Inbox: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [(message: Msg, at: ContinuousClock.Instant)] = []

    func push(_ message: Msg) {
        let now = ContinuousClock.now
        lock.withLock { messages.append((message, now)) }
    }

    func drain() -> [(message: Msg, at: ContinuousClock.Instant)] {
        lock.withLock {
            defer { messages.removeAll(keepingCapacity: true) }
            return messages
        }
    }
}
