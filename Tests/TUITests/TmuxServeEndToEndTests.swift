// End to end: the real `lathe` binary in tmux serves its loaded model from the Metrics pane on the address given
// by --serve-port, then the Models pane points the chat at that same server at run time (`e`), so a question goes
// TUI → HTTP → the server's engine → SSE → the chat pane, and the Metrics pane counts the requests. An empty
// endpoint returns the chat to the local engine; stopping the server frees the port.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LatheTestSupport
import Testing

@Test func latheTUIServesAndChatsThroughAnEndpointChosenAtRunTime() async throws {
    let tmux = TmuxSession("serve")
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-serve-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: root) }
    let arguments = ["--serve-port", "0", "--serve-parallel", "2", "--serve-ctx", "1024"]
    try tmux.start(TmuxSession.latheCommand(root: root, arguments: arguments) + "; echo LATHE-EXITED $?; sleep 600")
    defer { tmux.kill() }

    try await tmux.waitFor("SmolLM2", seconds: 60)
    try tmux.keys("M-5")
    try await tmux.waitFor("s serves the loaded model on 127.0.0.1:0/v1 (2 slots × 1024)")
    try tmux.keys("s")
    try await tmux.waitFor("● serving", seconds: 60)
    let match = tmux.screen().firstMatch(of: /127\.0\.0\.1:(\d+)\/v1/)
    let port = try #require(match.flatMap { Int($0.1) }, "no port on screen:\n\(tmux.screen())")
    #expect(port != 0)
    let url = "http://127.0.0.1:\(port)"

    try tmux.keys("M-2")
    try await tmux.waitFor("Local models")
    try tmux.keys("e")
    try await tmux.waitFor("Remote: ")
    try tmux.text(url)
    try tmux.keys("Enter")
    try await tmux.waitFor("the remote endpoint in use", seconds: 30) {   // the line wraps in the 46-column list
        $0.contains("chat uses remote \(url)") && $0.contains("(SmolLM2-135M-Instruct.Q4_1)")
    }

    try tmux.keys("M-1")
    try tmux.text("What is the capital of France?")
    try tmux.keys("Enter")
    try await tmux.waitFor("first token", seconds: 120)                 // the streamed reply finished with figures
    try tmux.keys("M-5")
    // GET /v1/models when connecting and the chat's POST: both reached the server, neither failed.
    try await tmux.waitFor("the chat's requests counted") { $0.contains(/req [2-9]\d* \(0 err\)/) }

    try tmux.keys("M-2")
    try tmux.keys("e")
    try await tmux.waitFor("URL [model] · Enter uses it")      // the field starts with "URL MODEL" in use
    for _ in 0..<80 { try tmux.keys("BSpace") }
    try tmux.keys("Enter")
    try await tmux.waitFor("back to the local engine") {
        !$0.contains("Remote: ") && !$0.contains("chat uses remote") && !$0.contains("connecting")
    }

    try tmux.keys("M-5")
    try tmux.keys("s")
    try await tmux.waitFor("s serves the loaded model on 127.0.0.1:0/v1", seconds: 30)
    let probe = try? await URLSession.shared.data(from: URL(string: url + "/health")!)
    #expect(probe == nil, "the stopped server still answers")

    try tmux.keys("C-q")
    try await tmux.waitFor("LATHE-EXITED 0")
}
