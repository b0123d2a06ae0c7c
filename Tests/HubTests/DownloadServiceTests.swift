// The download service over a real bus and the Hub look-alike: search and listing answers, a queued download
// with progress that finishes into the library, pause/resume that continues with Range, the concurrency limit,
// and cancel that deletes the partial file.
import Bus
import Foundation
import Hub
import LatheTestSupport
import Testing
import Workbench

@Suite struct DownloadServiceTests {
    /// Collects download events from the bus; waits synchronously-polled with a deadline.
    final class Events: @unchecked Sendable {
        private let lock = NSLock()
        private var events: [DownloadEvent] = []
        private var task: Task<Void, Never>?
        init(_ stream: AsyncStream<DownloadEvent>) {
            task = Task { for await e in stream { self.lock.withLock { self.events.append(e) } } }
        }
        var all: [DownloadEvent] { lock.withLock { events } }
        func statuses(_ id: String) -> [DownloadStatus] {
            all.compactMap { if case .status(let s) = $0, s.id == id { s } else { nil } }
        }
        /// Polls every 20 ms, up to `seconds` worth of polls: counted in polls rather than wall-clock time, since
        /// other tests blocking the concurrency pool hold up this loop and the service alike.
        func wait(_ what: String, seconds: Double = 30, _ found: ([DownloadEvent]) -> Bool) async throws {
            for _ in 0..<Int(seconds * 50) {
                if found(all) { return }
                try await Task.sleep(nanoseconds: 20_000_000)
            }
            if found(all) { return }
            Issue.record("timed out waiting for \(what); events: \(all.suffix(5))")
            throw CancellationError()
        }
        deinit { task?.cancel() }
    }

    private func setUp(_ repos: [HubTestServer.Repo], maxConcurrent: Int = 2, stall: Double = 10) async throws
        -> (HubTestServer, Bus, DownloadService, Events, String) {
        let server = try HubTestServer(repos: repos)
        let dir = try scratchDirectory("svc")
        let bus = Bus()
        let events = Events(await bus.subscribe(.downloadEvents))
        let service = DownloadService(bus: bus, directory: ModelDirectory(explicit: dir), client: client(server, stall: stall),
                                      maxConcurrent: maxConcurrent, retry: fastRetry,
                                      physicalMemory: 24 << 30, publishInterval: .milliseconds(50))
        await service.start()
        return (server, bus, service, events, dir)
    }

    private func option(_ events: Events, repo: String) -> HubFileOption? {
        for case .files(let r, let options) in events.all where r == repo { return options.first }
        return nil
    }

    @Test func searchListDownloadIntoTheLibrary() async throws {
        let (server, bus, service, events, dir) = try await setUp([.init("test/smol-gguf", files: [Smol.file, .text("README.md", "hi")], downloads: 7)])
        defer { server.stop(); try? FileManager.default.removeItem(atPath: dir) }
        await bus.publish(.search(query: "smol", limit: 5), on: .downloadCommands)
        try await events.wait("search results") { $0.contains { if case .searchResults = $0 { true } else { false } } }
        #expect(events.all.contains(.searchResults(query: "smol", [HubRepoSummary(id: "test/smol-gguf", downloads: 7, likes: 0,
                                                                                   updated: "2024-11-01T10:00:00.000Z")])))
        await bus.publish(.listFiles(repo: "test/smol-gguf"), on: .downloadCommands)
        try await events.wait("files") { _ in option(events, repo: "test/smol-gguf") != nil }
        let smol = try #require(option(events, repo: "test/smol-gguf"))
        #expect(smol.quantization == "Q4_1" && smol.size == Int(Smol.size) && smol.fit == .fits && !smol.installed)
        #expect(smol.files == [RemoteFile(path: Smol.name, size: Int(Smol.size), sha256: Smol.sha256)])

        await bus.publish(.fetch(repo: "test/smol-gguf", revision: "main", option: smol), on: .downloadCommands)
        let id = "test/smol-gguf:\(Smol.name)"
        try await events.wait("finished") { _ in events.statuses(id).contains { if case .finished = $0.state { true } else { false } } }
        let states = events.statuses(id).map(\.state)
        #expect(states.first == .queued && states.contains(.running))
        #expect(states.last == .finished(path: dir + "/" + Smol.name))
        #expect(try SHA256Hasher.hex(ofFile: dir + "/" + Smol.name) == Smol.sha256)
        let entry = try #require(ModelLibrary(directory: dir).entries().first)
        #expect(entry.repo == "test/smol-gguf" && entry.files.first?.sha256 == Smol.sha256 && entry.quantization == "Q4_1")
        await service.stop()
    }

    @Test func pauseKeepsThePartAndResumeContinuesWithRange() async throws {
        let (server, bus, service, events, dir) = try await setUp([.init("test/slow", files: [Smol.file],
                                                                                  faults: ["stall_after": 20_000_000, "stall_times": 1, "stall_seconds": 300])],
                                                                  stall: 200)
        defer { server.stop(); try? FileManager.default.removeItem(atPath: dir) }
        await bus.publish(.listFiles(repo: "test/slow"), on: .downloadCommands)
        try await events.wait("files") { _ in option(events, repo: "test/slow") != nil }
        let smol = try #require(option(events, repo: "test/slow"))
        let id = "test/slow:\(Smol.name)"
        await bus.publish(.fetch(repo: "test/slow", revision: "main", option: smol), on: .downloadCommands)
        // The server goes quiet after 20 MB, for longer than the test and than the client's stall timeout, so the
        // pause lands mid-file however busy the machine is.
        try await events.wait("20 MB") { _ in events.statuses(id).contains { $0.bytes >= 20_000_000 && $0.state == .running } }
        let running = try #require(events.statuses(id).last { $0.state == .running })
        #expect(running.total == Int(Smol.size) && running.attempt == 1)
        await bus.publish(.pause(id: id), on: .downloadCommands)
        try await events.wait("paused") { _ in events.statuses(id).last?.state == .paused }
        let kept = Int((try FileManager.default.attributesOfItem(atPath: dir + "/" + Smol.name + ".part")[.size] as? Int64) ?? 0)
        #expect(kept == 20_000_000)
        await bus.publish(.resume(id: id), on: .downloadCommands)
        try await events.wait("finished", seconds: 60) { _ in events.statuses(id).last.map { if case .finished = $0.state { true } else { false } } ?? false }
        // One request from zero, then only ranged ones from at least what was kept (never starting over).
        let ranges = try storageRequests(server, Smol.name).map { $0["range"] as? String }
        let starts = ranges.compactMap { $0.flatMap { Int($0.dropFirst("bytes=".count).dropLast()) } }
        #expect(ranges.filter { $0 == nil }.count == 1 && !starts.isEmpty && starts.allSatisfy { $0 >= kept }, "\(ranges)")
        #expect(try SHA256Hasher.hex(ofFile: dir + "/" + Smol.name) == Smol.sha256)
        await service.stop()
    }

    @Test func queueRespectsTheConcurrencyLimitAndCancelDeletesThePart() async throws {
        let (server, bus, service, events, dir) = try await setUp([
            // a's transfer stops after 2 MB and stays silent (the client waits up to 900 s), so the cancel lands
            // mid-transfer however late a loaded machine delivers it.
            .init("test/a", files: [Smol.file], faults: ["stall_after": 2_000_000, "stall_times": 1, "stall_seconds": 900]),
            .init("test/b", files: [.local("other-Q4_1.gguf", from: Smol.path)]),
        ], maxConcurrent: 1, stall: 900)
        defer { server.stop(); try? FileManager.default.removeItem(atPath: dir) }
        for repo in ["test/a", "test/b"] { await bus.publish(.listFiles(repo: repo), on: .downloadCommands) }
        try await events.wait("files") { _ in option(events, repo: "test/a") != nil && option(events, repo: "test/b") != nil }
        let a = "test/a:\(Smol.name)", b = "test/b:other-Q4_1.gguf"
        await bus.publish(.fetch(repo: "test/a", revision: "main", option: option(events, repo: "test/a")!), on: .downloadCommands)
        await bus.publish(.fetch(repo: "test/b", revision: "main", option: option(events, repo: "test/b")!), on: .downloadCommands)
        try await events.wait("a running") { _ in events.statuses(a).contains { $0.bytes > 1_000_000 } }
        #expect(events.statuses(b).map(\.state) == [.queued])          // waits for a's slot
        await bus.publish(.cancel(id: a), on: .downloadCommands)
        try await events.wait("b finished", seconds: 60) { _ in events.statuses(b).last.map { if case .finished = $0.state { true } else { false } } ?? false }
        #expect(events.statuses(a).last?.state == .cancelled)
        #expect(files(in: dir).filter { $0.hasSuffix(".gguf") || $0.contains(".part") } == ["other-Q4_1.gguf"])
        // Cancelling a finished download changes nothing; the listing after it shows the cancel was handled.
        await bus.publish(.cancel(id: b), on: .downloadCommands)
        await bus.publish(.listFiles(repo: "test/b"), on: .downloadCommands)
        try await events.wait("second listing") { all in all.filter { if case .files("test/b", _) = $0 { true } else { false } }.count == 2 }
        #expect(events.statuses(b).last?.state.isFinished == true)
        #expect(files(in: dir).contains("other-Q4_1.gguf"))
        await service.stop()
    }
}

/// A split model through the TUI's path: the Models pane lists it as one option with the summed size, the queued
/// download fetches every part into the library, and the Model service loads it from the path the queue reports.
@Suite struct SplitDownloadServiceTests {
    @Test func splitModelDownloadsAsOneAndLoads() async throws {
        let parts = try await offPool { try SplitSmolLM2.parts() }
        let names = (1...3).map(SplitSmolLM2.partName)
        let server = try HubTestServer(repos: [.init("test/split-gguf", files: zip(names, parts).map { .local("Q4_1/\($0)", from: $1) })])
        let dir = try scratchDirectory("svc-split")
        defer { server.stop(); try? FileManager.default.removeItem(atPath: dir) }
        let bus = Bus()
        let events = DownloadServiceTests.Events(await bus.subscribe(.downloadEvents))
        let service = DownloadService(bus: bus, directory: ModelDirectory(explicit: dir), client: client(server),
                                      maxConcurrent: 2, retry: fastRetry, physicalMemory: 24 << 30,
                                      publishInterval: .milliseconds(50))
        await service.start()
        defer { Task { await service.stop() } }
        await bus.publish(.listFiles(repo: "test/split-gguf"), on: .downloadCommands)
        try await events.wait("files") { all in all.contains { if case .files("test/split-gguf", _) = $0 { true } else { false } } }
        let options: [HubFileOption] = events.all.compactMap { event -> [HubFileOption]? in
            if case .files("test/split-gguf", let o) = event { return o }
            return nil
        }.first ?? []
        #expect(options.count == 1)
        let option = try #require(options.first)
        let sizes = try parts.map { try #require(FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int) }
        #expect(option.name == SplitSmolLM2.modelName && option.quantization == "Q4_1" && option.files.count == 3)
        #expect(option.size == sizes.reduce(0, +) && option.files.map(\.size) == sizes)

        await bus.publish(.fetch(repo: "test/split-gguf", revision: "main", option: option), on: .downloadCommands)
        let id = "test/split-gguf:\(SplitSmolLM2.modelName)"
        try await events.wait("finished", seconds: 120) { _ in
            events.statuses(id).contains { if case .finished = $0.state { true } else if case .failed = $0.state { true } else { false } }
        }
        let first = dir + "/" + names[0]
        #expect(events.statuses(id).last?.state == .finished(path: first))
        #expect(files(in: dir).filter { $0.hasSuffix(".gguf") } == names)

        let models = ModelService(bus: bus, host: EngineHost(threads: 2), directory: ModelDirectory(explicit: dir))
        #expect(await models.scan().map(\.path) == [first])
        await models.load(first)
        #expect(await models.loadedPath == first)
    }
}
