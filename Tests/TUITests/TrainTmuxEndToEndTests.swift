// End to end: the real `lathe` TUI in tmux starts a small LoRA fine-tune of SmolLM2 from the Train pane (batch 1,
// 96-token cutoff, no samples: seconds a step), watches the loss chart fill in, stops the run (checkpoint and
// adapter saved), resumes it from the checkpoint, sees the resumed run's next step, stops again and quits.
import Foundation
import LatheTestSupport
import Testing

/// The form row `label`, as drawn (label padded to the form's label column).
private func formRow(_ label: String, _ value: String) -> String { label.padding(toLength: 14, withPad: " ", startingAt: 0) + value }

/// The step number shown in the monitor's "step N/M" line, if any.
private func shownStep(_ screen: String) -> Int? {
    guard let range = screen.range(of: #"step (\d+)/\d+"#, options: .regularExpression) else { return nil }
    return Int(screen[range].dropFirst(5).prefix { $0.isNumber })
}

/// The monitor's title line: "Run NAME · STATUS".
private func monitorStatus(_ screen: String) -> String? {
    guard let range = screen.range(of: #"Run lora-\S+ · [a-z]+"#, options: .regularExpression) else { return nil }
    return String(screen[range].split(separator: " ").last!)
}

private func hasBraille(_ screen: String) -> Bool { screen.unicodeScalars.contains { (0x2801...0x28FF).contains($0.value) } }

@Test func trainPaneStartsWatchesStopsAndResumesAFineTune() async throws {
    try #require(FileManager.default.fileExists(atPath: TestPaths.smollm2), "missing \(TestPaths.smollm2)")
    let tmux = TmuxSession("train-e2e")
    let data = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-train-e2e-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: data) }
    try tmux.start(TmuxSession.latheCommand(root: data) + "; echo LATHE-EXITED $?; sleep 600")
    defer { tmux.kill() }

    try await tmux.waitFor("the model", seconds: 60) { $0.contains("SmolLM2") }
    try tmux.keys("M-3")
    try await tmux.waitFor("the Train pane", seconds: 10) { $0.contains("New fine-tune") }
    // The Data field is selected first: Enter edits it. The edit mode is awaited before typing, so Enter, the path
    // and Enter never arrive in one read (which the input decoder would take for a multi-line paste).
    try tmux.keys("Enter")
    try await tmux.waitFor("the Data field in edit mode", seconds: 10) { $0.contains("Enter save · Esc cancel") }
    try tmux.text(TestPaths.fixture("lora/orvella-train.jsonl").path)
    try tmux.keys("Enter")
    try await tmux.waitFor("the data path saved", seconds: 10) {
        $0.contains(formRow("Data", "/")) && $0.contains("s start ·")
    }
    // A small run: 3 epochs (Data → Epochs is 7 rows down; 267 steps, so neither stop can come after the run
    // ended, however late the key is read), batch 1, cutoff 96 tokens, no sample generations. Plain keys
    // (j: next field, +/-: increase/decrease) rather than arrows, each change awaited before the next.
    try tmux.text("jjjjjjj++")
    try await tmux.waitFor("3 epochs", seconds: 10) { $0.contains(formRow("Epochs", "3 ")) }
    try tmux.text("j---")
    try await tmux.waitFor("batch 1", seconds: 10) { $0.contains(formRow("Batch", "1 ")) }
    try tmux.text("j-----")
    try await tmux.waitFor("cutoff 96", seconds: 10) { $0.contains(formRow("Cutoff", "96 tokens")) }
    try tmux.text("jj--")
    try await tmux.waitFor("no samples", seconds: 10) {
        $0.contains(formRow("Batch", "1 ")) && $0.contains(formRow("Cutoff", "96 tokens"))
            && $0.contains(formRow("Sample every", "never")) && $0.contains(formRow("Eval split", "10%"))
    }
    try tmux.text("s")
    try await tmux.waitFor("the loss chart to draw two steps", seconds: 240) {
        (shownStep($0) ?? 0) >= 2 && hasBraille($0) && monitorStatus($0) == "running"
    }

    try tmux.text("x")
    try await tmux.waitFor("the run to stop", seconds: 120) { monitorStatus($0) == "stopped" }
    let stoppedAt = try #require(shownStep(tmux.screen()))
    // Listed as stopped (·), not finished (✓), though it has an adapter (saved at the stop).
    try await tmux.waitFor("the run in the runs list", seconds: 20) { $0.contains("· lora-SmolLM2") }
    #expect(!tmux.screen().contains("✓ lora-SmolLM2"))

    try tmux.text("r")
    try await tmux.waitFor("the resumed run's next step", seconds: 240) {
        (shownStep($0) ?? 0) > stoppedAt && monitorStatus($0) == "running" && hasBraille($0)
    }

    try tmux.text("x")
    try await tmux.waitFor("the second stop", seconds: 120) { monitorStatus($0) == "stopped" }
    let stoppedAgainAt = try #require(shownStep(tmux.screen()))
    try tmux.keys("C-q")
    try await tmux.waitFor("a clean exit", seconds: 30) { $0.contains("LATHE-EXITED 0") }
    // The run directory holds the metrics of both sessions (one line a step) and the adapter saved at the stop.
    let runs = try FileManager.default.contentsOfDirectory(atPath: "\(data)/data/runs")
    try #require(runs.count == 1)
    let run = "\(data)/data/runs/\(runs[0])"
    #expect(FileManager.default.fileExists(atPath: run + "/adapter.gguf"))
    let lines = try String(contentsOfFile: run + "/metrics.jsonl", encoding: .utf8).split(separator: "\n")
    #expect(lines.count == stoppedAgainAt)
    #expect(stoppedAgainAt > stoppedAt)
}
