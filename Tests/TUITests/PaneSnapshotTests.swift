// Golden screens of every pane at 80×24, 120×40 and 20×5, plus overlays and a too-small terminal.
import Bus
import Screen
import Testing
import TUI

private let sizes = [(80, 24), (120, 40), (20, 5)]

private let markdownReply = """
<think>The user greets me; answer warmly and show some formatting.</think>
# Greetings
Hello! Here is **bold** text, `inline code`, 日本語のテキスト and emoji 🎉🚀.
- first point that is long enough to wrap around the narrow transcript column of the pane
- second point
1. numbered
```swift
let answer = 42
```
"""

private func chatWithHistory(_ width: Int, _ height: Int) -> AppState {
    var state = Fixture.state(width, height)
    state.models.loaded = Fixture.smol
    Fixture.exchange(&state, "Say hello with some markdown", [markdownReply])
    Fixture.exchange(&state, "中文也可以吗？😀", ["可以！", "中文和 emoji 都能正确换行显示。"], finish: false)
    run(&state, type("next question"))
    return state
}

@Test(arguments: sizes) func chatEmpty(width: Int, height: Int) {
    assertScreen(screen(Fixture.state(width, height)), matches: "chat-empty-\(width)x\(height)")
}

@Test(arguments: sizes) func chatStreaming(width: Int, height: Int) {
    assertScreen(screen(chatWithHistory(width, height)), matches: "chat-streaming-\(width)x\(height)")
}

@Test func chatThinkingShown() {
    var state = chatWithHistory(120, 40)
    run(&state, press(.escape), press(.ctrl("t")), press(.pageUp))
    assertScreen(screen(state), matches: "chat-thinking-shown-120x40")
}

@Test(arguments: [(120, 40), (80, 24)]) func chatParameters(width: Int, height: Int) {
    var state = Fixture.state(width, height)
    run(&state, press(.ctrl("g")), press(.down), press(.right))
    assertScreen(screen(state), matches: "chat-parameters-\(width)x\(height)")
}

@Test func chatListRenameAt80x24() {
    var state = chatWithHistory(80, 24)
    run(&state, press(.escape), press(.ctrl("n")), press(.ctrl("l")), press(.down), type("r"))
    assertScreen(screen(state), matches: "chat-rename-80x24")
}

@Test(arguments: sizes) func models(width: Int, height: Int) {
    var state = Fixture.state(width, height)
    run(&state, press(.alt("2")), receive(.model(.available([Fixture.smol, Fixture.gemma]))),
        receive(.model(.loaded(Fixture.smol))), press(.down), press(.enter),
        receive(.model(.progress(path: Fixture.gemma.path, fraction: 0.4))))
    assertScreen(screen(state), matches: "models-\(width)x\(height)")
}

@Test(arguments: sizes) func metrics(width: Int, height: Int) {
    var state = Fixture.state(width, height)
    Fixture.exchange(&state, "hi", ["a", "b"])
    run(&state, press(.alt("5")), Fixture.metricsSamples(90))
    assertScreen(screen(state), matches: "metrics-\(width)x\(height)")
}

@Test(arguments: sizes) func train(width: Int, height: Int) {
    var state = Fixture.state(width, height)
    run(&state, press(.alt("3")))
    assertScreen(screen(state), matches: "train-\(width)x\(height)")
}

@Test(arguments: sizes) func quantize(width: Int, height: Int) {
    var state = QuantizeFixture.running(width, height)
    assertScreen(screen(state), matches: "quantize-\(width)x\(height)")
    run(&state, QuantizeFixture.finish(), press(.char("e")), QuantizeFixture.evaluated())
    assertScreen(screen(state), matches: "quantize-finished-\(width)x\(height)")
}

@Test(arguments: [(80, 24), (20, 5)]) func helpOverlay(width: Int, height: Int) {
    var state = Fixture.state(width, height)
    run(&state, press(.function(1)))
    assertScreen(screen(state), matches: "help-\(width)x\(height)")
}

@Test func paletteAt80x24() {
    var state = Fixture.state()
    run(&state, press(.ctrl("p")), type("con"))
    assertScreen(screen(state), matches: "palette-80x24")
}

@Test func tooSmallTerminal() {
    assertScreen(screen(Fixture.state(12, 3)), matches: "too-small-12x3")
}

@Test func everyPaneAndOverlayRendersAtAnySizeWithoutTrapping() {
    for width in [0, 1, 2, 5, 19, 20, 21, 33, 61, 79, 101] {
        for height in [0, 1, 3, 4, 5, 6, 8, 9, 13, 15, 21] {
            var base = chatWithHistory(80, 24)
            run(&base, Fixture.metricsSamples(5), resize(width, height))
            for script in [press(.alt("1")), press(.alt("2")), press(.alt("3")), press(.alt("4")), press(.alt("5")),
                           press(.function(1)), press(.ctrl("p")), press(.ctrl("g")), press(.ctrl("l")),
                           press(.ctrl("s"))] {
                var state = base
                run(&state, script)
                _ = screen(state)
            }
        }
    }
}

@Test func statusBarHintsComeFromTheKeymap() {
    let state = Fixture.state()
    let bottom = screen(state).rows.last ?? ""
    #expect(bottom.contains("Enter send"))
    #expect(bottom.contains("Ctrl-Q quit"))
}
