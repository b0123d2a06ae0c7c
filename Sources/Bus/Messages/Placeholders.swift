// Train and quantize messages: minimal shapes that the Trainer and Quantizer issues fill in.

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

public enum QuantizeCommand: Sendable, Equatable {
    case start(input: String, output: String, type: String)
    case cancel
}

public enum QuantizeEvent: Sendable, Equatable {
    case progress(tensor: String, done: Int, total: Int)
    case finished(path: String)
    case failed(String)
}
