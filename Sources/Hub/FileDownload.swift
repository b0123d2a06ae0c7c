// One repository file to the models directory, never losing work: bytes go to `<name>.part` (with a sidecar
// saying what they are), a broken transfer resumes with `Range` (in this run after a backoff, or in a later
// run), the sha256 is computed as bytes arrive and checked before the rename that installs the file.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

public struct DownloadItem: Sendable, Equatable {
    public var repo: String
    public var revision: String
    /// The path of the file in the repository.
    public var file: String
    public var size: Int64?
    public var sha256: String?
    /// The file name in the models directory.
    public var destinationName: String

    public init(repo: String, revision: String, file: String, size: Int64?, sha256: String?,
                destinationName: String? = nil) {
        self.repo = repo
        self.revision = revision
        self.file = file
        self.size = size
        self.sha256 = sha256?.lowercased()
        self.destinationName = destinationName ?? (file as NSString).lastPathComponent
    }

    public init(repo: String, revision: String, entry: HubTreeEntry) {
        self.init(repo: repo, revision: revision, file: entry.path, size: entry.lfs?.size ?? entry.size,
                  sha256: entry.sha256)
    }
}

public struct TransferProgress: Sendable, Equatable {
    public var bytes: Int64
    public var total: Int64?
    /// Over the last few seconds.
    public var bytesPerSecond: Double
    public var etaSeconds: Double? {
        guard let total, bytesPerSecond > 0 else { return nil }
        return Double(max(0, total - bytes)) / bytesPerSecond
    }
    public init(bytes: Int64, total: Int64?, bytesPerSecond: Double) {
        self.bytes = bytes
        self.total = total
        self.bytesPerSecond = bytesPerSecond
    }
}

public enum TransferEvent: Sendable, Equatable {
    /// A request went out; `offset` > 0 means it resumes (from a `.part` of an earlier attempt or run).
    case requesting(offset: Int64, attempt: Int)
    case progress(TransferProgress)
    case retrying(attempt: Int, maxAttempts: Int, reason: String, delay: Double)
    case verified(sha256: String)
}

public struct RetryPolicy: Sendable, Equatable {
    public var maxAttempts: Int
    public var initialDelay: Double
    public var maxDelay: Double

    public init(maxAttempts: Int = 6, initialDelay: Double = 0.5, maxDelay: Double = 8) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
    }

    /// Exponential backoff: initial, 2×, 4×… capped.
    public func delay(afterAttempt attempt: Int) -> Double {
        min(maxDelay, initialDelay * pow(2, Double(max(0, attempt - 1))))
    }
}

public struct DownloadedFile: Sendable, Equatable {
    public var path: String
    public var sha256: String
    public var size: Int64
    /// The commit the Hub served the file from (X-Repo-Commit), when it said.
    public var commit: String?
    /// Bytes that were already in a `.part` from an earlier run when this one started.
    public var resumedFrom: Int64
    public var attempts: Int
}

public struct FileDownloader: Sendable {
    public var client: HubClient
    public var directory: String
    public var retry: RetryPolicy
    /// Seconds between progress events.
    public var progressInterval: Double

    public init(client: HubClient, directory: String, retry: RetryPolicy = RetryPolicy(), progressInterval: Double = 0.2) {
        self.client = client
        self.directory = directory
        self.retry = retry
        self.progressInterval = progressInterval
    }

    /// Downloads `item` into the models directory and returns the installed file. On cancellation the `.part`
    /// stays for a later resume; on a checksum/size mismatch or a full disk it is removed.
    public func download(_ item: DownloadItem,
                         events: @escaping @Sendable (TransferEvent) -> Void = { _ in }) async throws -> DownloadedFile {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let destination = (directory as NSString).appendingPathComponent(item.destinationName)
        let partPath = PartialDownload.partPath(for: destination)
        let url = client.resolveURL(repo: item.repo, revision: item.revision, file: item.file)
        var meta = PartialDownload(repo: item.repo, revision: item.revision, file: item.file, url: url.absoluteString,
                                   etag: nil, sha256: item.sha256, size: item.size, commit: nil)
        // Resume only bytes known to be of the same file (same sha256); anything else starts over.
        if let old = PartialDownload.load(for: destination), old.sameContent(as: meta) {
            meta.etag = old.etag
            meta.commit = old.commit
        } else {
            PartialDownload.discard(for: destination)
        }
        let sink = try PartFileSink(path: partPath, expectedSize: item.size, directory: directory,
                                    interval: progressInterval, events: events)
        defer { sink.close() }
        let resumedFrom = sink.written
        try meta.save(for: destination)

        var attempt = 0
        var commit: String?
        while true {
            attempt += 1
            try Task.checkCancellation()
            do {
                events(.requesting(offset: sink.written, attempt: attempt))
                let done = try await transfer(url, item: item, sink: sink, meta: &meta, destination: destination)
                commit = done ?? commit
                break
            } catch let error as HubError where error.isRetryable && attempt < retry.maxAttempts {
                let delay = retry.delay(afterAttempt: attempt)
                events(.retrying(attempt: attempt + 1, maxAttempts: retry.maxAttempts,
                                 reason: error.errorDescription ?? "\(error)", delay: delay))
                try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
            } catch let error as HubError {
                if case .diskFull = error { PartialDownload.discard(for: destination) }
                if case .sizeMismatch = error { PartialDownload.discard(for: destination) }
                if sink.written == 0 { PartialDownload.discard(for: destination) }    // nothing worth resuming
                throw error
            }
        }

        // Complete: check size and sha256, then install with one rename.
        let size = sink.written
        try sink.sync()
        if let expected = item.size ?? meta.size, expected != size {
            PartialDownload.discard(for: destination)
            throw HubError.sizeMismatch(file: item.file, expected: expected, actual: size)
        }
        let digest = sink.finalizeHash()
        if let expected = item.sha256 ?? meta.sha256, expected != digest {
            PartialDownload.discard(for: destination)
            throw HubError.checksumMismatch(file: item.file, expected: expected, actual: digest)
        }
        sink.emitProgress()
        events(.verified(sha256: digest))
        sink.close()
        guard rename(partPath, destination) == 0 else {
            throw HubError.io(path: destination, reason: String(cString: strerror(errno)))
        }
        unlink(PartialDownload.sidecarPath(for: destination))
        AtomicWrite.syncDirectory(directory)
        return DownloadedFile(path: destination, sha256: digest, size: size, commit: commit ?? meta.commit,
                              resumedFrom: resumedFrom, attempts: attempt)
    }

    /// One request from the current `.part` length to the end. Returns the repo commit when the Hub named it.
    private func transfer(_ url: URL, item: DownloadItem, sink: PartFileSink, meta: inout PartialDownload,
                          destination: String) async throws -> String? {
        let offset = sink.written
        if let size = item.size, offset == size, size > 0 { return nil }     // already complete (an earlier run)
        var headers = ["Accept-Encoding": "identity"]
        if offset > 0 { headers["Range"] = "bytes=\(offset)-" }
        sink.prepare(offset: offset)
        let result = try await client.transport.send(url, headers: headers, token: client.endpoint.token,
                                                     tokenOrigin: client.endpoint.baseURL, sink: sink)
        // The Hub's own answer (before the redirect to storage) carries the file's metadata.
        let hub = result.redirects.first ?? result.response
        let etag = (hub.value(forHTTPHeaderField: "X-Linked-Etag") ?? hub.value(forHTTPHeaderField: "ETag"))
            .map(Self.normalizeEtag)
        let commit = hub.value(forHTTPHeaderField: "X-Repo-Commit")
        if let etag, meta.etag != etag || meta.commit != commit {
            meta.etag = etag
            meta.commit = commit
            if meta.sha256 == nil, etag.count == 64, etag.allSatisfy(\.isHexDigit) { meta.sha256 = etag.lowercased() }
            if meta.size == nil, let size = hub.value(forHTTPHeaderField: "X-Linked-Size").flatMap(Int64.init) { meta.size = size }
            try? meta.save(for: destination)
        }
        if result.status == 416, offset > 0 {
            // Nothing after `offset`: the .part already holds the whole file, or the file changed size.
            let total = result.header("Content-Range").flatMap { $0.split(separator: "/").last.flatMap { Int64($0) } }
            if total == offset { return commit }
            sink.restart()
            throw HubError.transport(url: url.absoluteString, reason: "the server refused to resume (HTTP 416); starting over")
        }
        try client.check(result, repo: item.repo, revision: item.revision, file: item.file)
        if let failure = sink.incomplete() {
            throw HubError.transport(url: result.url.absoluteString, reason: failure)
        }
        return commit
    }

    /// `W/"abc"` → `abc`.
    static func normalizeEtag(_ raw: String) -> String {
        var s = raw.trimmingCharacters(in: .whitespaces)
        if s.hasPrefix("W/") { s.removeFirst(2) }
        return s.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }
}
