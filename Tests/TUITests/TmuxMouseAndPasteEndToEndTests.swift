// End to end in tmux, the real `lathe` TUI's input edges: the mouse wheel scrolls the chat history and clicks switch
// tabs in both mouse report formats ncurses may be told to read (X10 for tmux's terminfo, SGR 1006 for xterm's);
// bracketed paste is turned off again when lathe exits (a paste into the shell afterwards arrives bare); Ctrl-Z
// under a shell without job control stops the whole job for the job-control shell above, and where there is none
// at all, neither stops lathe (nobody could resume it) nor breaks the terminal.
import Bus
import Foundation
import LatheTestSupport
import Testing

/// Saves one conversation under `root`'s data directory, as the workbench saves them: a user message of 80
/// numbered rows and a short reply, far taller than the screen.
private func seedLongConversation(in root: String) throws {
    struct File: Encodable { var version: Int; var conversation: Conversation }
    let rows = (1...80).map { String(format: "row %02d", $0) }.joined(separator: "\n")
    let conversation = Conversation(title: "Scroll test", messages: [
        ConversationMessage(role: .user, text: rows), ConversationMessage(role: .assistant, text: "the end"),
    ], updated: Date(timeIntervalSince1970: 1_700_000_000))
    let directory = root + "/data/conversations"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .iso8601
    try encoder.encode(File(version: 1, conversation: conversation))
        .write(to: URL(fileURLWithPath: directory + "/\(conversation.id.uuidString.lowercased()).json"))
}

/// Lines of the pane that are exactly `text` once the transcript's indent and border are trimmed.
private func showsRow(_ screen: String, _ text: String) -> Bool {
    screen.split(separator: "\n").contains { $0.contains(" \(text) ") || $0.hasSuffix(" \(text)") }
}

@Test(arguments: [("tmux-256color", TmuxSession.MouseFormat.x10), ("xterm-256color", .sgr)])
func theWheelScrollsTheChatAndClicksSwitchTabsAndBracketedPasteEndsWithLathe(
    term: String, format: TmuxSession.MouseFormat
) async throws {
    let label = format == .x10 ? "mouse-x10-e2e" : "mouse-sgr-e2e"
    let root = try scratch(label)
    defer { try? FileManager.default.removeItem(atPath: root) }
    try seedLongConversation(in: root)
    let tmux = try await shellSession(label)
    defer { tmux.kill() }
    // After lathe: one line read from the terminal by the shell's `read` (no line editor, so nothing of its own
    // turns bracketed paste on or off), shown with control characters made visible.
    try enter(tmux, TmuxSession.latheCommand(root: root, environment: ["TERM": term])
              + "; echo LATHE-EXITED $?; IFS= read -r line; printf 'PASTED[%s]\\n' \"$line\" | cat -v")
    try await tmux.waitFor("SmolLM2", seconds: 60)
    try await tmux.waitFor("the newest rows of the opened conversation") { showsRow($0, "the end") && !showsRow($0, "row 01") }
    // ncurses asked the terminal for the format its terminfo names: SGR (1006) for xterm, X10 for tmux.
    #expect(try tmux.display("#{mouse_any_flag} #{mouse_sgr_flag}") == (format == .sgr ? "1 1" : "1 0"))

    try tmux.wheel(up: true, notches: 30, x: 60, y: 20, format: format)
    try await tmux.waitFor("the top of the history after wheeling up") { showsRow($0, "row 01") && !showsRow($0, "the end") }
    try tmux.wheel(up: false, notches: 5, x: 60, y: 20, format: format)
    try await tmux.waitFor("15 rows further down") { !showsRow($0, "row 01") && showsRow($0, "row 16") && !showsRow($0, "the end") }
    try tmux.wheel(up: false, notches: 30, x: 60, y: 20, format: format)
    try await tmux.waitFor("the bottom again") { showsRow($0, "the end") && !showsRow($0, "row 16") }

    let bar = tmux.screen().split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
    let metrics = try #require(bar.range(of: "Metrics"), "no Metrics tab in \(bar)")
    try tmux.click(x: bar.unicodeScalars.distance(from: bar.unicodeScalars.startIndex,
                                                  to: metrics.lowerBound.samePosition(in: bar.unicodeScalars)!) + 1,
                   y: 0, format: format)
    try await tmux.waitFor("Generation tok/s")

    try tmux.keys("C-q")
    try await tmux.waitFor("LATHE-EXITED 0")
    try tmux.paste("after lathe")
    try tmux.keys("Enter")
    try await tmux.waitFor("the paste as the shell read it") { $0.contains("PASTED[") }
    let pasted = tmux.screen().split(separator: "\n").first { $0.hasPrefix("PASTED[") }.map(String.init)
    #expect(pasted == "PASTED[after lathe]", "bracketed paste still on after lathe exited (^[[200~ … ^[[201~ around the text)")
}

/// `stty` settings that must be back to cooked mode after lathe, as one line.
private let sttyLine = #"echo STTY $(stty -a | tr -s " ;" "\n\n" | grep -xE -- "-?(icanon|echo|isig|icrnl|opost|onlcr)" | sort | tr "\n" " ")"#

/// Whether the line `sttyLine` prints is on screen (not just the command line that contains it).
private func sttyPrinted(_ screen: String) -> Bool {
    screen.split(separator: "\n").contains { $0.hasPrefix("STTY ") && !$0.contains("$(") }
}

@Test func ctrlZUnderAShellWithoutJobControlStopsTheWholeJobAndFgResumesIt() async throws {
    let root = try scratch("shjob-e2e")
    defer { try? FileManager.default.removeItem(atPath: root) }
    let tmux = try await shellSession("shjob-e2e")
    defer { tmux.kill() }
    // lathe under `sh -c` (a list, so sh cannot exec it): sh has no job control, so lathe shares its process group.
    // Stopping lathe alone would leave bash waiting on a running sh, with nothing on the terminal.
    try enter(tmux, "sh -c '" + TmuxSession.latheCommand(root: root) + "; echo LATHE-EXITED $?; " + sttyLine + "'")
    try await tmux.waitFor("SmolLM2", seconds: 60)
    try tmux.keys("M-2")
    try await tmux.waitFor("Local models")
    try tmux.keys("C-z")
    try await tmux.waitFor("bash's job report, the TUI gone") { $0.contains("Stopped") && !$0.contains("Local models") }
    #expect(try tmux.display("#{alternate_on} #{mouse_any_flag}") == "0 0")
    try enter(tmux, "fg")
    try await tmux.waitFor("the Models pane redrawn") { $0.contains("Local models") && $0.contains("SmolLM2") }
    try tmux.keys("M-5")                                                              // still takes keys
    try await tmux.waitFor("Generation tok/s")
    try tmux.keys("C-q")
    try await tmux.waitFor("the stty line") { sttyPrinted($0) }
    let lines = tmux.screen().split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
    #expect(lines.contains("LATHE-EXITED 0"))                                         // sh went on after lathe
    #expect(lines.contains("STTY echo icanon icrnl isig onlcr opost"))
}

@Test func ctrlZWithNoJobControlAnywhereKeepsRunningAndSaysSo() async throws {
    let root = try scratch("nojobs-e2e")
    defer { try? FileManager.default.removeItem(atPath: root) }
    // The pane's own command: a non-interactive shell leading its session runs lathe. No shell could `fg` a stopped
    // lathe (the kernel discards the stop of an orphaned group anyway): Ctrl-Z must not stop or break anything.
    let tmux = TmuxSession("nojobs-e2e")
    try tmux.start(TmuxSession.latheCommand(root: root) + "; echo LATHE-EXITED $?; " + sttyLine + "; sleep 600")
    defer { tmux.kill() }
    try await tmux.waitFor("SmolLM2", seconds: 60)
    try tmux.keys("M-2")
    try await tmux.waitFor("Local models")
    try tmux.keys("C-z")
    try await tmux.waitFor("the notice that Ctrl-Z does nothing here") { $0.contains("no job control") && $0.contains("Local models") }
    #expect(try tmux.display("#{alternate_on} #{mouse_any_flag}") == "1 1")
    try tmux.keys("M-5")                                                              // still takes keys
    try await tmux.waitFor("Generation tok/s")
    try tmux.keys("C-q")
    try await tmux.waitFor("the stty line") { sttyPrinted($0) }
    let lines = tmux.screen().split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
    #expect(lines.contains("LATHE-EXITED 0"))
    #expect(lines.contains("STTY echo icanon icrnl isig onlcr opost"))
    #expect(try tmux.display("#{alternate_on} #{mouse_any_flag} #{cursor_flag}") == "0 0 1")
}
