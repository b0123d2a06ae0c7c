// End to end with the Hub look-alike (HF_ENDPOINT on 127.0.0.1): in the real TUI, search the Hub, list a
// repository's files, download one, chat with the loaded model while the download runs (its progress in the
// status bar), then load the downloaded model. And `lathe pull` on a terminal draws one progress bar in place.
import Foundation
import LatheTestSupport
import Testing

private let smolSHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"

@Test func latheTUISearchesDownloadsWhileChattingThenLoads() async throws {
    let file = "tiny-smol-Q4_1.gguf"
    let server = try HubTestServer(repos: [.init("test/tiny-smol-gguf", files: [.local(file, from: TestPaths.smollm2, sha256: smolSHA256)],
                                                 // 5 MB, then silence until the client's 30 s stall timeout and a
                                                 // Range retry: the download is still running when the chat pane
                                                 // is checked, however loaded the machine.
                                                 downloads: 3, faults: ["rate": 12_000_000, "stall_after": 5_000_000,
                                                                        "stall_times": 1, "stall_seconds": 900])])
    defer { server.stop() }
    let root = try scratch("hub-e2e")
    defer { try? FileManager.default.removeItem(atPath: root) }
    let models = root + "/models"
    try FileManager.default.createDirectory(atPath: models, withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: models + "/SmolLM2-135M-Instruct.Q4_1.gguf", withDestinationPath: TestPaths.smollm2)
    let tmux = TmuxSession("hub-e2e")
    let lathe = TmuxSession.latheCommand(root: root, models: models, environment: ["HF_ENDPOINT": server.endpoint, "HF_TOKEN": ""])
    try tmux.start(lathe + "; echo LATHE-EXITED $?; sleep 600")
    defer { tmux.kill() }

    try await tmux.waitFor("SmolLM2", seconds: 60)
    try tmux.keys("M-2")
    try await tmux.waitFor("Hugging Face Hub")
    try tmux.text("/tiny")
    try tmux.keys("Enter")
    try await tmux.waitFor("test/tiny-smol-gguf")                       // results; focus moved to them
    try tmux.keys("Enter")
    try await tmux.waitFor("Q4_1 row with its RAM verdict") { $0.contains("Q4_1") && $0.contains("fits") }
    try tmux.keys("Enter")                                         // download it
    try await tmux.waitFor("MiB/s")

    try tmux.keys("M-1")                                           // chat while it downloads
    try await tmux.waitFor("download progress in the status bar") { $0.split(separator: "\n").last { !$0.isEmpty }?.contains("↓") == true }
    try tmux.text("What is the capital of France?")
    try tmux.keys("Enter")
    try await tmux.waitFor("first token", seconds: 120)

    try tmux.keys("M-2")
    try await tmux.waitFor("installed · Enter loads", seconds: 180)
    try tmux.keys("Enter")                                         // load the downloaded model
    try await tmux.waitFor("the new model in the status bar") {
        $0.split(separator: "\n").last { !$0.isEmpty }?.contains("● \(file)") == true
    }
    #expect(try await offPool { try Run.process("/usr/bin/env", ["cmp", "-s", models + "/" + file, TestPaths.smollm2]).status } == 0)
    #expect(FileManager.default.fileExists(atPath: models + "/manifest.json"))
    try tmux.keys("C-q")
    try await tmux.waitFor("LATHE-EXITED 0")
}

@Test func lathePullDrawsOneProgressBarOnATerminal() async throws {
    let server = try HubTestServer(repos: [.init("test/bar-gguf", files: [.local("bar-Q4_1.gguf", from: TestPaths.smollm2, sha256: smolSHA256)],
                                                 faults: ["rate": 25_000_000])])
    defer { server.stop() }
    let dir = try scratch("pull-bar")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let tmux = TmuxSession("pull-e2e")
    let command = "env HF_ENDPOINT=\(server.endpoint) HF_TOKEN= TERM=tmux-256color \(TestPaths.latheBinary) pull "
        + "test/bar-gguf --models-dir \(dir); echo PULL-EXITED $?; sleep 600"
    try tmux.start(command, width: 110, height: 40)  // tall: retry lines under load must not scroll the result away
    defer { tmux.kill() }
    try await tmux.waitFor("one progress bar, redrawn in place") { screen in
        let bars = screen.split(separator: "\n").filter { $0.contains("░") }
        return bars.count == 1 && bars[0].contains("MB/s") && bars[0].contains("ETA")
    }
    try await tmux.waitFor("PULL-EXITED 0", seconds: 180)
    let screen = tmux.screen()
    #expect(screen.contains("verified sha256") && screen.contains("installed \(dir)/bar-Q4_1.gguf"))
    #expect(!screen.contains("█"))                                 // the bar was cleared, not left behind
}
