// The Hub API client against the look-alike: the JSON huggingface.co serves decodes (search, model info with
// siblings and gate, tree entries with lfs sha256, Link-header pages), and each failure maps to its HubError.
import Foundation
import Hub
import LatheTestSupport
import Testing

@Suite struct HubClientTests {
    @Test func searchInfoAndPagedTree() async throws {
        let server = try HubTestServer(repos: [
            .init("test/smol-gguf", files: [Smol.file, .text("README.md", "# hi"), .text("config.json", "{}")],
                  downloads: 10, pageSize: 1),
            .init("test/gated-gguf", files: [Smol.file], gated: true, downloads: 50),
        ])
        defer { server.stop() }
        let hub = client(server, token: server.token)
        let found = try await hub.search("gguf", limit: 5)
        #expect(found.map(\.id) == ["test/gated-gguf", "test/smol-gguf"])       // most downloaded first
        #expect(found[1].downloads == 10 && found[1].tags?.contains("gguf") == true && found[1].pipelineTag == "text-generation")

        let info = try await hub.modelInfo("test/gated-gguf")
        #expect(info.gated == .gated("manual") && info.sha == "0123456789abcdef0123456789abcdef01234567")
        #expect(info.siblings?.map(\.rfilename) == [Smol.name])
        #expect(try await hub.modelInfo("test/smol-gguf").gated == .open)

        let tree = try await hub.tree("test/smol-gguf")                           // three pages of one entry
        #expect(tree.map(\.path) == ["README.md", Smol.name, "config.json"])
        #expect(tree[1].sha256 == Smol.sha256 && tree[1].size == Smol.size && tree[0].sha256 == nil)
        let pages = try server.requests().filter { ($0["path"] as? String)?.contains("/tree/") == true }
        #expect(pages.count == 3)
    }

    @Test func failuresMapToClearErrors() async throws {
        let server = try HubTestServer(repos: [.init("test/smol-gguf", files: [Smol.file]),
                                               .init("test/gated-gguf", files: [Smol.file], gated: true)])
        defer { server.stop() }
        let anonymous = client(server)
        await #expect(throws: HubError.repoNotFound(repo: "test/missing")) { try await anonymous.tree("test/missing") }
        await #expect(throws: HubError.revisionNotFound(repo: "test/smol-gguf", revision: "v9")) {
            try await anonymous.tree("test/smol-gguf", revision: "v9")
        }
        do {
            _ = try await anonymous.modelInfo("test/gated-gguf")
            Issue.record("a gated repo answered without a token")
        } catch let HubError.unauthorized(repo, status, tokenSet, detail) {
            #expect(repo == "test/gated-gguf" && status == 401 && !tokenSet && detail.contains("restricted"))
        }
        await #expect(throws: HubError.self) { try await client(server, token: "hf_wrong").tree("test/gated-gguf") }
        let dir = try scratchDirectory("404")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let missing = DownloadItem(repo: "test/smol-gguf", revision: "main", file: "nope.gguf", size: nil, sha256: nil)
        await #expect(throws: HubError.fileNotFound(repo: "test/smol-gguf", file: "nope.gguf", revision: "main")) {
            try await FileDownloader(client: anonymous, directory: dir).download(missing)
        }
        #expect(files(in: dir).isEmpty)
    }

    @Test func stalledTransferTimesOutAndResumes() async throws {
        let server = try HubTestServer(repos: [.init("test/stall", files: [Smol.file],
                                                     faults: ["stall_after": 5_000_000, "stall_times": 1, "stall_seconds": 15])])
        defer { server.stop() }
        let dir = try scratchDirectory("stall")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let item = DownloadItem(repo: "test/stall", revision: "main", file: Smol.name, size: Smol.size, sha256: Smol.sha256)
        let events = EventLog()
        let done = try await FileDownloader(client: client(server, stall: 3), directory: dir, retry: fastRetry)
            .download(item) { events.add($0) }
        #expect(done.attempts >= 2 && done.sha256 == Smol.sha256)
        // Gave up on the stall itself (3 s of silence, not the server's 15 s), then resumed where it stopped.
        let reasons = events.all.compactMap { if case .retrying(_, _, let reason, _) = $0 { reason } else { nil } }
        #expect(reasons.first?.contains("no data for too long (timed out)") == true, "\(reasons)")
        let ranges = try storageRequests(server, Smol.name).map { $0["range"] as? String }
        #expect(Array(ranges.prefix(2)) == [nil, "bytes=5000000-"], "\(ranges)")
    }
}
