// Fine-tuning messages for the Train pane: what to fine-tune (a LoRA or full run of a GGUF model) and a summary
// of each run on disk (with its loss curves) so past runs can be listed and compared. Plain Sendable values.

/// A fine-tuning run to start; fields mirror `lathe train lora`'s options.
public struct FineTuneRequest: Sendable, Equatable, Codable {
    public var model: String
    public var dataFiles: [String]
    /// nil: the service makes a new directory under its runs folder.
    public var runDirectory: String?
    /// "lora" or "full".
    public var method = "lora"
    public var rank = 8
    public var alpha: Double = 16
    /// Dropout on the adapters' input while training (0 = none).
    public var dropout: Double = 0
    /// q,k,v,o,gate,up,down or all.
    public var targets = "q,v"
    public var learningRate: Double = 2e-4
    public var epochs: Double = 1
    public var steps: Int?
    public var batch = 4
    public var cutoff = 256
    public var evalSplit: Double = 0.1
    public var evalEvery: Int?
    public var checkpointEvery: Int?
    public var sampleEvery = 10
    public var samplePrompt = "Hello! Who are you?"
    public var seed: UInt64 = 1

    public init(model: String, dataFiles: [String], runDirectory: String? = nil) {
        self.model = model
        self.dataFiles = dataFiles
        self.runDirectory = runDirectory
    }
}

/// A training run found on disk: what it is, how far it got, and its loss curves (≤ 200 points each).
public struct TrainRunSummary: Sendable, Equatable {
    public var path: String
    public var name: String
    /// "pretrain", "lora" or "full".
    public var kind: String
    public var model: String
    public var step: Int
    public var totalSteps: Int
    /// (step, loss) of training, downsampled.
    public var losses: [TrainPoint]
    public var evalLosses: [TrainPoint]
    /// The result file (adapter.gguf or model.gguf): a finished run's, or what a stopped one wrote so far (a LoRA run
    /// saves its adapter when stopped; `lathe train export` writes model.gguf at any point).
    public var result: String?

    /// Ran to its last step and wrote its result; a stopped run with an adapter saved is not finished.
    public var isFinished: Bool { result != nil && step >= totalSteps }

    public init(path: String, name: String, kind: String, model: String, step: Int, totalSteps: Int,
                losses: [TrainPoint], evalLosses: [TrainPoint], result: String?) {
        self.path = path
        self.name = name
        self.kind = kind
        self.model = model
        self.step = step
        self.totalSteps = totalSteps
        self.losses = losses
        self.evalLosses = evalLosses
        self.result = result
    }
}

public struct TrainPoint: Sendable, Equatable, Codable {
    public var step: Int
    public var loss: Double
    public init(step: Int, loss: Double) {
        self.step = step
        self.loss = loss
    }
}
