// The Train pane's state: the new-run form, the live run (its metrics history as events arrive), and the
// runs found on disk. Everything here is plain data the reducer changes and the view reads.
import Bus
import Screen

public enum TrainFocus: Sendable, Equatable { case form, runs }

/// One row of the new-run form.
public enum TrainField: Int, CaseIterable, Sendable {
    case model, data, method, rank, alpha, dropout, targets, learningRate, epochs, batch, cutoff, evalSplit, sampleEvery

    public var label: String {
        switch self {
        case .model: "Model"
        case .data: "Data"
        case .method: "Method"
        case .rank: "Rank"
        case .alpha: "Alpha"
        case .dropout: "Dropout"
        case .targets: "Targets"
        case .learningRate: "Learning rate"
        case .epochs: "Epochs"
        case .batch: "Batch"
        case .cutoff: "Cutoff"
        case .evalSplit: "Eval split"
        case .sampleEvery: "Sample every"
        }
    }

    /// Fields typed as text (Enter edits them); the others step with Left/Right.
    public var isText: Bool { self == .model || self == .data || self == .targets }
}

/// The form's values, with the defaults a first run should use.
public struct TrainForm: Sendable, Equatable {
    public var model = ""
    public var data = ""
    public var method = "lora"
    public var rank = 8
    public var alpha: Double = 16
    public var dropout: Double = 0
    public var targets = "q,v"
    public var learningRate: Double = 2e-4
    public var epochs: Double = 1
    public var batch = 4
    public var cutoff = 256
    public var evalSplit: Double = 0.1
    public var sampleEvery = 10
    public init() {}

    public func value(_ field: TrainField) -> String {
        switch field {
        case .model: model.isEmpty ? "(the loaded model)" : model
        case .data: data.isEmpty ? "(a .jsonl/.json/.txt file)" : data
        case .method: method == "lora" ? "LoRA (frozen quantized base)" : "full fine-tuning"
        case .rank: "\(rank)"
        case .alpha: TrainFormat.number(alpha)
        case .dropout: dropout == 0 ? "off" : String(format: "%.2f", dropout)
        case .targets: targets
        case .learningRate: TrainFormat.scientific(learningRate)
        case .epochs: TrainFormat.number(epochs)
        case .batch: "\(batch)"
        case .cutoff: "\(cutoff) tokens"
        case .evalSplit: "\(Int((evalSplit * 100).rounded()))%"
        case .sampleEvery: sampleEvery == 0 ? "never" : "\(sampleEvery) steps"
        }
    }

    public func text(_ field: TrainField) -> String {
        switch field {
        case .model: model
        case .data: data
        case .targets: targets
        default: ""
        }
    }

    public mutating func setText(_ field: TrainField, _ text: String) {
        switch field {
        case .model: model = text
        case .data: data = text
        case .targets: targets = text
        default: break
        }
    }

    /// Steps a stepped field by `steps` (negative to decrease), clamped to sensible bounds.
    public mutating func adjust(_ field: TrainField, _ steps: Int) {
        switch field {
        case .method: method = method == "lora" ? "full" : "lora"
        case .rank:
            let ranks = [1, 2, 4, 8, 16, 32, 64, 128]
            let i = ranks.firstIndex(of: rank) ?? 3
            rank = ranks[min(max(i + steps, 0), ranks.count - 1)]
        case .alpha: alpha = min(max(alpha + 4 * Double(steps), 1), 256)
        case .dropout: dropout = min(max(((dropout * 100).rounded() + 5 * Double(steps)) / 100, 0), 0.5)
        case .learningRate:
            let rates = [1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2]
            let i = rates.firstIndex { abs($0 - learningRate) < $0 * 0.01 } ?? 4
            learningRate = rates[min(max(i + steps, 0), rates.count - 1)]
        case .epochs: epochs = min(max(epochs + Double(steps), 1), 100)
        case .batch: batch = min(max(batch + steps, 1), 64)
        case .cutoff: cutoff = min(max(cutoff + 32 * steps, 32), 4096)
        case .evalSplit: evalSplit = min(max(((evalSplit * 100).rounded() + 5 * Double(steps)) / 100, 0), 0.5)
        case .sampleEvery: sampleEvery = min(max(sampleEvery + 5 * steps, 0), 1000)
        case .model, .data, .targets: break
        }
    }

    /// The request the form describes (the loaded model when Model is empty).
    public func request(loadedModel: String?) -> FineTuneRequest {
        var r = FineTuneRequest(model: model.isEmpty ? (loadedModel ?? "") : model,
                                dataFiles: data.split(separator: " ").map(String.init))
        r.method = method
        r.rank = rank
        r.alpha = alpha
        r.dropout = method == "lora" ? dropout : 0
        r.targets = targets
        r.learningRate = learningRate
        r.epochs = epochs
        r.batch = batch
        r.cutoff = cutoff
        r.evalSplit = evalSplit
        r.sampleEvery = sampleEvery
        return r
    }
}

public enum TrainRunStatus: Sendable, Equatable {
    case starting, running, pausing, paused, stopping, stopped, finished(String), failed(String)

    public var label: String {
        switch self {
        case .starting: "starting…"
        case .running: "running"
        case .pausing: "pausing…"
        case .paused: "paused"
        case .stopping: "stopping…"
        case .stopped: "stopped (resume with r)"
        case .finished: "finished"
        case .failed: "failed"
        }
    }

    public var isActive: Bool { [.starting, .running, .pausing, .paused, .stopping].contains(self) }
}

/// The run this session started or resumed, as its events arrive.
public struct LiveRun: Sendable, Equatable {
    public var directory: String
    public var status: TrainRunStatus = .starting
    public var totalSteps = 0
    public var steps: [TrainStepMetrics] = []
    public var evals: [TrainPoint] = []
    public var sample: (step: Int, text: String)?
    public var checkpoint: String?
    public var checkpointStep: Int?

    public init(directory: String) { self.directory = directory }

    public var latest: TrainStepMetrics? { steps.last }

    public static func == (a: LiveRun, b: LiveRun) -> Bool {
        a.directory == b.directory && a.status == b.status && a.totalSteps == b.totalSteps && a.steps == b.steps
            && a.evals == b.evals && a.sample?.step == b.sample?.step && a.sample?.text == b.sample?.text
            && a.checkpoint == b.checkpoint && a.checkpointStep == b.checkpointStep
    }
}

public struct TrainState: Sendable, Equatable {
    public var focus: TrainFocus = .form
    public var form = TrainForm()
    public var field: TrainField = .data
    /// The text being typed into a text field (nil when not editing).
    public var editing: TextInputState?
    public var live: LiveRun?
    public var runs: [TrainRunSummary] = []
    public var runList = ListState()
    public var lastError: String?
    public static let historyLimit = 5000
    public init() {}

    /// The past run selected in the list, if any.
    public var selectedRun: TrainRunSummary? {
        runs.indices.contains(runList.selected) ? runs[runList.selected] : nil
    }
}

enum TrainFormat {
    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e9 ? "\(Int(v))" : String(format: "%.3g", v)
    }

    static func scientific(_ v: Double) -> String { String(format: "%.0e", v) }

    static func duration(_ s: Double) -> String {
        guard s.isFinite, s >= 0 else { return "–" }
        let t = Int(s.rounded())
        return t >= 3600 ? "\(t / 3600)h\(t % 3600 / 60)m" : t >= 60 ? "\(t / 60)m\(t % 60)s" : "\(t)s"
    }
}

import Foundation
