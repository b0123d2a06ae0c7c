// QuantizerService over a real Bus with the real SmolLM2 file: an estimate, a run with one row per tensor and
// progress up to 1, a cancel that leaves no file, and failures as one-line events.
import Bus
import Foundation
import LatheTestSupport
import Testing
import Workbench

private func collect(_ stream: AsyncStream<QuantizeEvent>, until done: (QuantizeEvent) -> Bool) async -> [QuantizeEvent] {
    var events: [QuantizeEvent] = []
    for await event in stream {
        events.append(event)
        if done(event) { break }
    }
    return events
}

private func isEnd(_ event: QuantizeEvent) -> Bool {
    switch event {
    case .finished, .cancelled, .failed: true
    default: false
    }
}

private func scratchDirectory() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-qservice-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

@Suite(.serialized) struct QuantizerServiceTests {
    @Test func estimatesThenQuantizesWithARowPerTensor() async throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bus = Bus()
        let service = QuantizerService(bus: bus, threads: 2)
        await service.start()
        let events = await bus.subscribe(.quantizeEvents)
        await bus.publish(.estimate(input: TestPaths.smollm2, type: "q8_0"), on: .quantizeCommands)
        let first = await collect(events) { _ in true }
        guard case .estimate(let estimate)? = first.first else {
            Issue.record("expected an estimate, got \(first)")
            return
        }
        #expect(estimate.type == "Q8_0" && estimate.tensors == 272 && estimate.requantizes)
        let output = dir.appendingPathComponent("smol-q8.gguf").path
        await bus.publish(.start(QuantizeRequest(input: TestPaths.smollm2, output: output, type: "Q8_0")), on: .quantizeCommands)
        let run = await collect(events, until: isEnd)
        #expect(run.first == .started(QuantizeRequest(input: TestPaths.smollm2, output: output, type: "Q8_0"), tensors: 272))
        let rows = run.compactMap { if case .tensor(let row) = $0 { row } else { nil } }
        #expect(rows.map(\.index) == Array(0..<272))
        #expect(rows.first { $0.name == "blk.0.attn_q.weight" }.map { ($0.from, $0.to, $0.shape) } ?? ("", "", []) == ("Q4_1", "Q8_0", [576, 576]))
        #expect(rows.filter { $0.relativeError == nil }.count == 62)  // 61 norms + token_embd, copied as they are
        guard case let .finished(path, bytes, _)? = run.last else {
            Issue.record("expected finished, got \(String(describing: run.last))")
            return
        }
        #expect(path == output && bytes == estimate.outputBytes)
        #expect((try FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) == bytes)
        let fractions = run.compactMap { if case .progress(let f, _, _) = $0 { f } else { nil } }
        #expect(fractions == fractions.sorted() && fractions.last == 1)
        await service.stop()
    }

    @Test func cancelLeavesNoFileAndFailuresAreEvents() async throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bus = Bus()
        // The run holds after its first tensor until the bus's cancel has reached it (at most 20 min: under the
        // full suite the cooperative pool that carries the cancel was seen starved for over 2 min), so the
        // cancel lands mid-run however loaded the machine is.
        let service = QuantizerService(bus: bus, threads: 2) { index, cancel in
            guard index == 0 else { return }
            let deadline = Date().addingTimeInterval(1200)
            while !cancel.isCancelled && Date() < deadline { usleep(1000) }
        }
        await service.start()
        let events = await bus.subscribe(.quantizeEvents)
        let output = dir.appendingPathComponent("cancelled.gguf").path
        await bus.publish(.start(QuantizeRequest(input: TestPaths.smollm2, output: output, type: "Q6_K")), on: .quantizeCommands)
        let begun = await collect(events) { event in
            if case .tensor = event { return true }
            return isEnd(event)
        }
        #expect(!isEnd(begun.last!))
        await bus.publish(.cancel, on: .quantizeCommands)
        let rest = await collect(events, until: isEnd)
        #expect(rest.last == .cancelled)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)

        await bus.publish(.start(QuantizeRequest(input: TestPaths.smollm2, output: output, type: "Q8_0", allowRequantize: false)),
                          on: .quantizeCommands)
        let refused = await collect(events, until: isEnd)
        #expect(refused.last == .failed("tensor 'blk.0.attn_k.weight' is already quantized (Q4_1); requantizing is disabled (pass --allow-requantize)"))
        await bus.publish(.estimate(input: dir.appendingPathComponent("missing.gguf").path, type: "Q8_0"), on: .quantizeCommands)
        let missing = await collect(events, until: isEnd)
        guard case .failed(let message)? = missing.last else {
            Issue.record("expected a failure, got \(missing)")
            return
        }
        #expect(message.contains("missing.gguf") && !message.contains("\n"))
        await service.stop()
    }
}
