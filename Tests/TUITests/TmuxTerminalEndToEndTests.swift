// End to end, the terminal side of the real `lathe` TUI in tmux (120×40, default model), run from an interactive
// shell in the pane so job control and the shell's own view of the terminal are real: Ctrl-Z suspends and `fg`
// redraws; mouse clicks on the tab bar switch panes; the theme comes from --theme, F9 and the saved config, falls
// back to 8 colours and drops all colour under NO_COLOR (seen in `capture-pane -e`); Ctrl-C stops a generation and
// quits when idle; SIGTERM and a crash (SIGILL, as a Swift trap raises) leave the terminal as they found it, and
// SIGTERM or SIGHUP during a reply saves the reply so far, as Ctrl-Q does.
import Bus
import Foundation
import LatheTestSupport
import Screen
import Testing

/// The column where `label` starts on the first row (the tab bar): all of it is single-width text.
private func tabColumn(_ tmux: TmuxSession, _ label: String) throws -> Int {
    let bar = tmux.screen().split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
    let range = try #require(bar.range(of: label), "no '\(label)' in the tab bar: \(bar)")
    return bar.unicodeScalars.distance(from: bar.unicodeScalars.startIndex, to: range.lowerBound.samePosition(in: bar.unicodeScalars)!)
}

@Test func ctrlZSuspendsToTheShellFgRedrawsAndClicksSwitchTabs() async throws {
    let root = try scratch("suspend-e2e")
    defer { try? FileManager.default.removeItem(atPath: root) }
    let tmux = try await shellSession("suspend-e2e")
    defer { tmux.kill() }
    // lathe alone on the command line: bash would run the rest of a list (`; echo`) as soon as lathe stops.
    try enter(tmux, TmuxSession.latheCommand(root: root))
    try await tmux.waitFor("SmolLM2", seconds: 60)
    try tmux.keys("M-2")
    try await tmux.waitFor("Local models")

    try tmux.keys("C-z")
    try await tmux.waitFor("the shell's job report, the TUI gone") { $0.contains("Stopped") && !$0.contains("Local models") }
    #expect(try tmux.display("#{alternate_on} #{mouse_any_flag}") == "0 0")   // main screen, mouse reporting off
    try enter(tmux, "fg")
    try await tmux.waitFor("the Models pane redrawn") { $0.contains("Local models") && $0.contains("SmolLM2") }
    #expect(try tmux.display("#{alternate_on} #{mouse_any_flag}") == "1 1")

    // Still takes input after the resume: clicks on the tab bar (row 0) switch panes.
    try tmux.click(x: try tabColumn(tmux, "Metrics") + 1, y: 0)
    try await tmux.waitFor("Generation tok/s")
    try tmux.click(x: try tabColumn(tmux, "Chat"), y: 0)
    try await tmux.waitFor("the Chat pane") { $0.contains("┌ Chats") && !$0.contains("Generation tok/s") }
    try tmux.keys("C-q")
    try await tmux.waitFor("the prompt back") { $0.split(separator: "\n").last { !$0.isEmpty }?.hasPrefix("lathe-test$") == true }
    try enter(tmux, "echo LATHE-EXITED $?")                                     // fg's status is the job's
    try await tmux.waitFor("exit status 0") { $0.split(separator: "\n").contains("LATHE-EXITED 0") }
}

/// An SGR colour as set on the terminal: a palette index (0–255), or nil for the terminal's default.
private struct CellColours: Equatable, CustomStringConvertible {
    var foreground: Int?
    var background: Int?
    var description: String { "fg \(foreground.map(String.init) ?? "default") bg \(background.map(String.init) ?? "default")" }
}

/// The parameter lists of every SGR sequence (ESC [ … m) in `styled`.
private func sgrSequences(_ styled: String) -> [[Int]] {
    var out: [[Int]] = []
    let scalars = Array(styled.unicodeScalars)
    var i = 0
    while i + 1 < scalars.count {
        if scalars[i] == "\u{1B}", scalars[i + 1] == "[" {
            var j = i + 2
            while j < scalars.count, !(0x40...0x7E).contains(scalars[j].value) { j += 1 }
            if j < scalars.count, scalars[j] == "m" {
                let body = String(String.UnicodeScalarView(scalars[(i + 2)..<j]))
                out.append(body.split(separator: ";", omittingEmptySubsequences: false).map { Int($0) ?? 0 })
            }
            i = j + 1
        } else {
            i += 1
        }
    }
    return out
}

/// Applies one SGR parameter list to `colours` (256-colour, 8/16-colour and default forms).
private func apply(_ parameters: [Int], to colours: inout CellColours) {
    var k = 0
    while k < parameters.count {
        let p = parameters[k]
        switch p {
        case 0: colours = CellColours()
        case 30...37: colours.foreground = p - 30
        case 90...97: colours.foreground = p - 90 + 8
        case 40...47: colours.background = p - 40
        case 100...107: colours.background = p - 100 + 8
        case 39: colours.foreground = nil
        case 49: colours.background = nil
        case 38, 48:
            if k + 2 < parameters.count, parameters[k + 1] == 5 {
                if p == 38 { colours.foreground = parameters[k + 2] } else { colours.background = parameters[k + 2] }
                k += 2
            }
        default: break
        }
        k += 1
    }
}

/// The colours in effect where `text` first starts in a `capture-pane -e` screen (nil when it is not there).
private func colours(at text: String, in styled: String) -> CellColours? {
    for line in styled.split(separator: "\n") {
        var colours = CellColours()
        let scalars = Array(line.unicodeScalars)
        let target = Array(text.unicodeScalars)
        var i = 0
        while i < scalars.count {
            if scalars[i] == "\u{1B}", i + 1 < scalars.count, scalars[i + 1] == "[" {
                var j = i + 2
                while j < scalars.count, !(0x40...0x7E).contains(scalars[j].value) { j += 1 }
                if j < scalars.count, scalars[j] == "m" {
                    apply(sgrSequences(String(String.UnicodeScalarView(scalars[i...j]))).first ?? [], to: &colours)
                }
                i = j + 1
                continue
            }
            if scalars[i...].starts(with: target) { return colours }
            i += 1
        }
    }
    return nil
}

/// The active tab's colours in `theme` on a terminal with `colors` colours.
private func activeTab(_ theme: String, colors: Int) throws -> CellColours {
    let role = try Theme.load(named: theme, from: TestPaths.packageRoot.appendingPathComponent("themes")).colors(for: .tabActive)
    func number(_ color: TerminalColor) -> Int? { if case .indexed(let n) = color { n } else { nil } }
    return CellColours(foreground: number(role.foreground.resolved(colors: colors)),
                       background: number(role.background.resolved(colors: colors)))
}

@Test func themesComeFromFlagKeyAndConfigFallBackTo8ColoursAndNoColorDropsColour() async throws {
    let root = try scratch("themes-e2e")
    defer { try? FileManager.default.removeItem(atPath: root) }
    let tmux = try await shellSession("themes-e2e")
    defer { tmux.kill() }
    func expectActiveTab(_ theme: String, colors: Int = 256) async throws {
        let expected = try activeTab(theme, colors: colors)
        try await tmux.waitForStyled("the active tab in \(theme)'s colours (\(expected))") { colours(at: " 1 Chat", in: $0) == expected }
    }

    // --theme picks the first theme; F9 cycles through the others (light, then dark, then high-contrast).
    try enter(tmux, TmuxSession.latheCommand(root: root, arguments: ["--theme", "light"]) + "; echo RUN1-EXITED $?")
    try await tmux.waitFor("SmolLM2", seconds: 60)
    try await expectActiveTab("light")
    try tmux.keys("F9")
    try await expectActiveTab("dark")
    try tmux.keys("F9")
    try await expectActiveTab("high-contrast")
    try tmux.keys("C-q")
    try await tmux.waitFor("RUN1-EXITED 0")

    // The last theme is saved in the config and chosen at the next start; an 8-colour terminal gets the fallbacks.
    try enter(tmux, "clear; " + TmuxSession.latheCommand(root: root, environment: ["TERM": "tmux"]) + "; echo RUN2-EXITED $?")
    try await tmux.waitFor("SmolLM2", seconds: 60)
    try await expectActiveTab("high-contrast", colors: 8)
    let eightColours = tmux.styledScreen()
    #expect(!sgrSequences(eightColours).contains { $0.contains(38) || $0.contains(48) }, "256-colour escapes on an 8-colour terminal")
    try tmux.keys("C-q")
    try await tmux.waitFor("RUN2-EXITED 0")

    // NO_COLOR: no colour at all, only attributes (the active tab stays visible in reverse video).
    try enter(tmux, "clear; " + TmuxSession.latheCommand(root: root, environment: ["NO_COLOR": "1"]) + "; echo RUN3-EXITED $?")
    try await tmux.waitFor("SmolLM2", seconds: 60)
    let plain = tmux.styledScreen()
    let colourCodes = Set(30...37).union(40...47).union(90...97).union(100...107).union([38, 48])
    let coloured = sgrSequences(plain).filter { !colourCodes.isDisjoint(with: $0) }
    #expect(coloured.isEmpty, "colour escapes under NO_COLOR: \(coloured)")
    #expect(sgrSequences(plain).contains { $0.contains(7) }, "no reverse video under NO_COLOR")
    try tmux.keys("C-q")
    try await tmux.waitFor("RUN3-EXITED 0")
}

@Test func ctrlCInTheRealTUIStopsTheGenerationThenQuitsWhenIdle() async throws {
    let root = try scratch("ctrlc-e2e")
    defer { try? FileManager.default.removeItem(atPath: root) }
    let tmux = try await shellSession("ctrlc-e2e")
    defer { tmux.kill() }
    try enter(tmux, TmuxSession.latheCommand(root: root) + "; echo LATHE-EXITED $?")
    try await tmux.waitFor("SmolLM2", seconds: 60)
    try enter(tmux, "Write a very long story about a dragon.")
    // Ctrl-C goes out the moment tokens show, from the polling thread: the reply cannot end first.
    try await tmux.waitFor("tokens streaming", seconds: 60, thenSend: ["C-c"]) {
        $0.range(of: #"generating… [1-9]\d* tokens"#, options: .regularExpression) != nil
    }
    // The stopped reply keeps what streamed and shows its figures, marked as stopped.
    try await tmux.waitFor("the generation stopped with its figures, input ready") {
        !$0.contains("generating…") && $0.contains("Message") && $0.range(of: stoppedFigures, options: .regularExpression) != nil
    }
    let stopped = tmux.screen()
    #expect(!stopped.contains("LATHE-EXITED"), "the first Ctrl-C quit instead of stopping the generation")
    #expect(stopped.contains("Assistant"))

    try tmux.keys("C-c")
    try await tmux.waitFor("LATHE-EXITED 0")
}

/// The figures line under a stopped reply: "12 tokens · 30.5 tok/s · first token 140 ms · stopped" (a reply that
/// ran to its end has no "· stopped"), with a real first-token time.
let stoppedFigures = #"[1-9]\d* tokens · [0-9.]+ tok/s · first token [1-9]\d* ms · stopped"#

/// SIGTERM goes the run loop's way (the handler only records it); SIGILL, what a Swift trap raises, is a crash: its
/// handler restores the terminal itself with write and tcsetattr. Either way the process dies of the signal.
@Test(arguments: [SIGTERM, SIGILL])
func aSignalRestoresTheTerminalAndTheShellWorks(signal: Int32) async throws {
    let label = signal == SIGTERM ? "sigterm-e2e" : "sigill-e2e"
    let root = try scratch(label)
    defer { try? FileManager.default.removeItem(atPath: root) }
    // lathe runs under a non-interactive sh, which (unlike an interactive bash) never resets the terminal after a
    // child killed by a signal: what `stty` sees afterwards is what lathe left.
    let script = try writeLatheScript(root: root)
    try """
    ulimit -c 0
    sh \(script)
    echo LATHE-EXITED $?
    echo STTY $(stty -a | tr -s ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo|isig|icrnl|opost|onlcr)' | sort | tr '\\n' ' ')
    echo TPUT $(tput cols) $(tput lines)
    IFS= read -r line
    printf 'PASTED[%s]\\n' "$line" | cat -v
    """.write(toFile: root + "/run.sh", atomically: true, encoding: .utf8)
    let tmux = try await shellSession(label)
    defer { tmux.kill() }
    try enter(tmux, "sh \(root)/run.sh")
    try await tmux.waitFor("SmolLM2", seconds: 60)
    #expect(try tmux.display("#{alternate_on} #{mouse_any_flag}") == "1 1")

    #expect(kill(try lathePID(root: root), signal) == 0)
    try await tmux.waitFor("TPUT")
    let lines = tmux.screen().split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
    #expect(lines.contains("LATHE-EXITED \(128 + signal)"))                     // died of the signal, honestly reported
    #expect(lines.contains("STTY echo icanon icrnl isig onlcr opost"))           // cooked mode again, none negated
    #expect(lines.contains("TPUT 120 40"))
    #expect(try tmux.display("#{alternate_on} #{mouse_any_flag} #{cursor_flag}") == "0 0 1")  // main screen, no mouse, cursor shown
    try tmux.paste("after the signal")                                            // bracketed paste off: the text arrives bare
    try tmux.keys("Enter")
    try await tmux.waitFor("the paste as sh read it") { $0.contains("PASTED[") }
    #expect(tmux.screen().split(separator: "\n").contains("PASTED[after the signal]"))

    try enter(tmux, "echo PROMPT-$((6 * 7))")                                     // the shell takes and echoes input
    try await tmux.waitFor("the shell's answer") { $0.split(separator: "\n").contains("PROMPT-42") }
}

/// SIGTERM (a shutdown, `kill`) or SIGHUP (the terminal closed) while a reply streams: lathe quits as Ctrl-Q does,
/// saving the conversation with the reply as far as it got, then dies of the signal.
@Test(arguments: [SIGTERM, SIGHUP])
func aSignalDuringAReplySavesItLikeCtrlQ(signal: Int32) async throws {
    let label = signal == SIGTERM ? "sigterm-save-e2e" : "sighup-save-e2e"
    let root = try scratch(label)
    defer { try? FileManager.default.removeItem(atPath: root) }
    let script = try writeLatheScript(root: root)
    let tmux = try await shellSession(label)
    defer { tmux.kill() }
    try enter(tmux, "sh \(script); echo LATHE-EXITED $?")
    try await tmux.waitFor("SmolLM2", seconds: 60)
    let pid = try lathePID(root: root)
    let question = "Write a very long story about a dragon."
    try enter(tmux, question)
    // The signal goes out the moment tokens show, from the polling thread: the reply cannot end first.
    try await tmux.waitFor("tokens streaming", seconds: 60) { screen in
        guard screen.range(of: #"generating… [1-9]\d* tokens"#, options: .regularExpression) != nil else { return false }
        kill(pid, signal)
        return true
    }
    try await tmux.waitFor("LATHE-EXITED \(128 + signal)", seconds: 30)     // still dies of the signal

    struct Saved: Decodable { var conversation: Conversation }
    let directory = root + "/data/conversations"
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    let saved = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }.map {
        try decoder.decode(Saved.self, from: Data(contentsOf: URL(fileURLWithPath: directory + "/" + $0))).conversation
    }
    let messages = try #require(saved.first { !$0.messages.isEmpty }?.messages, "no conversation saved")
    #expect(messages.map(\.role) == [.user, .assistant])
    #expect(messages.first?.text == question)
    #expect(!(messages.last?.text.isEmpty ?? true), "the partial reply was not saved")
}
