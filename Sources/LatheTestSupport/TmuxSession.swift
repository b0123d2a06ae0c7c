// A tmux session for end-to-end tests of the real `lathe` binary: start a command in a detached pane of a given
// size, type into it, click in it, read it back (`capture-pane -p`, with `-e` for colours) and wait for what it
// shows. Each session has a tmux server of its own (`-L`), started by this test process: it inherits this
// process's environment, not that of whoever started a shared server (a NO_COLOR there once turned every
// theme off), and other users of tmux cannot disturb it. Waits poll on a thread of their own (offPool): they are
// never starved by tests that keep the concurrency pool busy, and do not hold a pool thread while they wait.
import Foundation

public struct TmuxSession: Sendable {
    public let name: String

    /// A session (and server) named after `label`, this test process and a random tag, so parallel tests and runs
    /// never share one.
    public init(_ label: String) { name = "lathe-\(label)-\(getpid())-\(String(UInt16.random(in: .min ... .max), radix: 16))" }

    /// Starts the session detached, running `command` in a `width`×`height` pane. End `command` with
    /// `; sleep 600` so the pane stays readable after the program exits; `kill()` ends it.
    public func start(_ command: String, width: Int = 120, height: Int = 40) throws {
        try run(["new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)",
                 "-c", FileManager.default.temporaryDirectory.path, command])
    }

    /// Ends the session (its panes are hung up and its server exits) and removes the socket file tmux leaves behind.
    public func kill() {
        _ = try? run(["kill-session", "-t", name])
        let directory = ProcessInfo.processInfo.environment["TMUX_TMPDIR"] ?? "/tmp"
        try? FileManager.default.removeItem(atPath: "\(directory)/tmux-\(getuid())/\(name)")
    }

    /// Runs a tmux command against this session's server.
    @discardableResult
    public func run(_ arguments: [String]) throws -> String {
        try Run.process("/usr/bin/env", ["tmux", "-L", name] + arguments).stdout
    }

    /// Resizes the window (and so the pane); the program in it gets SIGWINCH.
    public func resize(width: Int, height: Int) throws {
        try run(["resize-window", "-t", name, "-x", "\(width)", "-y", "\(height)"])
    }

    /// The pane's text.
    public func screen() -> String {
        do { return try run(["capture-pane", "-t", name, "-p"]) } catch { return "(capture-pane failed: \(error))" }
    }

    /// The pane's text with its SGR escape sequences (colours and attributes), as `capture-pane -e` writes them.
    public func styledScreen() -> String {
        do { return try run(["capture-pane", "-t", name, "-p", "-e"]) } catch { return "(capture-pane failed: \(error))" }
    }

    /// A tmux format evaluated for the pane, e.g. `#{alternate_on}` (1 while a program uses the alternate screen).
    public func display(_ format: String) throws -> String {
        try run(["display-message", "-p", "-t", name, format]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Keys by tmux name (`Enter`, `C-q`, `M-2`, `F9`).
    public func keys(_ keys: String...) throws { try run(["send-keys", "-t", name] + keys) }

    /// `text` pasted into the pane as a terminal pastes it: inside the bracketed-paste markers (ESC [200~ … ESC [201~)
    /// when the program in the pane has turned bracketed paste on, as is otherwise; tmux sends newlines as CR.
    public func paste(_ text: String) throws {
        try run(["set-buffer", "-b", "lathe-test", text])
        try run(["paste-buffer", "-p", "-d", "-b", "lathe-test", "-t", name])
    }

    /// Text typed literally.
    public func text(_ text: String) throws { try run(["send-keys", "-t", name, "-l", text]) }

    /// How mouse reports are encoded; ncurses reads the one its terminfo entry names (kmous).
    public enum MouseFormat: Sendable {
        /// `ESC [ M b x y`, each a byte: 32 + button, 33 + column, 33 + row (tmux's terminfo: kmous=\E[M).
        case x10
        /// `ESC [ < b ; column ; row M` in decimal, 1-based, `m` ending a release (xterm's terminfo: kmous=\E[<, mode 1006).
        case sgr
    }

    /// A left click (press then release) at column `x`, row `y` (0-based), written to the pane as the mouse
    /// reports a terminal sends: button 0 is the left press; a release is button 3 in X10 and a final `m` in SGR.
    /// tmux cannot synthesise a click without a client attached.
    public func click(x: Int, y: Int, format: MouseFormat = .x10) throws {
        try run(["send-keys", "-t", name, "-H"]
                + mouseReport(button: 0, x: x, y: y, format: format)
                + mouseReport(button: format == .x10 ? 3 : 0, x: x, y: y, format: format, release: true))
    }

    /// `notches` turns of the scroll wheel (button 64 up, 65 down; no release) with the pointer at `x`, `y`.
    public func wheel(up: Bool, notches: Int = 1, x: Int, y: Int, format: MouseFormat = .x10) throws {
        let one = mouseReport(button: up ? 64 : 65, x: x, y: y, format: format)
        try run(["send-keys", "-t", name, "-H"] + Array(repeating: one, count: notches).flatMap { $0 })
    }

    /// One mouse report as hex bytes for `send-keys -H`.
    private func mouseReport(button: Int, x: Int, y: Int, format: MouseFormat, release: Bool = false) -> [String] {
        let bytes: [Int]
        switch format {
        case .x10:
            precondition(x < 223 && y < 223, "X10 mouse reports address columns and rows below 223")
            bytes = [0x1B, 0x5B, 0x4D, 32 + button, 33 + x, 33 + y]
        case .sgr:
            bytes = [0x1B, 0x5B, 0x3C] + "\(button);\(x + 1);\(y + 1)\(release ? "m" : "M")".utf8.map(Int.init)
        }
        return bytes.map { String($0, radix: 16) }
    }

    public struct TimedOut: Error, CustomStringConvertible {
        public var description: String
    }

    /// Polls the pane every 0.1 s until `condition` holds for its text; throws `TimedOut` (with the screen) after
    /// `seconds`. `thenSend` keys go to the pane from the polling thread the moment the condition holds, for keys
    /// that must land while a passing state lasts (Esc while a reply streams): the test's own task may wait long
    /// for a pool thread when other tests keep the pool busy.
    public func waitFor(_ what: String, seconds: Double = 30, thenSend keys: [String] = [],
                        _ condition: @escaping @Sendable (String) -> Bool) async throws {
        try await waitFor(what, seconds: seconds, reading: { $0.screen() }, thenSend: keys, condition)
    }

    /// Waits until the pane shows `text`.
    public func waitFor(_ text: String, seconds: Double = 30) async throws {
        try await waitFor("'\(text)'", seconds: seconds) { $0.contains(text) }
    }

    /// Like `waitFor`, on the pane's text with its escape sequences (`styledScreen`).
    public func waitForStyled(_ what: String, seconds: Double = 30, _ condition: @escaping @Sendable (String) -> Bool) async throws {
        try await waitFor(what, seconds: seconds, reading: { $0.styledScreen() }, thenSend: [], condition)
    }

    private func waitFor(_ what: String, seconds: Double, reading: @escaping @Sendable (TmuxSession) -> String,
                         thenSend keys: [String], _ condition: @escaping @Sendable (String) -> Bool) async throws {
        let session = self
        try await offPool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if condition(reading(session)) {
                    if !keys.isEmpty { try session.run(["send-keys", "-t", session.name] + keys) }
                    return
                }
                usleep(100_000)
            }
            if condition(reading(session)) {
                if !keys.isEmpty { try session.run(["send-keys", "-t", session.name] + keys) }
                return
            }
            throw TimedOut(description: "timed out after \(Int(seconds)) s waiting for \(what); the screen was:\n\(reading(session))")
        }
    }

    /// The shell command that opens the `lathe` TUI with its data and config under `root` (a fresh scratch folder
    /// gives a first start) and the models from `models`, on a 256-colour terminal with NO_COLOR unset;
    /// `environment` adds or overrides variables.
    public static func latheCommand(root: String, models: String = TestPaths.modelsDirectory.path,
                                    environment: [String: String] = [:], arguments: [String] = []) -> String {
        var env = ["LATHE_DATA_DIR": root + "/data", "LATHE_CONFIG_DIR": root + "/config", "LATHE_MODELS_DIR": models,
                   "TERM": "tmux-256color"]
        env.merge(environment) { $1 }
        let assignments = env.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let unset = env["NO_COLOR"] == nil ? ["-u", "NO_COLOR"] : []
        return (["env"] + unset + assignments + [TestPaths.latheBinary] + arguments).joined(separator: " ")
    }
}
