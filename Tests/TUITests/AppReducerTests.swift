// App-level keys: panes, help, palette, themes, mouse, models and metrics events.
import Bus
import Screen
import Testing
import TUI

@Test func panesSwitchByAltNumberFunctionKeyAndMouse() {
    var state = Fixture.state()
    run(&state, press(.alt("2")))
    #expect(state.pane == .models)
    run(&state, press(.function(6)))
    #expect(state.pane == .metrics)
    run(&state, receive(.mouse(MouseEvent(x: 2, y: 0, kind: .press))))
    #expect(state.pane == .chat)
}

@Test func questionMarkOpensHelpOutsideTextFieldsAndTypesInside() {
    var state = Fixture.state()
    run(&state, type("?"))
    #expect(state.chat.input.text == "?")
    #expect(state.overlay == nil)
    run(&state, press(.alt("2")), type("?"))
    #expect(state.overlay == .help(scroll: 0))
    run(&state, press(.function(1)))
    #expect(state.overlay == nil)
    run(&state, press(.function(1)), press(.escape))
    #expect(state.overlay == nil)
}

@Test func paletteFiltersAndRunsTheChosenCommand() {
    var state = Fixture.state()
    Fixture.exchange(&state, "hi", ["x"])
    run(&state, press(.ctrl("p")), type("regen"))
    guard case .palette(let palette) = state.overlay else { Issue.record("no palette"); return }
    #expect(paletteItems(state, filter: palette.filter.text).map(\.title) == ["Regenerate the last reply"])
    let effects = run(&state, press(.enter))
    guard case .chat(.send(let request))? = effects.first else { Issue.record("no send"); return }
    #expect(request.kind == .regenerate)
    #expect(state.overlay == nil)
}

@Test func f9CyclesThemes() {
    var state = Fixture.state()
    run(&state, press(.function(9)))
    #expect(state.themeName == "light")
    run(&state, press(.function(9)), press(.function(9)))
    #expect(state.themeName == "dark")
}

@Test func ctrlZAsksToSuspend() {
    var state = Fixture.state()
    #expect(run(&state, press(.ctrl("z"))) == [.suspend])
}

@Test func modelsLoadWithProgressAndUnload() {
    var state = Fixture.state()
    run(&state, press(.alt("2")), receive(.model(.available([Fixture.smol, Fixture.gemma]))))
    let effects = run(&state, press(.down), press(.enter))
    #expect(effects == [.model(.load(path: Fixture.gemma.path))])
    run(&state, receive(.model(.progress(path: Fixture.gemma.path, fraction: 0.5))))
    #expect(state.models.loading?.fraction == 0.5)
    run(&state, receive(.model(.loaded(Fixture.gemma))))
    #expect(state.models.loaded == Fixture.gemma)
    #expect(state.models.loading == nil)
    #expect(run(&state, type("u")) == [.model(.unload)])
    #expect(run(&state, type("r")) == [.model(.scan)])
}

@Test func metricsKeepABoundedHistory() {
    var state = Fixture.state()
    run(&state, Fixture.metricsSamples(300))
    #expect(state.metrics.samples.count == 240)
    #expect(state.metrics.samples.last?.time == 299)
}

@Test func mouseWheelScrollsTheTranscript() {
    var state = Fixture.state()
    for i in 0..<10 { Fixture.exchange(&state, "question \(i)", ["answer \(i)"]) }
    run(&state, receive(.mouse(MouseEvent(x: 40, y: 10, kind: .scrollUp))))
    #expect(state.chat.scroll == 3)
    run(&state, receive(.mouse(MouseEvent(x: 40, y: 10, kind: .scrollDown))))
    #expect(state.chat.scroll == 0)
}
