// A process started in the background (posix_spawn, output to files) that a test can watch, signal by its
// PID and wait for: e.g. a `lathe pull` killed mid-download to test that the next run resumes.
import Foundation

public final class BackgroundProcess: @unchecked Sendable {
    public let pid: pid_t
    private let scratch: URL
    private var status: Int32?

    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-bg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, scratch.appendingPathComponent("stdout").path,
                                         O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, scratch.appendingPathComponent("stderr").path,
                                         O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child = pid_t()
        let code = SpawnAttributes.withDefaults { posix_spawnp(&child, executable, &actions, &$0, argv, envp) }
        guard code == 0 else { throw RunError.spawnFailed(executable, code) }
        pid = child
    }

    public var stdout: String { read("stdout") }
    public var stderr: String { read("stderr") }

    private func read(_ name: String) -> String {
        String(decoding: FileManager.default.contents(atPath: scratch.appendingPathComponent(name).path) ?? Data(),
               as: UTF8.self)
    }

    public func signal(_ signal: Int32) { if status == nil { kill(pid, signal) } }

    /// Waits for the exit and returns the status (128+N when killed by signal N).
    @discardableResult
    public func wait() -> Int32 {
        if let status { return status }
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
        let code = (raw & 0x7f) == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
        status = code
        return code
    }

    deinit {
        if status == nil {
            kill(pid, SIGKILL)
            wait()
        }
        try? FileManager.default.removeItem(at: scratch)
    }
}
