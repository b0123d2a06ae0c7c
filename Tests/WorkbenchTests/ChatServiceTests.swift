// ChatService over a real Bus with scripted generators: streaming, stop, failure, persistence commands.
import Bus
import Foundation
import Testing
import Workbench

/// After 50 ms (its "prompt"), yields two tokens 20 ms apart with a 10-token prompt in the context, then waits until
/// cancelled (a generation the test stops). It never sends figures of its own.
private struct EndlessGenerator: ReplyGenerator {
    func generate(prompt messages: [ChatTurn], parameters: ChatParameters) -> AsyncThrowingStream<GeneratedChunk, Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                for (n, pause) in [(1, 50), (2, 20)] {
                    try? await Task.sleep(for: .milliseconds(pause))
                    continuation.yield(.token(text: "tick", stats: TokenStats(generatedTokens: n, tokensPerSecond: 1,
                                                                              contextUsed: 10 + n, contextSize: 64)))
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

private struct FailingGenerator: ReplyGenerator {
    struct Boom: Error, LocalizedError { var errorDescription: String? { "no model is loaded" } }
    func generate(prompt messages: [ChatTurn], parameters: ChatParameters) -> AsyncThrowingStream<GeneratedChunk, Error> {
        AsyncThrowingStream { $0.finish(throwing: Boom()) }
    }
}

private func request(_ text: String = "hi") -> GenerationRequest {
    GenerationRequest(conversation: UUID(), kind: .reply, turns: [ChatTurn(role: .user, text: text)],
                      parameters: ChatParameters())
}

/// Collects generation events until one matching `until`.
private func collect(_ stream: AsyncStream<GenerationEvent>, until done: (GenerationEvent) -> Bool) async -> [GenerationEvent] {
    var events: [GenerationEvent] = []
    for await event in stream {
        events.append(event)
        if done(event) { break }
    }
    return events
}

private func isEnd(_ e: GenerationEvent) -> Bool {
    if case .finished = e { return true }
    if case .failed = e { return true }
    return false
}

@Test func sendStreamsTokensThenFinishes() async {
    let bus = Bus()
    let service = ChatService(bus: bus, generator: ScriptedGenerator(tokens: ["Hel", "lo", "!"]), sessions: nil)
    await service.start()
    let events = await bus.subscribe(.generation)
    let r = request()
    await bus.publish(.send(r), on: .chat)
    let received = await collect(events, until: isEnd)
    #expect(received.first == .started(request: r.id))
    let text = received.compactMap { e -> String? in if case .token(_, let t, _) = e { t } else { nil } }.joined()
    #expect(text == "Hello!")
    guard case .finished(_, let info)? = received.last else { Issue.record("no finish"); return }
    #expect(info.generatedTokens == 3)
    #expect(info.stopReason == .endOfSequence)
    await service.stop()
}

@Test func stopCancelsTheRunningGeneration() async {
    let bus = Bus()
    let service = ChatService(bus: bus, generator: EndlessGenerator(), sessions: nil)
    await service.start()
    let events = await bus.subscribe(.generation)
    let sent = ContinuousClock.now
    await bus.publish(.send(request()), on: .chat)
    var iterator = events.makeAsyncIterator()
    _ = await iterator.next()            // started
    _ = await iterator.next()            // first token
    _ = await iterator.next()            // second token
    await bus.publish(.stop, on: .chat)
    guard case .finished(_, let info)? = await iterator.next() else { Issue.record("no finish"); return }
    #expect(info.stopReason == .cancelled)
    // The stopped reply still has its figures, measured by the service as the tokens came.
    #expect(info.generatedTokens == 2)
    #expect(info.promptTokens == 10)
    // At least the generator's 50 ms, at most the test's own wall time (a loaded CI can starve the pool for minutes).
    let elapsed = sent.duration(to: .now) / .seconds(1)
    #expect(info.timeToFirstToken >= 0.05 && info.timeToFirstToken <= elapsed, "first token after \(info.timeToFirstToken) s of \(elapsed)")
    #expect(info.tokensPerSecond > 0 && info.tokensPerSecond <= 50, "\(info.tokensPerSecond) tok/s")  // 1 token in >= 20 ms
    #expect(info.promptTokensPerSecond > 0)
    await service.waitUntilIdle()
    await service.stop()
}

@Test func generatorErrorsBecomeFailedEvents() async {
    let bus = Bus()
    let service = ChatService(bus: bus, generator: FailingGenerator(), sessions: nil)
    await service.start()
    let events = await bus.subscribe(.generation)
    let r = request()
    await bus.publish(.send(r), on: .chat)
    let received = await collect(events, until: isEnd)
    #expect(received.last == .failed(request: r.id, "no model is loaded"))
    await service.stop()
}

@Test func saveDeleteAndLoadAllGoThroughTheSessions() async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-svc-\(UUID().uuidString)")
    let sessions = ChatSessions(directory: directory)
    let bus = Bus()
    let service = ChatService(bus: bus, generator: ScriptedGenerator(tokens: []), sessions: sessions)
    await service.start()
    let replies = await bus.subscribe(.chatEvents)
    var iterator = replies.makeAsyncIterator()
    let a = Conversation(title: "a", updated: Date(timeIntervalSince1970: 1))
    let b = Conversation(title: "b", updated: Date(timeIntervalSince1970: 2))
    await bus.publish(.save(a), on: .chat)
    await bus.publish(.save(b), on: .chat)
    await bus.publish(.delete(conversation: a.id), on: .chat)
    await bus.publish(.loadAll, on: .chat)
    #expect(await iterator.next() == .conversations([b]))
    await service.stop()
}

@Test func drainHandlesEverySavePublishedBeforeShutdown() async {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-drain-\(UUID().uuidString)")
    let sessions = ChatSessions(directory: directory)
    let bus = Bus()
    let service = ChatService(bus: bus, generator: ScriptedGenerator(tokens: []), sessions: sessions)
    await service.start()
    let conversations = (0..<20).map { Conversation(title: "c\($0)", updated: Date(timeIntervalSince1970: Double($0))) }
    for c in conversations { await bus.publish(.save(c), on: .chat) }
    await bus.shutdown()
    await service.drain()
    #expect(sessions.loadAll().conversations.count == 20)
}
