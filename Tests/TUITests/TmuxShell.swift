// What the tmux end-to-end tests share: a scratch folder for lathe's data, an interactive shell in a tmux pane
// to run lathe from (so job control and the shell's view of the terminal are real), and lathe run through a
// script that records its pid (so a test can send lathe itself a signal).
import Foundation
import LatheTestSupport
import Testing

/// A fresh folder under the temporary directory; the caller removes it.
func scratch(_ label: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-\(label)-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A tmux session running an interactive bash (no rc files) with a known prompt.
func shellSession(_ label: String) async throws -> TmuxSession {
    let tmux = TmuxSession(label)
    try tmux.start("env PS1='lathe-test$ ' bash --norc --noprofile -i; sleep 600")
    try await tmux.waitFor("lathe-test$")
    return tmux
}

/// Types a command line into the shell and runs it.
func enter(_ tmux: TmuxSession, _ line: String) throws {
    try tmux.text(line)
    try tmux.keys("Enter")
}

/// Writes ROOT/lathe.sh, which records its pid in ROOT/lathe.pid and then execs the lathe TUI (data under ROOT),
/// and returns its path; `lathePID(root:)` reads the pid once it runs.
func writeLatheScript(root: String) throws -> String {
    let script = root + "/lathe.sh"
    try "echo $$ > \(root)/lathe.pid\nexec \(TmuxSession.latheCommand(root: root))\n"
        .write(toFile: script, atomically: true, encoding: .utf8)
    return script
}

func lathePID(root: String) throws -> pid_t {
    let text = try String(contentsOfFile: root + "/lathe.pid", encoding: .utf8)
    return try #require(pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), "no pid in \(root)/lathe.pid")
}
