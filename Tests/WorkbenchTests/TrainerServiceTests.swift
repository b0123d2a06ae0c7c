// TrainerService over a real Bus: a pretrain command runs a tiny training off the cooperative pool and
// publishes started → steps (in order) → checkpoint → finished(model path); bad requests publish `failed`; a resume
// of a SmolLM2 LoRA run sent the moment `.stopped` arrives is accepted (the last event comes once the service is free).
import Bus
import Foundation
import LatheTestSupport
import Testing
import Workbench

@Suite struct TrainerServiceTests {
    @Test func pretrainCommandPublishesOrderedEventsToFinished() async throws {
        let bus = Bus()
        let service = TrainerService(bus: bus)
        await service.start()
        let events = await bus.subscribe(.trainEvents)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-svc-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        await bus.publish(.pretrain(PretrainRequest(dataFiles: ["/usr/share/common-licenses/GPL-3"], preset: "tiny",
                                                    steps: 6, runDirectory: dir)), on: .trainCommands)
        var seen: [TrainEvent] = []
        for await event in events {
            seen.append(event)
            if case .finished = event { break }
            if case .failed = event { break }
        }
        guard case .started(let runDirectory, 0, 6)? = seen.first else {
            Issue.record("first event \(String(describing: seen.first))")
            return
        }
        #expect(runDirectory == dir)
        let steps = seen.compactMap { if case .step(let m) = $0 { m.step } else { nil } }
        #expect(steps == Array(1...6))
        #expect(seen.contains { if case .checkpointSaved(6, _) = $0 { true } else { false } })
        #expect(seen.last == .finished(modelPath: dir + "/model.gguf"))
        #expect(FileManager.default.fileExists(atPath: dir + "/model.gguf"))
    }

    /// A stopped LoRA run writes its adapter after the loop ends; a resume sent the moment `.stopped` arrives
    /// used to find the service still busy with that and was refused ("already in progress").
    @Test func resumeSentOnStoppedIsAccepted() async throws {
        try #require(FileManager.default.fileExists(atPath: TestPaths.smollm2), "missing \(TestPaths.smollm2)")
        let bus = Bus()
        let service = TrainerService(bus: bus)
        await service.start()
        let events = await bus.subscribe(.trainEvents)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-svc-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var request = FineTuneRequest(model: TestPaths.smollm2, dataFiles: [TestPaths.fixture("lora/orvella-train.jsonl").path],
                                      runDirectory: dir)
        request.batch = 1
        request.cutoff = 64
        request.sampleEvery = 0
        request.steps = 50
        await bus.publish(.fineTune(request), on: .trainCommands)
        var stops: [Int] = [], starts: [Int] = [], stopsSent = 0
        for await event in events {
            switch event {
            case .started(_, let step, _): starts.append(step)
            case .step where stopsSent < starts.count:  // stop each run after its first step
                stopsSent += 1
                await bus.publish(.stop, on: .trainCommands)
            case .stopped(let step, _):
                stops.append(step)
                if stops.count == 1 { await bus.publish(.resume(runDirectory: dir), on: .trainCommands) }
            case .failed(let message): Issue.record("failed: \(message)")
            default: break
            }
            if stops.count == 2 || starts.count > 2 { break }
            if case .failed = event { break }
        }
        #expect(starts.count == 2 && stops.count == 2)
        #expect(starts.first == 0 && starts.last == stops.first)
        #expect((stops.last ?? 0) > (stops.first ?? 0))
        #expect(FileManager.default.fileExists(atPath: dir + "/adapter.gguf"))  // written before `.stopped` came
    }

    @Test func badPresetIsReportedAsFailed() async {
        let bus = Bus()
        let service = TrainerService(bus: bus)
        await service.start()
        let events = await bus.subscribe(.trainEvents)
        await bus.publish(.pretrain(PretrainRequest(dataFiles: ["/nonexistent"], preset: "huge", steps: 1,
                                                    runDirectory: "/tmp/unused")), on: .trainCommands)
        for await event in events {
            #expect(event == .failed("bad training config: preset must be tiny or small (got 'huge')"))
            break
        }
    }
}
