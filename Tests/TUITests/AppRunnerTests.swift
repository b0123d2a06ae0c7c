// The run loop end to end over MemoryBackend and a real Bus: keys in, a fake chat service answering on the
// bus, the screen updated, and a clean quit. Input is scripted by conditions on the screen, not by time.
import Bus
import Screen
import Testing
import TUI

/// Feeds scripted input: each step waits (a bounded number of polls) until its condition holds on screen.
private final class ScriptedBackend: TerminalBackend {
    let memory: MemoryBackend
    private var steps: [(wait: String?, events: [TerminalEvent])]
    private var polls = 0

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
        if let wait = step.wait, !memory.buffer.rows.joined(separator: "\n").contains(wait), polls < 5000 { return [] }
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
