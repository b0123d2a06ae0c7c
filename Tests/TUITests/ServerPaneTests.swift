// The Metrics pane's server section: `s` asks to serve the loaded model (or explains that one must be
// loaded), status events update it live, `s` again stops it; golden screens while serving.
import Bus
import Screen
import Testing
import TUI

private func serving(_ width: Int, _ height: Int) -> (AppState, [Effect]) {
    var state = Fixture.state(width, height)
    state.models.loaded = Fixture.smol
    var effects = run(&state, press(.alt("5")), Fixture.metricsSamples(30), type("s"))
    effects += run(&state, receive(.server(.starting(model: "SmolLM2-135M-Instruct.Q4_1"))),
                   receive(.server(.started(url: "http://127.0.0.1:8080", model: "SmolLM2-135M-Instruct.Q4_1"))))
    for i in 0..<40 {
        let status = ServerStatus(requests: 3 * i, failedRequests: i / 10, inFlight: 4 + i % 3,
                                  activeSequences: 4, slots: 4, waiting: i % 3, promptTokens: 40 * i,
                                  generatedTokens: 120 * i, tokensPerSecond: 100 + Double(i % 7) * 20,
                                  kvUsed: 900, kvCapacity: 8192, lastTimeToFirstToken: 0.143)
        effects += run(&state, receive(.server(.status(status))))
    }
    return (state, effects)
}

@Test func serveKeyStartsTheLoadedModel() {
    let (state, effects) = serving(120, 40)
    #expect(effects == [.server(.start(modelPath: Fixture.smol.path, ServerSettings()))])
    #expect(state.metrics.server.phase == .running && state.metrics.server.throughput.count == 40)
    #expect(state.metrics.server.status.requests == 117)
}

@Test func serveKeyAgainStops() {
    var (state, _) = serving(80, 24)
    #expect(run(&state, type("s")) == [.server(.stop)])
    #expect(state.metrics.server.phase == .stopping)
    _ = run(&state, receive(.server(.stopped)))
    #expect(state.metrics.server.phase == .stopped && state.metrics.server.url == nil)
}

@Test func serveWithoutModelExplains() {
    var state = Fixture.state(120, 40)
    #expect(run(&state, press(.alt("5")), type("s")).isEmpty)
    #expect(state.metrics.server.lastError?.contains("load a model first") == true)
}

@Test func serverFailureIsShown() {
    var state = Fixture.state(120, 40)
    state.models.loaded = Fixture.smol
    _ = run(&state, press(.alt("5")), type("s"), receive(.server(.failed("server on 127.0.0.1:8080 stopped: address in use"))))
    #expect(state.metrics.server.phase == .stopped)
    assertScreen(screen(state), matches: "metrics-server-failed-120x40")
}

@Test(arguments: [(120, 40), (80, 24), (20, 5)]) func metricsWhileServing(width: Int, height: Int) {
    assertScreen(screen(serving(width, height).0), matches: "metrics-serving-\(width)x\(height)")
}

@Test func modelsPaneShowsTheRemoteEndpoint() {
    var state = Fixture.state(80, 24)
    state.models.remote = "http://127.0.0.1:8080 (SmolLM2-135M-Instruct.Q4_1)"
    _ = run(&state, press(.alt("2")), receive(.model(.available([Fixture.smol, Fixture.gemma]))))
    assertScreen(screen(state), matches: "models-remote-80x24")
}
