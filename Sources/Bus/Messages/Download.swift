// Hub search, repository files and downloads: commands from the TUI to the download service and its events.
// Plain values (the Bus knows nothing of the Hub target); sizes in bytes.

/// A repository found by a Hub search.
public struct HubRepoSummary: Sendable, Equatable {
    public var id: String
    public var downloads: Int
    public var likes: Int
    /// ISO 8601 date of the last change, when the Hub said.
    public var updated: String?
    public var gated: Bool

    public init(id: String, downloads: Int = 0, likes: Int = 0, updated: String? = nil, gated: Bool = false) {
        self.id = id
        self.downloads = downloads
        self.likes = likes
        self.updated = updated
        self.gated = gated
    }
}

/// One file of a repository as stored on the Hub.
public struct RemoteFile: Sendable, Equatable {
    public var path: String
    public var size: Int
    public var sha256: String?
    public init(path: String, size: Int, sha256: String?) {
        self.path = path
        self.size = size
        self.sha256 = sha256
    }
}

/// A model a repository offers: one GGUF file, or the parts of a split one, with what it needs to run here.
public struct HubFileOption: Sendable, Equatable {
    public enum Fit: String, Sendable, Equatable { case fits, tight, tooLarge = "too large" }

    public var name: String
    public var quantization: String?
    public var files: [RemoteFile]
    public var size: Int
    /// Estimated memory to run it, and how that compares with this machine's RAM.
    public var memoryNeeded: Int
    public var fit: Fit
    /// Already in the local library with the same sha256.
    public var installed: Bool

    public init(name: String, quantization: String?, files: [RemoteFile], memoryNeeded: Int, fit: Fit,
                installed: Bool = false) {
        self.name = name
        self.quantization = quantization
        self.files = files
        self.size = files.reduce(0) { $0 + $1.size }
        self.memoryNeeded = memoryNeeded
        self.fit = fit
        self.installed = installed
    }
}

public enum DownloadState: Sendable, Equatable {
    case queued, running, paused, verifying
    case finished(path: String)
    case failed(String)
    case cancelled

    public var isActive: Bool { self == .queued || self == .running || self == .verifying }
    public var isFinished: Bool { if case .finished = self { true } else { false } }
}

/// Where one queued download stands; published on every change and about 5 times a second while running.
public struct DownloadStatus: Sendable, Equatable {
    /// "repo/name:file-name": one download per model.
    public var id: String
    public var repo: String
    public var name: String
    public var quantization: String?
    public var state: DownloadState
    public var bytes: Int
    public var total: Int
    public var bytesPerSecond: Double
    /// Seconds left at the current speed.
    public var eta: Double?
    public var attempt: Int

    public init(id: String, repo: String, name: String, quantization: String?, state: DownloadState, bytes: Int = 0,
                total: Int, bytesPerSecond: Double = 0, eta: Double? = nil, attempt: Int = 1) {
        self.id = id
        self.repo = repo
        self.name = name
        self.quantization = quantization
        self.state = state
        self.bytes = bytes
        self.total = total
        self.bytesPerSecond = bytesPerSecond
        self.eta = eta
        self.attempt = attempt
    }

    public var fraction: Double { total > 0 ? min(1, Double(bytes) / Double(total)) : 0 }
}

public enum DownloadCommand: Sendable, Equatable {
    /// Search GGUF repositories; answered with `DownloadEvent.searchResults`.
    case search(query: String, limit: Int)
    /// List a repository's GGUF models; answered with `DownloadEvent.files`.
    case listFiles(repo: String)
    /// Queue a download of one model (all its parts) into the models directory.
    case fetch(repo: String, revision: String, option: HubFileOption)
    /// Stop a download and keep its `.part` for `resume`.
    case pause(id: String)
    case resume(id: String)
    /// Stop a download and delete its `.part`.
    case cancel(id: String)
}

public enum DownloadEvent: Sendable, Equatable {
    case searchResults(query: String, [HubRepoSummary])
    case files(repo: String, [HubFileOption])
    /// A search or listing failed (the message says why and what to do).
    case hubError(String)
    case status(DownloadStatus)
}
