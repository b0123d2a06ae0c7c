// End to end: the real `lathe` binary in tmux (120×40) with the default model. Sends a question and sees
// the streamed answer, switches panes, resizes to 20×5 and back, stops a generation with Esc, quits cleanly.
// Polls the screen (this drives a real process); needs tmux, the built binary and the default model,
// which the README's test command installs and builds first.
import Foundation
import LatheTestSupport
import Testing

private struct Tmux {
    let session = "lathe-e2e-\(getpid())"

    @discardableResult
    func run(_ arguments: [String]) throws -> String {
        try Run.process("/usr/bin/env", ["tmux"] + arguments).stdout
    }

    func screen() -> String { (try? run(["capture-pane", "-t", session, "-p"])) ?? "" }

    func keys(_ keys: String...) throws { try run(["send-keys", "-t", session] + keys) }
    func text(_ text: String) throws { try run(["send-keys", "-t", session, "-l", text]) }

    /// Polls the pane until `condition` holds, or fails after `seconds`. Synchronous on purpose: an async
    /// poll can be starved for minutes by CPU-bound tests holding the concurrency pool's two threads.
    func waitFor(_ what: String, seconds: Double = 30, sourceLocation: SourceLocation = #_sourceLocation,
                 _ condition: (String) -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition(screen()) { return }
            usleep(100_000)
        }
        if condition(screen()) { return }
        Issue.record("timed out waiting for \(what); the screen was:\n\(screen())", sourceLocation: sourceLocation)
        throw TimedOut()
    }

    struct TimedOut: Error {}

    func waitFor(_ text: String, seconds: Double = 30, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try waitFor("'\(text)'", seconds: seconds, sourceLocation: sourceLocation) { $0.contains(text) }
    }
}

@Test func latheTUIChatsSwitchesResizesStopsAndQuits() throws {
    let tmux = Tmux()
    let data = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-e2e-\(UUID().uuidString)").path
    let command = "env LATHE_DATA_DIR=\(data)/data LATHE_CONFIG_DIR=\(data)/config LATHE_MODELS_DIR="
        + "\(TestPaths.modelsDirectory.path) TERM=tmux-256color \(TestPaths.latheBinary); echo LATHE-EXITED $?; sleep 600"
    try tmux.run(["new-session", "-d", "-s", tmux.session, "-x", "120", "-y", "40", command])
    defer { _ = try? tmux.run(["kill-session", "-t", tmux.session]) }

    try tmux.waitFor("SmolLM2", seconds: 60)                       // default model loaded, name in status bar
    try tmux.text("What is the capital of France?")
    try tmux.keys("Enter")
    try tmux.waitFor("first token", seconds: 120)                  // the reply finished with its figures
    #expect(tmux.screen().contains("Assistant"))

    try tmux.keys("M-5")
    try tmux.waitFor("Generation tok/s")
    try tmux.keys("M-2")
    try tmux.waitFor("Local models")
    try tmux.run(["resize-window", "-t", tmux.session, "-x", "20", "-y", "5"])
    try tmux.waitFor("narrow tab bar") { $0.contains("1 Chat") && !$0.contains("Local models") }
    try tmux.run(["resize-window", "-t", tmux.session, "-x", "120", "-y", "40"])
    try tmux.waitFor("Local models")

    try tmux.keys("M-1")
    try tmux.text("Write a very long story about a dragon.")
    try tmux.keys("Enter")
    try tmux.waitFor("generating…", seconds: 60)
    try tmux.keys("Escape")
    try tmux.waitFor("input ready") { !$0.contains("generating…") && $0.contains("Message") }

    try tmux.keys("C-q")
    try tmux.waitFor("LATHE-EXITED 0")
}
