// A process that runs while a test talks to it (a `lathe serve` on loopback): spawned with posix_spawn,
// output in files, stopped by its PID (SIGTERM, then SIGKILL after a grace period). Waiting is by
// synchronous polling, so a test never depends on the 2-thread concurrency pool being free.
import Foundation

public final class BackgroundProcess: @unchecked Sendable {  // used from one test at a time
    public let pid: pid_t
    public let stdoutPath: String
    public let stderrPath: String
    private let scratch: URL
    private var exitStatus: Int32?

    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                currentDirectory: URL? = nil) throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-bg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        stdoutPath = scratch.appendingPathComponent("stdout").path
        stderrPath = scratch.appendingPathComponent("stderr").path

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var env = ProcessInfo.processInfo.environment
        if let environment { env.merge(environment) { $1 } }
        let command = currentDirectory.map { ["/usr/bin/env", "-C", $0.path, executable] } ?? [executable]
        let argv = (command + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        let code = posix_spawnp(&pid, command[0], &actions, nil, argv, envp)
        guard code == 0 else { throw RunError.spawnFailed(executable, code) }
        self.pid = pid
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: scratch)
    }

    public var stdout: String { Self.read(stdoutPath) }
    public var stderr: String { Self.read(stderrPath) }

    /// Polls stdout until `predicate` finds what it wants; nil on timeout or if the process exited.
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
        if exitStatus != nil { return true }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid {
            exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
            return true
        }
        return false
    }

    /// Resident memory of the process in bytes (from /proc/PID/status), nil once it has exited.
    public var residentBytes: Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return nil }
        let kilobytes = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
        return kilobytes * 1024
    }

    /// Sends SIGTERM, waits up to `grace` seconds, then SIGKILL. Returns the exit status.
    @discardableResult
    public func stop(grace: TimeInterval = 10) -> Int32 {
        if let exitStatus { return exitStatus }
        kill(pid, SIGTERM)
        let deadline = Date(timeIntervalSinceNow: grace)
        while Date() < deadline {
            if hasExited { return exitStatus ?? -1 }
            usleep(20_000)
        }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        exitStatus = 137
        return 137
    }

    private static func read(_ path: String) -> String {
        String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
    }
}
