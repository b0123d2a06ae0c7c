// The download service: answers Hub searches and repository listings from the bus, and runs a queue of model
// downloads (at most `maxConcurrent` at once) with pause, resume and cancel, publishing each download's status
// (bytes, speed, ETA) about five times a second. The work itself is Hub's ModelPuller (resume, retry, sha256).
import Bus
import Foundation
import Hub

public actor DownloadService {
    private let bus: Bus
    private let client: HubClient
    private let directory: String
    private let maxConcurrent: Int
    private let retry: RetryPolicy
    private let physicalMemory: Int64
    private let publishInterval: Duration
    private var listener: Task<Void, Never>?
    private var jobs: [String: Job] = [:]
    private var order: [String] = []

    private final class Job {
        let plan: PullPlan
        var status: DownloadStatus
        var task: Task<Void, Never>?
        /// What a stop of the running task means: pause (keep the .part) or cancel (delete it).
        var stopIntent: DownloadState?
        let live: LiveProgress
        init(plan: PullPlan, status: DownloadStatus) {
            self.plan = plan
            self.status = status
            live = LiveProgress(partSizes: plan.items.map { Int($0.size ?? 0) })
        }
    }

    public init(bus: Bus, directory: ModelDirectory, client: HubClient = HubClient(), maxConcurrent: Int = 2,
                retry: RetryPolicy = RetryPolicy(), physicalMemory: Int64 = Int64(ProcessInfo.processInfo.physicalMemory),
                publishInterval: Duration = .milliseconds(200)) {
        self.bus = bus
        self.client = client
        self.directory = directory.path
        self.maxConcurrent = max(1, maxConcurrent)
        self.retry = retry
        self.physicalMemory = physicalMemory
        self.publishInterval = publishInterval
    }

    /// Subscribes to `.downloadCommands` before returning, so no command sent afterwards is missed.
    public func start() async {
        guard listener == nil else { return }
        listener = await bus.deliver(.downloadCommands, to: self) { await $0.handle($1) }
    }

    /// Stops listening and pauses every running download (their `.part` files stay for a later resume).
    public func stop() {
        listener?.cancel()
        listener = nil
        for job in jobs.values where job.task != nil {
            job.stopIntent = .paused
            job.task?.cancel()
        }
    }

    public func statuses() -> [DownloadStatus] { order.compactMap { jobs[$0]?.status } }

    func handle(_ command: DownloadCommand) async {
        switch command {
        case let .search(query, limit):
            let client = client, bus = bus
            Task {
                do {
                    let results = try await client.search(query, limit: limit)
                    await bus.publish(.searchResults(query: query, results.map(Self.summary)), on: .downloadEvents)
                } catch {
                    await bus.publish(.hubError(Self.message(error)), on: .downloadEvents)
                }
            }
        case .listFiles(let repo):
            let client = client, bus = bus, memory = physicalMemory
            let puller = ModelPuller(client: client, directory: directory)
            Task {
                do {
                    let choices = GGUFChoice.group(try await client.tree(repo)).filter { !$0.isProjector }
                    let options = choices.map { choice in
                        Self.option(choice, memory: memory,
                                    installed: puller.isInstalled(puller.plan(repo: repo, revision: "main", choice: choice)))
                    }
                    await bus.publish(.files(repo: repo, options), on: .downloadEvents)
                } catch {
                    await bus.publish(.hubError(Self.message(error)), on: .downloadEvents)
                }
            }
        case let .fetch(repo, revision, option):
            let id = Self.id(repo: repo, name: option.name)
            if let job = jobs[id] {
                if !job.status.state.isActive { requeue(job) }
                return
            }
            let choice = GGUFChoice(name: option.name, quantization: option.quantization, files: option.files.map {
                HubTreeEntry(size: Int64($0.size), path: $0.path, lfs: $0.sha256.map { [size = $0.size] oid in .init(oid: oid, size: Int64(size)) })
            })
            let plan = ModelPuller(client: client, directory: directory).plan(repo: repo, revision: revision, choice: choice)
            let job = Job(plan: plan, status: DownloadStatus(id: id, repo: repo, name: option.name,
                                                             quantization: option.quantization, state: .queued,
                                                             total: option.size))
            jobs[id] = job
            order.append(id)
            await publish(job)
            schedule()
        case .pause(let id):
            guard let job = jobs[id] else { return }
            if job.task != nil {
                job.stopIntent = .paused
                job.task?.cancel()
            } else if job.status.state == .queued {
                job.status.state = .paused
                await publish(job)
            }
        case .resume(let id):
            guard let job = jobs[id], !job.status.state.isActive else { return }
            requeue(job)
        case .cancel(let id):
            // A finished download is installed: cancelling it now would only mislabel it (removing is `lathe rm`).
            guard let job = jobs[id], !job.status.state.isFinished else { return }
            if job.task != nil {
                job.stopIntent = .cancelled
                job.task?.cancel()
            } else {
                discardParts(job)
                job.status.state = .cancelled
                await publish(job)
            }
        }
    }

    private func requeue(_ job: Job) {
        job.status.state = .queued
        job.stopIntent = nil
        let bus = bus, status = job.status
        Task { await bus.publish(.status(status), on: .downloadEvents) }
        schedule()
    }

    /// Starts queued downloads, oldest first, up to the concurrency limit.
    private func schedule() {
        var running = jobs.values.filter { $0.task != nil }.count
        for id in order where running < maxConcurrent {
            guard let job = jobs[id], job.status.state == .queued, job.task == nil else { continue }
            running += 1
            job.status.state = .running
            job.task = Task { await self.run(id) }
        }
    }

    private func run(_ id: String) async {
        guard let job = jobs[id] else { return }
        let puller = ModelPuller(client: client, directory: directory, retry: retry)
        let live = job.live
        await publish(job)
        let ticker = Task { [publishInterval] in
            while !Task.isCancelled {
                try? await Task.sleep(for: publishInterval)
                await self.tick(id)
            }
        }
        let outcome: DownloadState
        do {
            let model = try await puller.pull(job.plan) { live.record($0) }
            outcome = .finished(path: model.paths[0])
        } catch is CancellationError {
            outcome = job.stopIntent ?? .paused
        } catch {
            outcome = job.stopIntent ?? .failed(Self.message(error))
        }
        ticker.cancel()
        if outcome == .cancelled { discardParts(job) }
        job.task = nil
        job.stopIntent = nil
        let snapshot = live.snapshot()
        job.status.bytes = outcome == .cancelled ? 0 : snapshot.bytes
        if case .finished = outcome { job.status.bytes = job.status.total }
        job.status.bytesPerSecond = 0
        job.status.eta = nil
        job.status.state = outcome
        await publish(job)
        schedule()
    }

    private func tick(_ id: String) async {
        guard let job = jobs[id], job.task != nil else { return }
        let s = job.live.snapshot()
        job.status.bytes = s.bytes
        job.status.bytesPerSecond = s.rate
        job.status.eta = s.rate > 0 ? Double(max(0, job.status.total - s.bytes)) / s.rate : nil
        job.status.attempt = s.attempt
        job.status.state = s.verifying ? .verifying : .running
        await publish(job)
    }

    private func publish(_ job: Job) async { await bus.publish(.status(job.status), on: .downloadEvents) }

    private func discardParts(_ job: Job) {
        for item in job.plan.items {
            PartialDownload.discard(for: (directory as NSString).appendingPathComponent(item.destinationName))
        }
    }

    // MARK: Conversions to bus values

    static func id(repo: String, name: String) -> String { "\(repo):\(name)" }

    static func summary(_ r: HubModelListing) -> HubRepoSummary {
        HubRepoSummary(id: r.id, downloads: r.downloads ?? 0, likes: r.likes ?? 0, updated: r.lastModified ?? r.createdAt,
                       gated: r.gated?.isGated ?? false)
    }

    static func option(_ choice: GGUFChoice, memory: Int64, installed: Bool) -> HubFileOption {
        let estimate = MemoryEstimate(fileSize: choice.totalSize, physicalMemory: memory)
        let fit: HubFileOption.Fit = switch estimate.verdict {
        case .fits: .fits
        case .tight: .tight
        case .tooLarge: .tooLarge
        }
        return HubFileOption(name: choice.name, quantization: choice.quantization,
                             files: choice.files.map { RemoteFile(path: $0.path, size: Int($0.size), sha256: $0.sha256) },
                             memoryNeeded: Int(estimate.needed), fit: fit, installed: installed)
    }

    static func message(_ error: Error) -> String {
        (error as? LocalizedError)?.errorDescription ?? String(describing: error)
    }
}

/// The running download's latest figures, written from URLSession's delegate thread, read by the ticker.
final class LiveProgress: @unchecked Sendable {
    private let lock = NSLock()
    private let partSizes: [Int]
    private var bytes = 0
    private var rate = 0.0
    private var attempt = 1
    private var verifying = false

    init(partSizes: [Int]) { self.partSizes = partSizes }

    func record(_ event: PullEvent) {
        guard case let .file(index, _, _, transfer) = event else { return }
        lock.withLock {
            let before = partSizes.prefix(index).reduce(0, +)
            switch transfer {
            case .progress(let p):
                bytes = before + Int(p.bytes)
                rate = p.bytesPerSecond
                verifying = p.total.map { p.bytes >= $0 } ?? false
            case .retrying(let n, _, _, _): attempt = n
            case .requesting(let offset, _): bytes = before + Int(offset)
            case .verified: verifying = false
            }
        }
    }

    func snapshot() -> (bytes: Int, rate: Double, attempt: Int, verifying: Bool) {
        lock.withLock { (bytes, rate, attempt, verifying) }
    }
}
