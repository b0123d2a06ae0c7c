// Starts Tests/Support/hub_server.py (a Hugging Face Hub look-alike on 127.0.0.1: API on one port, file
// storage on another) for one test, with that test's repos and faults. The server exits by itself after its
// lifetime or when this process goes away; `stop()` ends it earlier, by its PID.
import Foundation

public final class HubTestServer: @unchecked Sendable {
    public struct File {
        public var path: String
        public var source: String?
        public var text: String?
        /// The source's sha256 when known (the server then does not hash it at start-up).
        public var sha256: String?
        public static func local(_ path: String, from source: String, sha256: String? = nil) -> File {
            File(path: path, source: source, sha256: sha256)
        }
        public static func text(_ path: String, _ text: String) -> File { File(path: path, text: text) }
    }

    public struct Repo {
        public var id: String
        public var files: [File]
        public var gated = false
        public var downloads = 0
        public var pageSize: Int?
        /// cut_after + cut_times, corrupt_at, status + status_times, rate (bytes/s), ignore_range.
        public var faults: [String: Any] = [:]

        public init(_ id: String, files: [File], gated: Bool = false, downloads: Int = 0, pageSize: Int? = nil,
                    faults: [String: Any] = [:]) {
            self.id = id
            self.files = files
            self.gated = gated
            self.downloads = downloads
            self.pageSize = pageSize
            self.faults = faults
        }
    }

    public let apiPort: Int
    public let storagePort: Int
    public let pid: pid_t
    public let token: String
    private let scratch: URL
    private let lock = NSLock()
    private var stopped = false

    /// The value for HF_ENDPOINT.
    public var endpoint: String { "http://127.0.0.1:\(apiPort)" }

    public static var script: String { TestPaths.packageRoot.appendingPathComponent("Tests/Support/hub_server.py").path }

    public init(repos: [Repo], token: String = "hf_test_token", lifetime: Double = 3600) throws {
        self.token = token
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-hub-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let config: [String: Any] = ["token": token, "repos": repos.map { repo -> [String: Any] in
            var object: [String: Any] = [
                "id": repo.id, "gated": repo.gated, "downloads": repo.downloads, "faults": repo.faults,
                "files": repo.files.map { file -> [String: Any] in
                    var f: [String: Any] = ["path": file.path]
                    if let source = file.source { f["source"] = source }
                    if let text = file.text { f["text"] = text }
                    if let sha = file.sha256 { f["sha256"] = sha }
                    return f
                },
            ]
            if let size = repo.pageSize { object["page_size"] = size }
            return object
        }]
        let configPath = scratch.appendingPathComponent("config.json").path
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: configPath))
        let portFile = scratch.appendingPathComponent("ports.json").path
        let logPath = scratch.appendingPathComponent("server.log").path

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        let args = ["/usr/bin/env", "python3", Self.script, "--config", configPath, "--port-file", portFile,
                    "--lifetime", String(lifetime)]
        let argv = args.map { strdup($0) } + [nil]
        let envp = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child = pid_t()
        let code = SpawnAttributes.withDefaults { posix_spawnp(&child, args[0], &actions, &$0, argv, envp) }
        guard code == 0 else { throw RunError.spawnFailed("python3", code) }
        pid = child
        // Wait for the ports (hashing a 100 MB file first takes a moment).
        let deadline = Date().addingTimeInterval(30)
        var ports: [String: Int]?
        while Date() < deadline {
            if let data = FileManager.default.contents(atPath: portFile),
               let object = try? JSONSerialization.jsonObject(with: data) as? [String: Int] {
                ports = object
                break
            }
            var status: Int32 = 0
            if waitpid(child, &status, WNOHANG) == child {
                let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                throw HubTestServerError.exited(log)
            }
            usleep(20_000)
        }
        guard let ports, let api = ports["api"], let storage = ports["storage"] else {
            kill(child, SIGKILL)
            throw HubTestServerError.exited("no ports after 30 s")
        }
        apiPort = api
        storagePort = storage
    }

    /// Every request the server saw: method, path, status, range, authorization, server ("api"/"storage").
    public func requests() throws -> [[String: Any]] {
        let data = try Data(contentsOf: URL(string: "\(endpoint)/_log")!)
        return (try JSONSerialization.jsonObject(with: data) as? [[String: Any]]) ?? []
    }

    public func stop() {
        guard lock.withLock({ defer { stopped = true }; return !stopped }) else { return }
        kill(pid, SIGTERM)
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(3)
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline {
                kill(pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                break
            }
            usleep(10_000)
        }
        try? FileManager.default.removeItem(at: scratch)
    }

    deinit { stop() }
}

public enum HubTestServerError: Error, CustomStringConvertible {
    case exited(String)
    public var description: String {
        switch self { case .exited(let log): "the Hub test server did not start: \(log)" }
    }
}
