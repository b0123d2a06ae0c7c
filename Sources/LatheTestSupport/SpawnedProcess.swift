// A child process started with posix_spawn that keeps running while the test watches it (e.g. to send it a
// signal mid-run); output goes to files. Only this process is ever signalled, by its PID.
import Foundation

public final class SpawnedProcess: @unchecked Sendable {  // used by one test
    public let pid: pid_t
    private let scratch: URL

    public init(_ executable: String, _ arguments: [String], currentDirectory: URL? = nil) throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-spawn-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, scratch.appendingPathComponent("stdout").path,
                                         O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, scratch.appendingPathComponent("stderr").path,
                                         O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let command = currentDirectory.map { ["/usr/bin/env", "-C", $0.path, executable] } ?? [executable]
        let argv = (command + arguments).map { strdup($0) } + [nil]
        let envp = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        let code = posix_spawnp(&pid, command[0], &actions, nil, argv, envp)
        guard code == 0 else { throw RunError.spawnFailed(executable, code) }
        self.pid = pid
    }

    deinit { try? FileManager.default.removeItem(at: scratch) }

    public func signal(_ number: Int32) { kill(pid, number) }

    /// Waits for exit; returns the exit status (128 + signal when killed by a signal) and the output.
    public func wait() -> ProcessResult {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        func read(_ name: String) -> String {
            String(decoding: FileManager.default.contents(atPath: scratch.appendingPathComponent(name).path) ?? Data(),
                   as: UTF8.self)
        }
        return ProcessResult(status: exitStatus, stdout: read("stdout"), stderr: read("stderr"))
    }
}
