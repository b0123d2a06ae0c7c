// End to end: the real `lathe` binary in tmux (120×40) with the default model. Sends a question and sees
// the streamed answer, switches panes, resizes to 20×5 and back, stops a generation with Esc, quits cleanly.
// Polls the screen (this drives a real process) with LatheTestSupport's TmuxSession; needs tmux, the built
// binary and the default model, which the README's test command installs and builds first.
import Foundation
import LatheTestSupport
import Testing

@Test func latheTUIChatsSwitchesResizesStopsAndQuits() async throws {
    let tmux = TmuxSession("e2e")
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-e2e-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: root) }
    try tmux.start(TmuxSession.latheCommand(root: root) + "; echo LATHE-EXITED $?; sleep 600")
    defer { tmux.kill() }

    try await tmux.waitFor("SmolLM2", seconds: 60)                       // default model loaded, name in status bar
    try tmux.text("What is the capital of France?")
    try tmux.keys("Enter")
    try await tmux.waitFor("first token", seconds: 120)                  // the reply finished with its figures
    #expect(tmux.screen().contains("Assistant"))

    try tmux.keys("M-5")
    try await tmux.waitFor("Generation tok/s")
    try tmux.keys("M-2")
    try await tmux.waitFor("Local models")
    try tmux.resize(width: 20, height: 5)
    try await tmux.waitFor("narrow tab bar") { $0.contains("1 Chat") && !$0.contains("Local models") }
    try tmux.resize(width: 120, height: 40)
    try await tmux.waitFor("Local models")

    try tmux.keys("M-1")
    try tmux.text("Write a very long story about a dragon.")
    try tmux.keys("Enter")
    // Esc lands while it streams, once a token shows (a reply stopped before its first token is dropped, figures and all).
    try await tmux.waitFor("tokens streaming", seconds: 60, thenSend: ["Escape"]) {
        $0.range(of: #"generating… [1-9]\d* tokens"#, options: .regularExpression) != nil
    }
    try await tmux.waitFor("input ready, the stopped reply's figures shown") {
        !$0.contains("generating…") && $0.contains("Message") && $0.range(of: stoppedFigures, options: .regularExpression) != nil
    }

    try tmux.keys("C-q")
    try await tmux.waitFor("LATHE-EXITED 0")
}
