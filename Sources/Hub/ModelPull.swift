// `pull REPO[:QUANT or :FILE]` as a library call: list the repo's files, pick the model, check the disk has
// room for all of it, download each part (resuming any `.part`), then record the model in the manifest.
import Foundation

public struct PullPlan: Sendable, Equatable {
    public var repo: String
    public var revision: String
    public var choice: GGUFChoice
    public var items: [DownloadItem]
}

public enum PullEvent: Sendable, Equatable {
    /// File `index` (from 0) of `count` in the plan.
    case file(index: Int, count: Int, name: String, TransferEvent)
    case alreadyInstalled(name: String)
}

public struct ModelPuller: Sendable {
    public var downloader: FileDownloader
    public var library: ModelLibrary

    public init(client: HubClient, directory: String, retry: RetryPolicy = RetryPolicy(), progressInterval: Double = 0.2) {
        downloader = FileDownloader(client: client, directory: directory, retry: retry, progressInterval: progressInterval)
        library = ModelLibrary(directory: directory)
    }

    public func plan(_ spec: PullSpec, revision: String = "main") async throws -> PullPlan {
        let entries = try await downloader.client.tree(spec.repo, revision: revision)
        let choice = try GGUFChoice.pick(GGUFChoice.group(entries), wanted: spec.selector, repo: spec.repo)
        return plan(repo: spec.repo, revision: revision, choice: choice)
    }

    public func plan(repo: String, revision: String, choice: GGUFChoice) -> PullPlan {
        let items = choice.files.map { DownloadItem(repo: repo, revision: revision, entry: $0) }
        return PullPlan(repo: repo, revision: revision, choice: choice, items: items)
    }

    /// True when the manifest lists this model with the same sha256 for every file and the files are there.
    public func isInstalled(_ plan: PullPlan) -> Bool {
        guard let entry = library.entries().first(where: { $0.name == plan.choice.name }),
              entry.files.count == plan.items.count else { return false }
        return zip(entry.files, plan.items).allSatisfy { file, item in
            let path = (library.directory as NSString).appendingPathComponent(file.name)
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? -1
            return item.sha256 != nil && file.sha256 == item.sha256 && size == file.size
        }
    }

    /// Bytes still to fetch: the plan's sizes less what `.part` files already hold.
    public func remainingBytes(_ plan: PullPlan) -> Int64 {
        plan.items.reduce(0) { total, item in
            let destination = (library.directory as NSString).appendingPathComponent(item.destinationName)
            let part = (try? FileManager.default.attributesOfItem(atPath: PartialDownload.partPath(for: destination))[.size] as? Int64) ?? 0
            let resumable = PartialDownload.load(for: destination)?.sha256 == item.sha256 ? part : 0
            return total + max(0, (item.size ?? 0) - resumable)
        }
    }

    public func pull(_ plan: PullPlan, events: @escaping @Sendable (PullEvent) -> Void = { _ in }) async throws -> LocalModel {
        if isInstalled(plan) {
            events(.alreadyInstalled(name: plan.choice.name))
            return try library.resolve(plan.choice.name)
        }
        try FileManager.default.createDirectory(atPath: library.directory, withIntermediateDirectories: true)
        try DiskSpace.ensure(remainingBytes(plan), in: library.directory)
        var files: [LibraryFile] = []
        var commit: String?
        for (index, item) in plan.items.enumerated() {
            let name = item.destinationName
            let done = try await downloader.download(item) { event in
                events(.file(index: index, count: plan.items.count, name: name, event))
            }
            commit = commit ?? done.commit
            files.append(LibraryFile(name: item.destinationName, sha256: done.sha256, size: done.size, repoPath: item.file))
        }
        try library.record(LibraryEntry(name: plan.choice.name, source: "hub", repo: plan.repo, revision: plan.revision,
                                        commit: commit, quantization: plan.choice.quantization, files: files))
        return try library.resolve(plan.choice.name)
    }
}
