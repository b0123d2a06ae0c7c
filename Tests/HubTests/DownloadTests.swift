// Downloads against the Hub look-alike: the real SmolLM2 file end to end with its sha256; a connection cut
// mid-file resumes with Range; a corrupted byte is caught and nothing is installed; 5xx are retried with
// backoff and give up after the bounded attempts; a cancelled download resumes later from its `.part`; a server
// that ignores Range still yields a verified file.
import Foundation
import Hub
import LatheTestSupport
import Testing

@Suite struct DownloadTests {
    @Test func realModelDownloadsVerifiesAndInstalls() async throws {
        let server = try HubTestServer(repos: [.init("test/smol", files: [Smol.file])])
        defer { server.stop() }
        let dir = try scratchDirectory("dl")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let events = EventLog()
        let item = DownloadItem(repo: "test/smol", revision: "main", file: Smol.name, size: Smol.size, sha256: Smol.sha256)
        let done = try await FileDownloader(client: client(server), directory: dir).download(item) { events.add($0) }
        #expect(done.sha256 == Smol.sha256 && done.size == Smol.size && done.resumedFrom == 0 && done.attempts == 1)
        #expect(done.commit == "0123456789abcdef0123456789abcdef01234567")
        #expect(try SHA256Hasher.hex(ofFile: done.path) == Smol.sha256)
        #expect(files(in: dir) == [Smol.name])                     // no .part, no sidecar left
        #expect(events.all.contains(.verified(sha256: Smol.sha256)))
        let last = events.all.compactMap { if case .progress(let p) = $0 { p } else { nil } }.last
        #expect(last?.bytes == Smol.size && last?.total == Smol.size)
    }

    @Test func cutConnectionResumesWithRangeAndVerifies() async throws {
        let server = try HubTestServer(repos: [.init("test/cut", files: [Smol.file],
                                                     faults: ["cut_after": 30_000_000, "cut_times": 2])])
        defer { server.stop() }
        let dir = try scratchDirectory("cut")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let events = EventLog()
        let item = DownloadItem(repo: "test/cut", revision: "main", file: Smol.name, size: Smol.size, sha256: Smol.sha256)
        let done = try await FileDownloader(client: client(server), directory: dir, retry: fastRetry)
            .download(item) { events.add($0) }
        #expect(done.sha256 == Smol.sha256 && done.attempts == 3)
        let ranges = try storageRequests(server, Smol.name).map { $0["range"] as? String }
        #expect(ranges == [nil, "bytes=30000000-", "bytes=60000000-"])
        #expect(events.all.filter { if case .retrying = $0 { true } else { false } }.count == 2)
        #expect(files(in: dir) == [Smol.name])
    }

    @Test func corruptedByteIsCaughtAndNothingInstalled() async throws {
        let server = try HubTestServer(repos: [.init("test/bad", files: [Smol.file], faults: ["corrupt_at": 12_345_678])])
        defer { server.stop() }
        let dir = try scratchDirectory("bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let item = DownloadItem(repo: "test/bad", revision: "main", file: Smol.name, size: Smol.size, sha256: Smol.sha256)
        do {
            _ = try await FileDownloader(client: client(server), directory: dir).download(item)
            Issue.record("a corrupted download was accepted")
        } catch let HubError.checksumMismatch(file, expected, actual) {
            #expect(file == Smol.name && expected == Smol.sha256 && actual != Smol.sha256)
        }
        #expect(files(in: dir).isEmpty)
    }

    @Test func serverErrorsAreRetriedThenGiveUp() async throws {
        let server = try HubTestServer(repos: [
            .init("test/flaky", files: [Smol.file], faults: ["status": 503, "status_times": 2]),
            .init("test/down", files: [Smol.file], faults: ["status": 500, "status_times": 100]),
        ])
        defer { server.stop() }
        let dir = try scratchDirectory("5xx")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let downloader = FileDownloader(client: client(server), directory: dir, retry: fastRetry)
        let flaky = try await downloader.download(DownloadItem(repo: "test/flaky", revision: "main", file: Smol.name,
                                                               size: Smol.size, sha256: Smol.sha256))
        #expect(flaky.attempts == 3 && flaky.sha256 == Smol.sha256)
        try FileManager.default.removeItem(atPath: flaky.path)
        do {
            _ = try await downloader.download(DownloadItem(repo: "test/down", revision: "main", file: Smol.name,
                                                           size: Smol.size, sha256: Smol.sha256))
            Issue.record("a permanently failing server was not reported")
        } catch let error as HubError {
            guard case .http(_, 500, _) = error else { Issue.record("unexpected \(error)"); return }
            #expect(error.localizedDescription.contains("HTTP 500"))
        }
        let resolves = try server.requests().filter { ($0["path"] as? String)?.hasPrefix("/test/down/resolve") == true }
        #expect(resolves.count == fastRetry.maxAttempts)
    }

    @Test func cancelledDownloadKeepsPartAndALaterOneResumes() async throws {
        let server = try HubTestServer(repos: [.init("test/slow", files: [Smol.file], faults: ["rate": 15_000_000])])
        defer { server.stop() }
        let dir = try scratchDirectory("pause")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let item = DownloadItem(repo: "test/slow", revision: "main", file: Smol.name, size: Smol.size, sha256: Smol.sha256)
        let downloader = FileDownloader(client: client(server), directory: dir)
        let seen = EventLog()
        let task = Task { try await downloader.download(item) { seen.add($0) } }
        // Pause (cancel) once at least 10 MB are on disk, watching from a thread of its own so a busy pool
        // cannot make the cancel late.
        try await offPool {
            let deadline = Date().addingTimeInterval(600)  // generous: CI runs every suite at once on 2 cores
            while seen.bytes < 10_000_000, Date() < deadline { usleep(5_000) }
            task.cancel()
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        let part = dir + "/" + Smol.name + ".part"
        let kept = (try FileManager.default.attributesOfItem(atPath: part)[.size] as? Int64) ?? 0
        #expect(kept > 0 && kept < Smol.size)  // ≥ 10 MB unless the machine starved the transfer for 10 minutes
        #expect(FileManager.default.fileExists(atPath: part + ".json"))
        // Resume with a fresh downloader (as after a restart): it asks only for the rest.
        let fast = try HubTestServer(repos: [.init("test/slow", files: [Smol.file])])
        defer { fast.stop() }
        let done = try await FileDownloader(client: client(fast), directory: dir).download(item)
        #expect(done.resumedFrom == kept && done.sha256 == Smol.sha256)
        #expect(try storageRequests(fast, Smol.name).map { $0["range"] as? String } == ["bytes=\(kept)-"])
        #expect(files(in: dir) == [Smol.name])
    }

    @Test func serverIgnoringRangeStillYieldsAVerifiedFile() async throws {
        let server = try HubTestServer(repos: [.init("test/norange", files: [Smol.file],
                                                     faults: ["cut_after": 5_000_000, "cut_times": 1, "ignore_range": true])])
        defer { server.stop() }
        let dir = try scratchDirectory("norange")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let item = DownloadItem(repo: "test/norange", revision: "main", file: Smol.name, size: Smol.size, sha256: Smol.sha256)
        let done = try await FileDownloader(client: client(server), directory: dir, retry: fastRetry).download(item)
        #expect(done.sha256 == Smol.sha256 && done.attempts == 2)
    }
}

/// Collects events from the downloader's delegate thread.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [TransferEvent] = []
    func add(_ event: TransferEvent) { lock.withLock { events.append(event) } }
    var all: [TransferEvent] { lock.withLock { events } }
    var bytes: Int64 {
        lock.withLock { events.compactMap { if case .progress(let p) = $0 { p.bytes } else { nil } }.last ?? 0 }
    }
}
