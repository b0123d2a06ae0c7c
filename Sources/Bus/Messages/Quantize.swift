// Quantize pane <-> QuantizerService: estimate a quantization, run it with per-tensor progress, cancel it,
// and measure the result (perplexity and KL divergence against the input model) on request.

public struct QuantizeRequest: Sendable, Equatable {
    public var input: String
    public var output: String
    /// A file type spelled as llama-quantize spells it ("Q4_K_M", "Q8_0", "F16").
    public var type: String
    public var allowRequantize: Bool

    public init(input: String, output: String, type: String, allowRequantize: Bool = true) {
        self.input = input
        self.output = output
        self.type = type
        self.allowRequantize = allowRequantize
    }
}

public enum QuantizeCommand: Sendable, Equatable {
    /// Plan a quantization and report its estimated size (answered with `.estimate`).
    case estimate(input: String, type: String)
    case start(QuantizeRequest)
    /// Stop the running quantization; its partial output is removed.
    case cancel
    /// Perplexity of `quantized` and `base` and their KL divergence on the service's evaluation text.
    case evaluate(base: String, quantized: String)
}

/// One tensor of a run: reported when it is done.
public struct QuantizeTensorRow: Sendable, Equatable {
    public var index: Int
    public var name: String
    /// GGUF dims (fastest first).
    public var shape: [Int]
    public var from: String
    public var to: String
    /// Relative RMS error of the conversion (nil when the tensor was copied).
    public var relativeError: Double?

    public init(index: Int, name: String, shape: [Int], from: String, to: String, relativeError: Double?) {
        self.index = index
        self.name = name
        self.shape = shape
        self.from = from
        self.to = to
        self.relativeError = relativeError
    }
}

public struct QuantizeEstimate: Sendable, Equatable {
    public var input: String
    public var type: String
    public var inputBytes: Int
    public var outputBytes: Int
    public var tensors: Int
    /// Already-quantized tensors would be requantized (lower quality than from F16/F32).
    public var requantizes: Bool

    public init(input: String, type: String, inputBytes: Int, outputBytes: Int, tensors: Int, requantizes: Bool) {
        self.input = input
        self.type = type
        self.inputBytes = inputBytes
        self.outputBytes = outputBytes
        self.tensors = tensors
        self.requantizes = requantizes
    }
}

public struct QuantizeEvaluation: Sendable, Equatable {
    public var basePPL: Double
    public var quantizedPPL: Double
    public var meanKLD: Double
    public var top1Agreement: Double

    public init(basePPL: Double, quantizedPPL: Double, meanKLD: Double, top1Agreement: Double) {
        self.basePPL = basePPL
        self.quantizedPPL = quantizedPPL
        self.meanKLD = meanKLD
        self.top1Agreement = top1Agreement
    }
}

public enum QuantizeEvent: Sendable, Equatable {
    case estimate(QuantizeEstimate)
    case started(QuantizeRequest, tensors: Int)
    case tensor(QuantizeTensorRow)
    /// Overall progress (fraction of elements) with the time so far and the estimated time left.
    case progress(fraction: Double, elapsedSeconds: Double, etaSeconds: Double?)
    case finished(output: String, bytes: Int, seconds: Double)
    case cancelled
    case failed(String)
    case evaluating(done: Int, total: Int)
    case evaluated(QuantizeEvaluation)
}
