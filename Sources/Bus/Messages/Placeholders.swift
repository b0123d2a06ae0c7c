// Train and download messages: minimal shapes that the Trainer and Hub issues fill in.

public enum TrainCommand: Sendable, Equatable {
    case start(configPath: String)
    case stop
}

public enum TrainEvent: Sendable, Equatable {
    case step(iteration: Int, loss: Double, tokensPerSecond: Double)
    case validation(iteration: Int, loss: Double)
    case checkpoint(path: String)
    case finished
    case failed(String)
}

public enum DownloadCommand: Sendable, Equatable {
    case fetch(repo: String, file: String)
    case cancel(repo: String, file: String)
}

public enum DownloadEvent: Sendable, Equatable {
    case progress(file: String, bytes: Int, total: Int)
    case finished(file: String, path: String)
    case failed(file: String, message: String)
}
