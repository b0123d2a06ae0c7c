// Download messages: minimal shapes that the Hub issue fills in.

public enum DownloadCommand: Sendable, Equatable {
    case fetch(repo: String, file: String)
    case cancel(repo: String, file: String)
}

public enum DownloadEvent: Sendable, Equatable {
    case progress(file: String, bytes: Int, total: Int)
    case finished(file: String, path: String)
    case failed(file: String, message: String)
}
