// The run loop end to end over MemoryBackend and a real Bus: keys in, a fake chat service answering on the
// bus, the screen updated, and a clean quit. Input is scripted by conditions on the screen, not by time.
import Bus
import LatheTestSupport
import Screen
import Testing
import TUI

/// Feeds scripted input: each step waits (a bounded number of polls) until its condition holds on screen.
private final class ScriptedBackend: TerminalBackend {
    let memory: MemoryBackend
    private var steps: [(wait: String?, events: [TerminalEvent])]
    private var polls = 0
    /// Awaited texts that never showed (their steps went ahead after 5000 polls).
    private(set) var missed: [String] = []

    init(size: Size, steps: [(wait: String?, events: [TerminalEvent])]) {
        memory = MemoryBackend(size: size)
        self.steps = steps
    }

    var size: Size { memory.size }
    func draw(_ changes: [CellChange]) { memory.draw(changes) }
    func clear() { memory.clear() }
    func setCursor(_ position: Point?) { memory.setCursor(position) }
    func flush() { memory.flush() }

    func pollEvents() -> [TerminalEvent] {
        polls += 1
        guard let step = steps.first else { return polls > 5000 ? [.key(.ctrl("q"))] : [] }
        if let wait = step.wait, !memory.buffer.rows.joined(separator: "\n").contains(wait) {
            if polls < 5000 { return [] }
            missed.append(wait)
        }
        steps.removeFirst()
        return step.events
    }
}

private func keys(_ text: String) -> [TerminalEvent] { text.map { .key(.char($0)) } }

@Test func typingSendsOverTheBusAndTheStreamedReplyIsDrawn() async {
    let bus = Bus()
    let commands = await bus.subscribe(.chat)
    let service = Task {
        for await command in commands {
            guard case .send(let request) = command else { continue }
            await bus.publish(.started(request: request.id), on: .generation)
            for (i, word) in ["Hello", " from", " the", " bus"].enumerated() {
                await bus.publish(.token(request: request.id, text: word, stats: TokenStats(
                    generatedTokens: i + 1, tokensPerSecond: 99, contextUsed: 10 + i, contextSize: 100)), on: .generation)
            }
            await bus.publish(.finished(request: request.id, CompletionInfo(
                promptTokens: 10, generatedTokens: 4, promptTokensPerSecond: 100, tokensPerSecond: 99,
                timeToFirstToken: 0.01, stopReason: .endOfSequence)), on: .generation)
        }
    }
    let backend = ScriptedBackend(size: Size(width: 80, height: 24), steps: [
        (nil, keys("hello?") + [.key(.enter)]),
        ("Hello from the bus", [.key(.ctrl("q"))]),
    ])
    let result = await runWorkbenchApp(backend: backend, bus: bus, state: AppState(size: Size(width: 1, height: 1)),
                                       themes: [.plain], framesPerSecond: 1000, initialEffects: [])
    #expect(result.state.chat.conversation.messages.map(\.text) == ["hello?", "Hello from the bus"])
    #expect(backend.memory.buffer.rows.joined().contains("4 tokens · 99.0 tok/s"))
    #expect(result.frames > 0)
    #expect(result.eventLatency.count >= 6)                      // started, 4 tokens, finished: each timed to the screen
    #expect(result.frameTime.count == result.frames)
    service.cancel()
    await bus.shutdown()
}

@Test func resizeRedrawsAtTheNewSize() async {
    let bus = Bus()
    let backend = ScriptedBackend(size: Size(width: 80, height: 24), steps: [
        ("Chat", [.resize(Size(width: 20, height: 5))]),
        (nil, [.key(.ctrl("q"))]),
    ])
    let result = await runWorkbenchApp(backend: backend, bus: bus, state: AppState(size: Size(width: 80, height: 24)),
                                       themes: [.plain], framesPerSecond: 1000, initialEffects: [])
    #expect(result.state.size == Size(width: 20, height: 5))
    await bus.shutdown()
}

@Test func renderBenchMeasuresBothFrameKinds() {
    let result = RenderBench.run(frames: 3, size: Size(width: 60, height: 20))
    #expect(result.framesPerSecond > 0)
    #expect(result.cellsPerFullFrame > 0 && result.cellsPerFullFrame <= 60 * 20)
    #expect(result.averageCellsPerStreamingFrame < Double(60 * 20))
}

/// Records when (on a manual clock) each frame starts, and spends `work` of that clock in each frame.
private final class TimedBackend: TerminalBackend, @unchecked Sendable {
    let memory = MemoryBackend(size: Size(width: 40, height: 10))
    let clock: ManualClock
    let work: Duration
    private(set) var starts: [Duration] = []

    init(clock: ManualClock, work: Duration) {
        self.clock = clock
        self.work = work
    }

    var size: Size { memory.size }
    func draw(_ changes: [CellChange]) { memory.draw(changes) }
    func clear() { memory.clear() }
    func setCursor(_ position: Point?) { memory.setCursor(position) }
    func flush() { memory.flush() }

    func pollEvents() -> [TerminalEvent] {
        starts.append(clock.now.offset)
        if starts.count == 6 { return [.key(.ctrl("q"))] }
        clock.advance(by: work)
        return []
    }
}

@Test func framesStartOnAFixedBeatWhateverTheirWorkTakes() async {
    let bus = Bus()
    let clock = ManualClock()
    // 50 frames/s is a 20 ms period; each frame's work takes 7 ms of it. Frames must start every 20 ms (the next
    // deadline), not every 27 ms (a whole period of sleep after the work).
    let backend = TimedBackend(clock: clock, work: .milliseconds(7))
    let driver = Task {
        while !Task.isCancelled {
            if clock.sleeperCount > 0 { clock.advance(by: .milliseconds(1)) }
            await Task.yield()
        }
    }
    _ = await runWorkbenchApp(backend: backend, bus: bus, state: AppState(size: backend.size), themes: [.plain],
                              framesPerSecond: 50, initialEffects: [], clock: clock)
    driver.cancel()
    #expect(backend.starts == (0..<6).map { Duration.milliseconds(20 * $0) })

    // Work longer than a period: the next frame starts at once, and the beat goes on from there (no catch-up burst).
    let slowClock = ManualClock()
    let slow = TimedBackend(clock: slowClock, work: .milliseconds(30))
    let slowDriver = Task {
        while !Task.isCancelled {
            if slowClock.sleeperCount > 0 { slowClock.advance(by: .milliseconds(1)) }
            await Task.yield()
        }
    }
    _ = await runWorkbenchApp(backend: slow, bus: bus, state: AppState(size: slow.size), themes: [.plain],
                              framesPerSecond: 50, initialEffects: [], clock: slowClock)
    slowDriver.cancel()
    #expect(slow.starts == (0..<6).map { Duration.milliseconds(30 * $0) })
    await bus.shutdown()
}

@Test func ctrlZThatCannotSuspendSaysWhyAndTheNextKeyClearsIt() async {
    let bus = Bus()
    // ScriptedBackend cannot suspend, as under a shell without job control.
    let backend = ScriptedBackend(size: Size(width: 100, height: 24), steps: [
        (nil, [.key(.ctrl("z"))]),
        ("no job control", [.key(.char("x"))]),
        (nil, [.key(.ctrl("q"))]),
    ])
    let result = await runWorkbenchApp(backend: backend, bus: bus, state: AppState(size: backend.size),
                                       themes: [.plain], framesPerSecond: 1000, initialEffects: [])
    #expect(backend.missed.isEmpty, "never on screen: \(backend.missed)")
    #expect(result.state.notice == nil)
    #expect(result.state.chat.input.text == "x")          // the app went on taking keys
    let memory = MemoryBackend(size: Size(width: 10, height: 3))
    memory.canSuspend = false
    #expect(!memory.suspend() && memory.suspendCount == 0)
    await bus.shutdown()
}
