// `lathe pull/search/ls/rm/import` as the real binary against the Hub look-alike on 127.0.0.1 (HF_ENDPOINT):
// a pulled model that `lathe info` and `lathe run` load; a pull killed mid-file that the next run resumes
// with Range; 404/401/403/500 and unknown-quant errors as one line; a full disk (a small tmpfs, else a file-size
// limit) that fails clearly and leaves nothing half-written in the models directory.
import Foundation
import LatheTestSupport
import Testing

private enum Smol {
    static let name = "SmolLM2-135M-Instruct.Q4_1.gguf"
    static let sha256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
    static let size = 98_362_432
    static var file: HubTestServer.File { .local(name, from: TestPaths.smollm2, sha256: sha256) }
}

private func scratch(_ label: String) throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-cli-\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.path
}

/// Runs `lathe` off the concurrency pool (see offPool) with HF_ENDPOINT set to the test server.
private func lathe(_ args: [String], _ server: HubTestServer, token: String? = nil) async throws -> ProcessResult {
    let env = ["HF_ENDPOINT": server.endpoint, "HF_TOKEN": token ?? "", "HUGGING_FACE_HUB_TOKEN": "",
               "LATHE_MODELS_DIR": "/nonexistent-use-models-dir"]
    return try await offPool { try Run.lathe(args, environment: env) }
}

private func process(_ args: [String], environment: [String: String]? = nil) async throws -> ProcessResult {
    try await offPool { try Run.process("/usr/bin/env", args, environment: environment) }
}

/// Polls `condition` every 5 ms on a thread of its own (up to 30 s), then runs `then` at once: a busy
/// concurrency pool cannot make the test act late (after the download it means to interrupt has finished).
private func poll(until condition: @escaping @Sendable () -> Bool, then action: @escaping @Sendable () -> Void) async throws {
    try await offPool {
        let deadline = Date().addingTimeInterval(30)
        while !condition(), Date() < deadline { usleep(5_000) }
        action()
    }
}

private func listing(_ dir: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { !$0.hasPrefix(".manifest.lock") }.sorted()
}

private func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

@Suite struct PullCommandTests {
    @Test func pulledModelLoadsListsAndRemoves() async throws {
        let server = try HubTestServer(repos: [.init("test/smol-gguf", files: [Smol.file, .text("README.md", "# SmolLM2")], downloads: 42)])
        defer { server.stop() }
        let dir = try scratch("pull")
        defer { try? FileManager.default.removeItem(atPath: dir) }

        let pull = try await lathe(["pull", "test/smol-gguf:Q4_1", "--models-dir", dir], server)
        #expect(pull.status == 0, "\(pull.stderr)")
        #expect(pull.stdout == "installed \(dir)/\(Smol.name)\n")
        for line in ["test/smol-gguf: \(Smol.name) (Q4_1, 98.4 MB)", "downloading \(Smol.name)", "  100% 98.4 MB / 98.4 MB",
                     "verified sha256 \(Smol.sha256)"] {
            #expect(pull.stderr.contains(line), "missing '\(line)' in:\n\(pull.stderr)")
        }
        #expect(!pull.stderr.contains("\r"))                      // piped: plain lines, no bar
        #expect(listing(dir) == [Smol.name, "manifest.json"])

        // The engine loads it: info and a greedy completion through the models directory.
        let info = try json(try await lathe(["info", "smollm2", "--models-dir", dir, "--json"], server).stdout) as? [String: Any]
        #expect(info?["parameters"] as? Int == 134_515_008)
        let run = try await lathe(["run", "smollm2", "The capital of France is", "-n", "4", "--temp", "0", "--models-dir", dir], server)
        #expect(run.status == 0 && !run.stdout.isEmpty, "\(run.stderr)")

        let ls = try json(try await lathe(["ls", "--json", "--models-dir", dir], server).stdout) as? [[String: Any]]
        #expect(ls?.count == 1)
        #expect(ls?.first?["repo"] as? String == "test/smol-gguf" && ls?.first?["quantization"] as? String == "Q4_1")
        #expect(ls?.first?["sha256"] as? [String] == [Smol.sha256] && ls?.first?["size"] as? Int == Smol.size)
        #expect(ls?.first?["commit"] as? String == "0123456789abcdef0123456789abcdef01234567")
        let text = try await lathe(["ls", "--models-dir", dir], server).stdout
        #expect(text.contains(Smol.name) && text.contains("98.4 MB") && text.contains("test/smol-gguf"))

        let again = try await lathe(["pull", "test/smol-gguf", "--models-dir", dir], server)
        #expect(again.status == 0 && again.stderr.contains("already installed"))
        #expect(try storageRequests(server).count == 1)             // the second pull fetched nothing

        let rm = try await lathe(["rm", "smol", "--models-dir", dir], server)
        #expect(rm.status == 0 && rm.stdout.contains("removed \(Smol.name) (1 file, 98.4 MB)"))
        #expect(listing(dir) == ["manifest.json"])
        #expect((try json(try await lathe(["ls", "--json", "--models-dir", dir], server).stdout) as? [Any])?.isEmpty == true)
        let missing = try await lathe(["rm", "smol", "--models-dir", dir], server)
        #expect(missing.status == 1 && missing.stderr.hasPrefix("error: no model 'smol' in '\(dir)'"))
    }

    private func storageRequests(_ server: HubTestServer) throws -> [[String: Any]] {
        try server.requests().filter { $0["server"] as? String == "storage" }
    }

    @Test func killedPullResumesInTheNextRun() async throws {
        let slow = try HubTestServer(repos: [.init("test/smol-gguf", files: [Smol.file], faults: ["rate": 20_000_000])])
        defer { slow.stop() }
        let dir = try scratch("resume")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let part = "\(dir)/\(Smol.name).part"
        let first = try BackgroundProcess(TestPaths.latheBinary, ["pull", "test/smol-gguf", "--models-dir", dir],
                                          environment: ["HF_ENDPOINT": slow.endpoint, "HF_TOKEN": ""])
        @Sendable func partSize() -> Int { (try? FileManager.default.attributesOfItem(atPath: part)[.size] as? Int) ?? 0 }
        try await poll(until: { partSize() >= 15_000_000 }, then: { first.signal(SIGKILL) })
        #expect(try await offPool { first.wait() } == 128 + SIGKILL)
        let kept = partSize()
        #expect(kept >= 15_000_000 && kept < Smol.size)
        #expect(listing(dir) == ["\(Smol.name).part", "\(Smol.name).part.json"])   // nothing installed yet
        #expect(try await lathe(["ls", "--models-dir", dir], slow).stdout.contains("partial download: \(Smol.name).part"))

        let fast = try HubTestServer(repos: [.init("test/smol-gguf", files: [Smol.file])])
        defer { fast.stop() }
        let second = try await lathe(["pull", "test/smol-gguf", "--models-dir", dir], fast)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("resuming \(Smol.name) from"))
        let ranges = try storageRequests(fast).map { $0["range"] as? String }
        #expect(ranges.count == 1)
        let start = Int(ranges.first??.dropFirst("bytes=".count).dropLast() ?? "") ?? -1
        #expect(start >= kept)                                     // the file may have grown after our last look
        #expect(listing(dir) == [Smol.name, "manifest.json"])
    }

    @Test func errorsAreOneLineAndSayWhatToDo() async throws {
        let server = try HubTestServer(repos: [
            .init("test/smol-gguf", files: [Smol.file]),
            .init("test/gated-gguf", files: [Smol.file], gated: true),
            .init("test/down-gguf", files: [Smol.file], faults: ["status": 500, "status_times": 1000]),
        ])
        defer { server.stop() }
        let dir = try scratch("errors")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func fails(_ args: [String], token: String? = nil, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
            let r = try await lathe(args + ["--models-dir", dir], server, token: token)
            #expect(r.status == 1, sourceLocation: sourceLocation)
            let errorLines = r.stderr.split(separator: "\n").filter { $0.hasPrefix("error: ") }
            #expect(errorLines.count == 1 && errorLines[0].contains(message), "\(r.stderr)", sourceLocation: sourceLocation)
        }
        try await fails(["pull", "test/nope"], "repository 'test/nope' not found on the Hub (HTTP 404)")
        try await fails(["pull", "test/smol-gguf:Q2_K"], "'test/smol-gguf' has no GGUF file matching 'Q2_K'; it has: Q4_1")
        try await fails(["pull", "not a repo"], "is not a Hub repository: expected OWNER/NAME")
        try await fails(["pull", "test/gated-gguf"], "'test/gated-gguf' is gated or private (HTTP 401)")
        try await fails(["pull", "test/gated-gguf"], "set HF_TOKEN")
        try await fails(["pull", "test/gated-gguf"], token: "hf_wrong", "the token in HF_TOKEN has no access")
        try await fails(["pull", "test/down-gguf", "--attempts", "2"], "HTTP 500")
        #expect(listing(dir).filter { !$0.hasSuffix(".part.json") && !$0.hasSuffix(".part") }.isEmpty)

        // With the right token the gated model downloads, and the token never reaches the storage origin.
        let ok = try await lathe(["pull", "test/gated-gguf", "--models-dir", dir], server, token: server.token)
        #expect(ok.status == 0, "\(ok.stderr)")
        let gated = try server.requests().filter { ($0["path"] as? String)?.contains("gated-gguf") == true && $0["status"] as? Int != 401 && $0["status"] as? Int != 403 }
        #expect(gated.filter { $0["server"] as? String == "api" }.allSatisfy { $0["authorization"] as? String == "Bearer \(server.token)" })
        #expect(gated.filter { $0["server"] as? String == "storage" }.count == 1)
        #expect(gated.filter { $0["server"] as? String == "storage" }.allSatisfy { $0["authorization"] == nil || $0["authorization"] is NSNull })
    }

    @Test func searchImportAndBadImports() async throws {
        let server = try HubTestServer(repos: [.init("test/smol-gguf", files: [Smol.file], downloads: 42),
                                               .init("test/smollm-notes", files: [.text("README.md", "no weights")], downloads: 99)])
        defer { server.stop() }
        let found = try json(try await lathe(["search", "smol", "--json"], server).stdout) as? [[String: Any]]
        #expect(found?.map { $0["id"] as? String } == ["test/smol-gguf"])    // filter=gguf drops the repo without GGUF
        #expect(found?.first?["downloads"] as? Int == 42)
        let table = try await lathe(["search", "smol"], server).stdout
        #expect(table.hasPrefix("REPOSITORY") && table.contains("test/smol-gguf") && table.contains("42"))
        let query = try server.requests().first { ($0["path"] as? String)?.hasPrefix("/api/models?") == true }?["path"] as? String
        #expect(query == "/api/models?search=smol&filter=gguf&sort=downloads&direction=-1&limit=20")

        let dir = try scratch("import")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let imported = try await lathe(["import", TestPaths.smollm2, "--models-dir", dir], server)
        #expect(imported.status == 0 && imported.stdout.contains("sha256 \(Smol.sha256)"), "\(imported.stderr)")
        let ls = try json(try await lathe(["ls", "--json", "--models-dir", dir], server).stdout) as? [[String: Any]]
        #expect(ls?.first?["source"] as? String == "import" && ls?.first?["origin"] as? String != nil)
        let junk = dir + "/../junk-\(UUID().uuidString).gguf"
        try Data("not a gguf at all".utf8).write(to: URL(fileURLWithPath: junk))
        defer { try? FileManager.default.removeItem(atPath: junk) }
        let bad = try await lathe(["import", junk, "--models-dir", dir], server)
        #expect(bad.status == 1 && bad.stderr.hasPrefix("error: ") && bad.stderr.split(separator: "\n").count == 1)
        #expect(listing(dir) == [Smol.name, "manifest.json"])
    }

    /// A small tmpfs as the models directory (we run as root); where mounting is not allowed, a file-size limit
    /// (RLIMIT_FSIZE via prlimit) makes the writes fail the same way mid-file.
    @Test func fullDiskFailsClearlyAndLeavesNothingHalfWritten() async throws {
        let server = try HubTestServer(repos: [.init("test/smol-gguf", files: [Smol.file], faults: ["rate": 25_000_000])])
        defer { server.stop() }
        let dir = try scratch("disk")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let mounted = (try? await process(["mount", "-t", "tmpfs", "-o", "size=60m", "tmpfs", dir]))?.status == 0
        defer { if mounted { _ = try? Run.process("/usr/bin/env", ["umount", dir]) } }
        if mounted {
            // Too small from the start: refused before a byte is written, saying how much is needed and free.
            let refused = try await lathe(["pull", "test/smol-gguf", "--models-dir", dir], server)
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("not enough disk space in '\(dir)': the download needs 98.4 MB but only"), "\(refused.stderr)")
            #expect(listing(dir).isEmpty)
            // Room at the start, then something else fills the disk mid-download.
            _ = try await process(["mount", "-o", "remount,size=110m", dir])
            let pull = try BackgroundProcess(TestPaths.latheBinary, ["pull", "test/smol-gguf", "--models-dir", dir],
                                             environment: ["HF_ENDPOINT": server.endpoint, "HF_TOKEN": ""])
            let part = "\(dir)/\(Smol.name).part"
            let filled = Flag()
            try await poll(until: { ((try? FileManager.default.attributesOfItem(atPath: part)[.size] as? Int) ?? 0) >= 20_000_000 },
                           then: { filled.set(FileManager.default.createFile(atPath: "\(dir)/filler", contents: Data(count: 40_000_000))) })
            #expect(filled.value)
            #expect(try await offPool { pull.wait() } == 1)
            #expect(pull.stderr.contains("error: disk full while writing '\(dir)/\(Smol.name)'"), "\(pull.stderr)")
            #expect(pull.stderr.contains("the partial file was removed"))
            #expect(listing(dir) == ["filler"])
        } else {
            let limited = try await process(["prlimit", "--fsize=20000000", TestPaths.latheBinary, "pull",
                                             "test/smol-gguf", "--models-dir", dir],
                                            environment: ["HF_ENDPOINT": server.endpoint, "HF_TOKEN": ""])
            #expect(limited.status == 1)
            #expect(limited.stderr.contains("error: disk full while writing"), "\(limited.stderr)")
            #expect(listing(dir).isEmpty)
        }
    }
}

/// A Bool set from another thread.
private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var stored = false
    func set(_ value: Bool) { lock.withLock { stored = value } }
    var value: Bool { lock.withLock { stored } }
}
