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

// Watching a long-running process (a `lathe serve` a test talks to): polled synchronously, so a test never
// depends on the 2-thread concurrency pool being free.
extension BackgroundProcess {
    /// Polls stdout until `predicate` finds what it wants; nil on timeout or if the process exited first.
    public func waitForOutput<T>(timeout: TimeInterval, _ predicate: (String) -> T?) -> T? {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while Date() < deadline {
            if let found = predicate(stdout) { return found }
            if hasExited { return predicate(stdout) }
            usleep(20_000)
        }
        return nil
    }

    /// Whether the process has exited (reaps it if so).
    public var hasExited: Bool {
        if status != nil { return true }
        var raw: Int32 = 0
        guard waitpid(pid, &raw, WNOHANG) == pid else { return false }
        status = (raw & 0x7f) == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
        return true
    }

    /// Resident memory in bytes (VmRSS from /proc/PID/status); nil once the process is gone.
    public var residentBytes: Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return nil }
        return (line.split(separator: " ").compactMap { Int($0) }.first ?? 0) * 1024
    }

    /// SIGTERM, up to `grace` seconds to exit, then SIGKILL. Returns the exit status.
    @discardableResult
    public func stop(grace: TimeInterval = 10) -> Int32 {
        if let status { return status }
        signal(SIGTERM)
        let deadline = Date(timeIntervalSinceNow: grace)
        while Date() < deadline {
            if hasExited { return status ?? -1 }
            usleep(20_000)
        }
        signal(SIGKILL)
        return wait()
    }
}
