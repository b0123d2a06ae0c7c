// Runs a process to completion and captures its output (for CLI tests that run the real `lathe`).
// Uses posix_spawn + waitpid with output in temporary files rather than Foundation.Process: Process's
// waitUntilExit was seen to hang on Linux when many tests spawn processes at once (a tmux client stayed a
// zombie), and a daemon that inherits a pipe (tmux's server) would keep a pipe reader waiting forever.
import Foundation

public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

public enum RunError: Error, CustomStringConvertible {
    case spawnFailed(String, Int32)
    public var description: String {
        switch self { case let .spawnFailed(path, code): return "cannot run \(path): \(String(cString: strerror(code)))" }
    }
}

public enum Run {
    public static func process(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                               stdin: String? = nil, currentDirectory: URL? = nil) throws -> ProcessResult {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let inPath = scratch.appendingPathComponent("stdin").path
        let outPath = scratch.appendingPathComponent("stdout").path
        let errPath = scratch.appendingPathComponent("stderr").path
        FileManager.default.createFile(atPath: inPath, contents: Data((stdin ?? "").utf8))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        var env = ProcessInfo.processInfo.environment
        if let environment { env.merge(environment) { $1 } }
        // `env -C DIR` changes directory for the child (glibc's addchdir_np is not visible from Swift).
        let command = currentDirectory.map { ["/usr/bin/env", "-C", $0.path, executable] } ?? [executable]
        let argv = (command + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        // posix_spawnp searches PATH, so "/usr/bin/env" and plain names both work.
        // Default signal state (SpawnAttributes): a test thread blocks SIGTERM, SIGHUP and more, and a child would
        // inherit that mask, as would a daemon it starts (a tmux server then ignored kill-server, and the
        // shells and programs in its panes could not be hung up).
        let code = SpawnAttributes.withDefaults { posix_spawnp(&pid, command[0], &actions, &$0, argv, envp) }
        guard code == 0 else { throw RunError.spawnFailed(executable, code) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        func read(_ path: String) -> String {
            String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
        }
        return ProcessResult(status: exitStatus, stdout: read(outPath), stderr: read(errPath))
    }

    /// Runs the `lathe` binary.
    public static func lathe(_ arguments: [String], environment: [String: String]? = nil,
                             stdin: String? = nil) throws -> ProcessResult {
        try process(TestPaths.latheBinary, arguments, environment: environment, stdin: stdin,
                    currentDirectory: TestPaths.packageRoot)
    }
}
