// Download and quantize messages: minimal shapes that the Hub and Quantizer issues fill in.

public enum DownloadCommand: Sendable, Equatable {
    case fetch(repo: String, file: String)
    case cancel(repo: String, file: String)
}

public enum DownloadEvent: Sendable, Equatable {
    case progress(file: String, bytes: Int, total: Int)
    case finished(file: String, path: String)
    case failed(file: String, message: String)
}

public enum QuantizeCommand: Sendable, Equatable {
    case start(input: String, output: String, type: String)
    case cancel
}

public enum QuantizeEvent: Sendable, Equatable {
    case progress(tensor: String, done: Int, total: Int)
    case finished(path: String)
    case failed(String)
}
