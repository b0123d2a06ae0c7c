// Training messages: commands to the TrainerService and the events a run publishes (for the TUI's train pane
// and the CLI's progress lines). Plain Sendable values.

/// What to train: a from-scratch pretraining run, or the continuation of one in an existing run directory.
public struct PretrainRequest: Sendable, Equatable, Codable {
    public var dataFiles: [String]
    public var preset: String
    public var steps: Int
    public var runDirectory: String
    public var seed: UInt64

    public init(dataFiles: [String], preset: String, steps: Int, runDirectory: String, seed: UInt64 = 1) {
        self.dataFiles = dataFiles
        self.preset = preset
        self.steps = steps
        self.runDirectory = runDirectory
        self.seed = seed
    }
}

public enum TrainCommand: Sendable, Equatable {
    case pretrain(PretrainRequest)
    case resume(runDirectory: String)
    /// Holds the run between optimizer steps (a checkpoint is written first).
    case pause
    case unpause
    /// Ends the run after the current step with a checkpoint, so `resume` continues it.
    case stop
}

/// Figures of one optimizer step.
public struct TrainStepMetrics: Sendable, Equatable, Codable {
    public var step: Int
    public var totalSteps: Int
    public var loss: Double
    public var learningRate: Double
    public var gradientNorm: Double
    public var tokensPerSecond: Double
    public var epoch: Double
    /// Seconds of training so far (across resumes).
    public var elapsed: Double
    /// Estimated seconds to the last step.
    public var eta: Double

    public init(step: Int, totalSteps: Int, loss: Double, learningRate: Double, gradientNorm: Double,
                tokensPerSecond: Double, epoch: Double, elapsed: Double, eta: Double) {
        self.step = step
        self.totalSteps = totalSteps
        self.loss = loss
        self.learningRate = learningRate
        self.gradientNorm = gradientNorm
        self.tokensPerSecond = tokensPerSecond
        self.epoch = epoch
        self.elapsed = elapsed
        self.eta = eta
    }
}

public enum TrainEvent: Sendable, Equatable {
    case started(runDirectory: String, startStep: Int, totalSteps: Int)
    case step(TrainStepMetrics)
    case evaluated(step: Int, loss: Double)
    case sample(step: Int, text: String)
    case checkpointSaved(step: Int, path: String)
    case paused(step: Int)
    /// Stopped early (Ctrl-C, SIGTERM, a stop command); the last checkpoint resumes it.
    case stopped(step: Int, checkpoint: String)
    case finished(modelPath: String)
    case failed(String)
}
