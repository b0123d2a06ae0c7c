// Quantize messages: minimal shapes that the Quantizer issue fills in.

public enum QuantizeCommand: Sendable, Equatable {
    case start(input: String, output: String, type: String)
    case cancel
}

public enum QuantizeEvent: Sendable, Equatable {
    case progress(tensor: String, done: Int, total: Int)
    case finished(path: String)
    case failed(String)
}
