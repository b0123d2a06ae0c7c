// The Quantize pane as a user drives it: pick a model and a type (each change asks for an estimate), start,
// follow tensors and progress, cancel, evaluate; and the output naming.
import Bus
import Screen
import Testing
import TUI

enum QuantizeFixture {
    static let output = "models/SmolLM2-135M-Instruct.Q4_K_M.gguf"

    static func rows(_ range: Range<Int>) -> [Msg] {
        range.map { i in
            let layer = i / 9
            let names = ["attn_k", "attn_norm", "attn_output", "attn_q", "attn_v", "ffn_down", "ffn_gate", "ffn_norm", "ffn_up"]
            let name = "blk.\(layer).\(names[i % 9]).weight"
            let oneD = name.contains("norm")
            return .quantize(.tensor(QuantizeTensorRow(
                index: i, name: name, shape: oneD ? [576] : [576, 1536], from: oneD ? "F32" : "Q4_1",
                to: oneD ? "F32" : (names[i % 9] == "ffn_down" ? "Q6_K" : "Q5_0"), relativeError: oneD ? nil : 0.0123 + Double(i) / 10_000)))
        }
    }

    /// Alt-4, SmolLM2 chosen (the list has two models), estimate in, started, 20 tensors done, 31%.
    static func running(_ width: Int, _ height: Int) -> AppState {
        var state = Fixture.state(width, height)
        run(&state, receive(.model(.available([Fixture.smol, Fixture.gemma]))), press(.alt("4")),
            receive(.quantize(.estimate(QuantizeEstimate(input: Fixture.smol.path, type: "Q4_K_M", inputBytes: 98_362_432,
                                                         outputBytes: 107_163_680, tensors: 272, requantizes: true)))),
            press(.enter),
            receive(.quantize(.started(QuantizeRequest(input: Fixture.smol.path, output: output, type: "Q4_K_M"), tensors: 272))),
            rows(0..<20), receive(.quantize(.progress(fraction: 0.312, elapsedSeconds: 1.5, etaSeconds: 3.3))))
        return state
    }

    static func finish() -> [Msg] {
        rows(20..<272) + [.quantize(.progress(fraction: 1, elapsedSeconds: 4.2, etaSeconds: 0)),
                          .quantize(.finished(output: output, bytes: 107_163_680, seconds: 4.2))]
    }

    static func evaluated() -> [Msg] {
        [.quantize(.evaluating(done: 8, total: 8)),
         .quantize(.evaluated(QuantizeEvaluation(basePPL: 20.8565, quantizedPPL: 21.4321, meanKLD: 0.04213, top1Agreement: 0.9134)))]
    }
}

@Suite struct QuantizeReducerTests {
    @Test func choosingModelAndTypeAsksForEstimates() {
        var state = Fixture.state()
        run(&state, receive(.model(.available([Fixture.smol, Fixture.gemma]))))
        #expect(run(&state, press(.alt("4"))) == [.quantize(.estimate(input: Fixture.smol.path, type: "Q4_K_M"))])
        #expect(state.scope == .quantize)
        #expect(run(&state, press(.down)) == [.quantize(.estimate(input: Fixture.gemma.path, type: "Q4_K_M"))])
        #expect(run(&state, press(.down)).isEmpty)  // already the last model
        #expect(run(&state, press(.right)) == [.quantize(.estimate(input: Fixture.gemma.path, type: "Q4_K_S"))])
        #expect(run(&state, press(.char("h")), press(.char("h"))) == [
            .quantize(.estimate(input: Fixture.gemma.path, type: "Q4_K_M")),
            .quantize(.estimate(input: Fixture.gemma.path, type: "Q5_0"))])
        #expect(run(&state, press(.left)).count == 1 && state.quantize.type == "Q5_1")
    }

    @Test func startFollowAndFinish() {
        var state = QuantizeFixture.running(80, 24)
        #expect(state.quantize.isRunning && state.quantize.rows.count == 20 && state.quantize.tensorCount == 272)
        // Enter while running starts nothing; the evaluation waits for a finished file.
        #expect(run(&state, press(.enter), press(.char("e"))).isEmpty)
        let effects = run(&state, QuantizeFixture.finish())
        #expect(effects == [.model(.scan)])  // the new file shows up in the model lists
        #expect(state.quantize.status == .finished(output: QuantizeFixture.output, bytes: 107_163_680, seconds: 4.2))
        #expect(run(&state, press(.char("e"))) == [.quantize(.evaluate(base: Fixture.smol.path, quantized: QuantizeFixture.output))])
        #expect(run(&state, press(.char("e"))).isEmpty)  // one evaluation at a time
        run(&state, QuantizeFixture.evaluated())
        #expect(state.quantize.evaluation?.meanKLD == 0.04213 && state.quantize.evaluating == nil)
    }

    @Test func cancelOnceThenCancelled() {
        var state = QuantizeFixture.running(80, 24)
        #expect(run(&state, press(.escape)) == [.quantize(.cancel)])
        #expect(run(&state, press(.char("c"))).isEmpty)
        run(&state, receive(.quantize(.cancelled)))
        #expect(state.quantize.status == .cancelled)
        #expect(run(&state, press(.enter)).count == 1)  // can start again
    }

    @Test func failuresAreShown() {
        var state = QuantizeFixture.running(80, 24)
        run(&state, receive(.quantize(.failed("cannot write 'x': No space left on device"))))
        #expect(state.quantize.status == .failed("cannot write 'x': No space left on device"))
        run(&state, receive(.quantize(.failed("unknown type"))))
        #expect(state.quantize.lastError == "unknown type")
        #expect(screen(state).rows.joined().contains("failed: cannot write 'x'"))
    }

    @Test func outputNamesReplaceTheTypeSuffix() {
        #expect(QuantizeState.outputPath(input: "models/SmolLM2-135M-Instruct.Q4_1.gguf", type: "Q8_0")
                == "models/SmolLM2-135M-Instruct.Q8_0.gguf")
        #expect(QuantizeState.outputPath(input: "/m/gemma3-270m-Q4_K_M.gguf", type: "F16") == "/m/gemma3-270m.F16.gguf")
        #expect(QuantizeState.outputPath(input: "plain.gguf", type: "Q4_0") == "plain.Q4_0.gguf")
        #expect(QuantizeState.outputPath(input: "/m/x.Q4_0.gguf", type: "Q4_0") == "/m/x.Q4_0-requantized.gguf")
    }

    @Test func keysAreInTheHelp() {
        let helps = Keymap.bindings(.quantize).map(\.help)
        #expect(helps.contains("Cancel the quantization (no partial file is left)"))
        #expect(paletteItems(QuantizeFixture.running(80, 24), filter: "kl divergence").count == 1)
    }
}
