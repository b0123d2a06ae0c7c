// End to end: the real `lathe` TUI in tmux starts a LoRA fine-tune of SmolLM2 from the Train pane, watches the
// loss chart fill in, stops the run (checkpoint and adapter saved), resumes it from the checkpoint, and quits.
import Foundation
import LatheTestSupport
import Testing

private struct TrainTmux {
    let session = "lathe-train-e2e-\(getpid())"

    @discardableResult
    func run(_ arguments: [String]) throws -> String { try Run.process("/usr/bin/env", ["tmux"] + arguments).stdout }
    func screen() -> String { (try? run(["capture-pane", "-t", session, "-p"])) ?? "" }
    func keys(_ keys: String...) throws { try run(["send-keys", "-t", session] + keys) }
    func text(_ text: String) throws { try run(["send-keys", "-t", session, "-l", text]) }

    /// Polls synchronously (see TmuxEndToEndTests) until `condition` holds, or records the screen and throws.
    func waitFor(_ what: String, seconds: Double, sourceLocation: SourceLocation = #_sourceLocation,
                 _ condition: (String) -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition(screen()) { return }
            usleep(200_000)
        }
        if condition(screen()) { return }
        Issue.record("timed out waiting for \(what); the screen was:\n\(screen())", sourceLocation: sourceLocation)
        throw TimedOut()
    }

    struct TimedOut: Error {}
}

/// The step number shown in the monitor's "step N/M" line, if any.
private func shownStep(_ screen: String) -> Int? {
    guard let range = screen.range(of: #"step (\d+)/\d+"#, options: .regularExpression) else { return nil }
    return Int(screen[range].dropFirst(5).prefix { $0.isNumber })
}

private func hasBraille(_ screen: String) -> Bool { screen.unicodeScalars.contains { (0x2801...0x28FF).contains($0.value) } }

@Test func trainPaneStartsWatchesStopsAndResumesAFineTune() throws {
    try #require(FileManager.default.fileExists(atPath: TestPaths.smollm2), "missing \(TestPaths.smollm2)")
    let tmux = TrainTmux()
    let data = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-train-e2e-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: data) }
    let command = "env LATHE_DATA_DIR=\(data)/data LATHE_CONFIG_DIR=\(data)/config LATHE_MODELS_DIR="
        + "\(TestPaths.modelsDirectory.path) TERM=tmux-256color \(TestPaths.latheBinary); echo LATHE-EXITED $?; sleep 30"
    try tmux.run(["new-session", "-d", "-s", tmux.session, "-x", "120", "-y", "40", command])
    defer { _ = try? tmux.run(["kill-session", "-t", tmux.session]) }

    try tmux.waitFor("the model", seconds: 60) { $0.contains("SmolLM2") }
    try tmux.keys("M-3")
    try tmux.waitFor("the Train pane", seconds: 10) { $0.contains("New fine-tune") }
    // The Data field is selected first: Enter edits it.
    try tmux.keys("Enter")
    try tmux.text(TestPaths.fixture("lora/orvella-train.jsonl").path)
    try tmux.keys("Enter")
    try tmux.waitFor("the data path", seconds: 10) { $0.contains("orvella") || $0.contains("Tests/Fixtures") }
    try tmux.text("s")
    try tmux.waitFor("the first step", seconds: 180) { (shownStep($0) ?? 0) >= 1 }
    try tmux.waitFor("the loss chart to draw two steps", seconds: 180) { (shownStep($0) ?? 0) >= 2 && hasBraille($0) }
    #expect(tmux.screen().contains("running"))

    try tmux.text("x")
    try tmux.waitFor("the run to stop", seconds: 180) { $0.contains("stopped") }
    let stoppedAt = shownStep(tmux.screen()) ?? 0
    try tmux.waitFor("the run in the runs list", seconds: 20) { $0.contains("lora-SmolLM2") }

    try tmux.text("r")
    try tmux.waitFor("the resumed run's next step", seconds: 240) { (shownStep($0) ?? 0) > stoppedAt && $0.contains("running") }
    #expect(hasBraille(tmux.screen()))

    try tmux.text("x")
    try tmux.waitFor("the second stop", seconds: 180) { $0.contains("stopped") }
    try tmux.keys("C-q")
    try tmux.waitFor("a clean exit", seconds: 30) { $0.contains("LATHE-EXITED 0") }
    // The run directory holds the metrics of both sessions and the adapter saved at the stop.
    let runs = try FileManager.default.contentsOfDirectory(atPath: "\(data)/data/runs")
    try #require(runs.count == 1)
    let run = "\(data)/data/runs/\(runs[0])"
    #expect(FileManager.default.fileExists(atPath: run + "/adapter.gguf"))
    let lines = try String(contentsOfFile: run + "/metrics.jsonl", encoding: .utf8).split(separator: "\n")
    #expect(lines.count > stoppedAt)
}
