// The Train pane (fine-tune monitor): the form builds the request, run control sends the right commands,
// trainer events fill the live run, and golden screens of a run in progress and of past runs compared.
import Bus
import Screen
import Testing
import TUI

private func metrics(_ step: Int, total: Int = 40) -> TrainStepMetrics {
    TrainStepMetrics(step: step, totalSteps: total, loss: 2.6 * Foundation.exp(-Double(step) / 12) + 0.2,
                     learningRate: 2e-3 * Double(total - step) / Double(total), gradientNorm: 0.9 - Double(step) / 100,
                     tokensPerSecond: 180 + Double(step % 5), epoch: Double(step) / 22, elapsed: Double(step) * 2.5,
                     eta: Double(total - step) * 2.5)
}

private func liveRun(_ state: inout AppState, steps: Int) {
    run(&state, receive(.train(.started(runDirectory: "/runs/lora-smol-1", startStep: 0, totalSteps: 40))))
    for step in 1...steps {
        run(&state, receive(.train(.step(metrics(step)))))
        if step % 10 == 0 { run(&state, receive(.train(.evaluated(step: step, loss: metrics(step).loss + 0.15)))) }
    }
    run(&state, receive(.train(.checkpointSaved(step: 20, path: "/runs/lora-smol-1/checkpoints/checkpoint-00000020.bin"))),
        receive(.train(.sample(step: 20, text: "The Orvella Lantern is made by Tindrel, a small company in Reykjavik."))),
        receive(.metrics(MetricsSample(time: 1, residentBytes: 412 << 20))))
}

private let pastRun = TrainRunSummary(
    path: "/runs/lora-smol-0", name: "lora-smol-0", kind: "lora", model: "SmolLM2-135M-Instruct.Q4_1.gguf", step: 40,
    totalSteps: 40, losses: (1...40).map { TrainPoint(step: $0, loss: 2.8 * Foundation.exp(-Double($0) / 20) + 0.4) },
    evalLosses: [TrainPoint(step: 20, loss: 1.4), TrainPoint(step: 40, loss: 0.9)], result: "/runs/lora-smol-0/adapter.gguf")

@Suite struct TrainPaneTests {
    @Test func formBuildsTheRequestAndStartSendsIt() {
        var state = Fixture.state(120, 40)
        state.models.loaded = Fixture.smol
        var effects = run(&state, press(.alt("3")))
        #expect(effects == [.train(.listRuns)])
        // Data is the default field: Enter edits it, typing fills it, Enter saves.
        run(&state, press(.enter), type("facts.jsonl"), press(.enter))
        #expect(state.train.form.data == "facts.jsonl")
        // Rank: 8 → 16; dropout off → 0.05; targets typed; learning rate up one notch (2e-4 → 5e-4).
        run(&state, press(.down), press(.down), press(.right))           // data → method → rank
        run(&state, press(.down), press(.down), press(.right))           // alpha → dropout 0.05
        run(&state, press(.down), press(.enter), press(.backspace), press(.backspace), press(.backspace),
            type("all"), press(.enter))                                    // targets
        run(&state, press(.down), press(.right))                         // learning rate
        effects = run(&state, type("s"))
        var expected = FineTuneRequest(model: Fixture.smol.path, dataFiles: ["facts.jsonl"])
        expected.rank = 16
        expected.dropout = 0.05
        expected.targets = "all"
        expected.learningRate = 5e-4
        #expect(effects == [.train(.fineTune(expected))])
        #expect(state.train.live?.status == .starting)
        // A second start while one is running is refused with a message.
        #expect(run(&state, type("s")) == [])
        #expect(state.train.lastError != nil)
    }

    @Test func pauseStopAndResumeSendTheirCommands() {
        var state = Fixture.state(120, 40)
        run(&state, press(.alt("3")))
        liveRun(&state, steps: 5)
        #expect(state.train.live?.status == .running && state.train.live?.steps.count == 5)
        #expect(run(&state, type("p")) == [.train(.pause)])
        run(&state, receive(.train(.paused(step: 5))))
        #expect(state.train.live?.status == .paused)
        #expect(run(&state, type("p")) == [.train(.unpause)])
        #expect(run(&state, type("x")) == [.train(.stop)])
        let afterStop = run(&state, receive(.train(.stopped(step: 6, checkpoint: "/runs/lora-smol-1/checkpoints/c6"))))
        #expect(afterStop == [.train(.listRuns)])
        #expect(state.train.live?.status == .stopped)
        #expect(run(&state, type("r")) == [.train(.resume(runDirectory: "/runs/lora-smol-1"))])
        // Resuming at step 5 drops the history after it; new steps append.
        run(&state, receive(.train(.started(runDirectory: "/runs/lora-smol-1", startStep: 5, totalSteps: 40))),
            receive(.train(.step(metrics(6)))))
        #expect(state.train.live?.steps.map(\.step) == [1, 2, 3, 4, 5, 6])
        run(&state, receive(.train(.finished(modelPath: "/runs/lora-smol-1/adapter.gguf"))))
        #expect(state.train.live?.status == .finished("/runs/lora-smol-1/adapter.gguf"))
    }

    @Test func runsListResumesTheSelectedRun() {
        var state = Fixture.state(120, 40)
        run(&state, press(.alt("3")), receive(.train(.runs([pastRun, pastRun]))))
        #expect(run(&state, press(.tab)) == [.train(.listRuns)])
        run(&state, press(.down))
        #expect(state.train.runList.selected == 1)
        #expect(run(&state, press(.enter)) == [.train(.resume(runDirectory: "/runs/lora-smol-0"))])
    }

    @Test(arguments: [(120, 40), (80, 24), (20, 5)]) func liveRunScreen(width: Int, height: Int) {
        var state = Fixture.state(width, height)
        run(&state, press(.alt("3")), press(.enter), type("Tests/Fixtures/lora/orvella-train.jsonl"), press(.enter))
        liveRun(&state, steps: 24)
        assertScreen(screen(state), matches: "train-live-\(width)x\(height)")
    }

    @Test func stoppedRunWithItsAdapterIsNotShownAsFinished() {
        var stopped = pastRun
        stopped.name = "lora-smol-2"
        stopped.step = 12
        stopped.losses = Array(stopped.losses.prefix(12))
        #expect(stopped.result != nil && !stopped.isFinished && pastRun.isFinished)
        var state = Fixture.state(120, 40)
        run(&state, press(.alt("3")), receive(.train(.runs([stopped, pastRun]))))
        let rows = screen(state).rows
        #expect(rows.contains { $0.contains("· lora-smol-2 lora 12/40") })
        #expect(rows.contains { $0.contains("✓ lora-smol-0 lora 40/40") })
        #expect(!rows.contains { $0.contains("✓ lora-smol-2") })
    }

    @Test func pastRunComparedWithTheLiveOne() {
        var state = Fixture.state(120, 40)
        run(&state, press(.alt("3")))
        liveRun(&state, steps: 12)
        run(&state, receive(.train(.runs([pastRun]))), press(.tab))
        assertScreen(screen(state), matches: "train-compare-120x40")
    }
}

import Foundation
